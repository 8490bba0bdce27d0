// Command livecart is a terminal client for live-stream shopping, and the
// show server it talks to. Run with no arguments for the built-in demo show.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/livecart/livecart/config"
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
  livecart verify URL|FILE    check a giveaway's draw from its published record
  livecart version            print the version (also --version)
  livecart help [command]     show help for a command (also --help)

Run 'livecart COMMAND --help' for a command's flags.

Settings: defaults, then the config file, then LIVECART_* environment
variables, then flags. The config file is the one --config names, else the
one LIVECART_CONFIG names (either must exist), else %s
when it exists. serve reads no config file: its settings are its flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a command and maps its error to an exit code. Each
// line of an error is printed after the command's name; nothing here
// panics on bad input.
func run(args []string, stdout, stderr io.Writer) int {
	cmd, rest := "demo", args
	named := false // the user typed the command, rather than the default one running
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			fmt.Fprintf(stdout, usage, config.DefaultPath())
			return exitOK
		case "-version", "--version":
			fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
			return exitOK
		}
		if !strings.HasPrefix(args[0], "-") {
			cmd, rest, named = args[0], args[1:], true
		}
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
	case "verify":
		err = runVerify(rest, stdout)
	case "version":
		err = runVersion(rest, stdout)
	case "help":
		if len(rest) > 0 && rest[0] != "help" && slices.Contains(commands, rest[0]) {
			return run([]string{rest[0], "--help"}, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] != "help" && !strings.HasPrefix(rest[0], "-") {
			fmt.Fprintf(stderr, "livecart help: unknown command %q\n", rest[0])
			fmt.Fprintln(stderr, commandHint(rest[0]))
			return exitUsage
		}
		fmt.Fprintf(stdout, usage, config.DefaultPath())
		return exitOK
	default:
		fmt.Fprintf(stderr, "livecart: unknown command %q\n", cmd)
		fmt.Fprintln(stderr, commandHint(cmd))
		return exitUsage
	}
	label := "livecart " + cmd
	if !named {
		label = "livecart"
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		printError(stderr, label, err)
		if named {
			fmt.Fprintf(stderr, "Run 'livecart %s --help' for usage.\n", cmd)
		} else {
			fmt.Fprintf(stderr, "Run 'livecart --help' for the commands, 'livecart %s --help' for the flags of the default one.\n", cmd)
		}
		return exitUsage
	default:
		printError(stderr, label, err)
		return exitError
	}
}

// commands are the command names run knows.
var commands = []string{"demo", "watch", "host", "serve", "version", "verify", "help"}

// commandHint is the line after an unknown command: the command meant, when
// one is close, and where the list is.
func commandHint(typed string) string {
	for _, c := range commands {
		if editDistance(strings.ToLower(typed), c) <= 2 || (len(typed) >= 3 && strings.HasPrefix(c, typed)) {
			return fmt.Sprintf("Did you mean 'livecart %s'? Run 'livecart --help' for the commands.", c)
		}
	}
	return "Run 'livecart --help' for the commands."
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// printError prints each line of err after label, so that every line says
// where it came from.
func printError(w io.Writer, label string, err error) {
	for line := range strings.Lines(err.Error()) {
		fmt.Fprintf(w, "%s: %s\n", label, strings.TrimSuffix(line, "\n"))
	}
}

// usageError marks errors in the command line itself.
type usageError struct{ error }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}
