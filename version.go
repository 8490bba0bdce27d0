package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

const versionSynopsis = `Usage: livecart version

Print which livecart this is: the release, or "(devel)" and the commit it
was built from, with its time and whether the tree had uncommitted changes.
'livecart --version' does the same.
`

func runVersion(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	rest, err := parse(fs, args, stdout, versionSynopsis)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
	return nil
}

// versionLine says which livecart this is, from what the Go toolchain
// recorded in the binary: the main module's version ("v1.2.0" when
// installed with go install …@v1.2.0; "(devel)" or a pseudo-version when
// built from a checkout) and, from a checkout, the commit, its time and
// whether the tree had uncommitted changes.
func versionLine(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "livecart (version unknown: built without module information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var revision, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return "livecart " + v
	}
	details := []string{"commit " + revision[:min(len(revision), 12)]}
	if at != "" {
		details = append(details, at)
	}
	if modified {
		details = append(details, "with uncommitted changes")
	}
	return "livecart " + v + " (" + strings.Join(details, ", ") + ")"
}
