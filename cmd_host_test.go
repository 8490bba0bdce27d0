package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const secretToken = "tok-9f8e7d6c5b4a3210"

func TestHostWithoutToken(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"host"}, {"host", "ws://127.0.0.1:7420/ws"}, {"host", "--token", "", "ws://127.0.0.1:7420/ws"}} {
		code, out, errOut := runCLI(t, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		first, _, _ := strings.Cut(errOut, "\n")
		if !strings.HasPrefix(first, "livecart host: no host token: give --token, set LIVECART_HOST_TOKEN or set host_token in the config file") {
			t.Errorf("%v: stderr %q", args, errOut)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", args, out)
		}
	}
}

func TestHostHelp(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"host", "--help"}, {"help", "host"}} {
		code, out, errOut := runCLI(t, args...)
		if code != exitOK || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
		for _, want := range []string{"Usage: livecart host", "-token", "-config", "-theme", "-log", "LIVECART_HOST_TOKEN", "host_token"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, out)
			}
		}
		// Flags that would do nothing here are not offered.
		for _, not := range []string{"-name", "-no-browser"} {
			if strings.Contains(out, not) {
				t.Errorf("%v: help offers %s, which the dashboard does not use", args, not)
			}
		}
	}
	_, out, _ := runCLI(t, "help")
	if !strings.Contains(out, "livecart host [flags] URL") || !strings.Contains(out, "livecart demo --host") {
		t.Errorf("usage lacks the host commands:\n%s", out)
	}
	_, out, _ = runCLI(t, "demo", "--help")
	if !strings.Contains(out, "-host") {
		t.Errorf("demo help lacks --host:\n%s", out)
	}
}

// TestHostNeverPrintsTheToken runs every way the command can fail before
// the dashboard opens, with the token from each source.
func TestHostNeverPrintsTheToken(t *testing.T) {
	home := isolate(t)
	badTOML := filepath.Join(home, "bad.toml")
	os.WriteFile(badTOML, []byte("host_token = "+secretToken+"\n"), 0o600)
	goodTOML := filepath.Join(home, "good.toml")
	os.WriteFile(goodTOML, []byte("host_token = \""+secretToken+"\"\n"), 0o600)

	cases := []struct {
		name string
		env  string
		args []string
		code int
		want string
	}{
		{"flag, bad URL", "", []string{"host", "--token", secretToken, "http://example.com"}, exitUsage, "scheme must be ws or wss"},
		{"flag, no URL", "", []string{"host", "--token", secretToken}, exitUsage, "no show URL"},
		{"env, bad theme", secretToken, []string{"host", "--theme", "purple", "ws://a/ws"}, exitUsage, "theme"},
		{"env, too many URLs", secretToken, append([]string{"host"}, slices.Repeat([]string{"ws://a/ws"}, 17)...), exitUsage, "livecart takes at most 16"},
		{"env, a bad second URL", secretToken, []string{"host", "ws://a/ws", "http://b/ws"}, exitUsage, "scheme must be ws or wss"},
		{"file, bad URL", "", []string{"host", "--config", goodTOML, "ftp://a"}, exitUsage, "scheme must be ws or wss"},
		{"malformed file", "", []string{"host", "--config", badTOML, "ws://a/ws"}, exitError, "the host_token value is not valid TOML"},
		{"too long", "", []string{"host", "--token", strings.Repeat(secretToken, 8), "ws://a/ws"}, exitUsage, "longer than 128"},
		{"control characters", "", []string{"host", "--token", secretToken + "\x1b", "ws://a/ws"}, exitUsage, "characters a token cannot have"},
		{"unknown flag", secretToken, []string{"host", "--bogus", "--token", secretToken}, exitUsage, "unknown flag --bogus"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("LIVECART_HOST_TOKEN", c.env)
			code, out, errOut := runCLI(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errOut)
			}
			if !strings.Contains(errOut, c.want) {
				t.Errorf("stderr %q lacks %q", errOut, c.want)
			}
			if strings.Contains(out+errOut, secretToken[:12]) {
				t.Errorf("the token was printed:\nstdout %q\nstderr %q", out, errOut)
			}
		})
	}
}
