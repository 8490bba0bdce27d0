// Command livecart is a terminal client for live-stream shopping, and the
// show server it talks to. Run with no arguments for the built-in demo show.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // the command line was wrong
)

const usage = `livecart — live-stream shopping in your terminal

Usage:
  livecart [demo] [flags]     watch the built-in demo show (no account, no network)
  livecart demo --host        run the built-in demo show yourself, from the host dashboard
  livecart watch [flags] URL  watch a show, e.g. livecart watch ws://127.0.0.1:7420/ws
  livecart host [flags] URL   run a show from the host dashboard (needs the host token)
  livecart serve [flags]      run a show server
  livecart help [command]     show help for a command

Run 'livecart COMMAND --help' for a command's flags.
Settings: %s (see README), LIVECART_* environment variables, then flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a command and maps its error to an exit code. Errors
// are printed as one line; nothing here panics on bad input.
func run(args []string, stdout, stderr io.Writer) int {
	cmd, rest := "demo", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "demo":
		err = runDemo(rest, stdout, stderr)
	case "watch":
		err = runWatch(rest, stdout, stderr)
	case "host":
		err = runHost(rest, stdout, stderr)
	case "serve":
		err = runServe(rest, stdout, stderr)
	case "help":
		if len(rest) > 0 {
			return run([]string{rest[0], "--help"}, stdout, stderr)
		}
		fmt.Fprintf(stdout, usage, configPathForHelp())
		return exitOK
	default:
		fmt.Fprintf(stderr, "livecart: unknown command %q\n", cmd)
		fmt.Fprintf(stderr, usage, configPathForHelp())
		return exitUsage
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "livecart %s: %v\n", cmd, err)
		fmt.Fprintf(stderr, "Run 'livecart %s --help' for usage.\n", cmd)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "livecart %s: %v\n", cmd, err)
		return exitError
	}
}

// usageError marks errors in the command line itself.
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}
