package main

import (
	"debug/buildinfo"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"a release", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, true, "livecart v1.4.0"},
		{"a checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-05-01T10:00:00Z", "vcs.modified", "false")},
			true, "livecart (devel) (commit 0123456789ab, 2026-05-01T10:00:00Z)"},
		{"a checkout with changes", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs.revision", rev, "vcs.time", "2026-05-01T10:00:00Z", "vcs.modified", "true")},
			true, "livecart (devel) (commit 0123456789ab, 2026-05-01T10:00:00Z, with uncommitted changes)"},
		{"a pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260501100000-0123456789ab+dirty"}, Settings: vcs("vcs.revision", rev, "vcs.modified", "true")},
			true, "livecart v0.0.0-20260501100000-0123456789ab+dirty (commit 0123456789ab, with uncommitted changes)"},
		{"no version", &debug.BuildInfo{}, true, "livecart (devel)"},
		{"no build information", nil, false, "livecart (version unknown: built without module information)"},
	}
	for _, c := range cases {
		if got := versionLine(c.info, c.ok); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	isolate(t)
	want := versionLine(debug.ReadBuildInfo()) + "\n"
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}} {
		code, out, errOut := runCLI(t, args...)
		if code != exitOK || out != want || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want stdout %q", args, code, out, errOut, want)
		}
	}
}

// TestBinary runs the built program: the version is the one recorded in
// the binary, and a mistake in the command line exits with 2 and two
// lines, never a stack trace.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := versionLine(info, true) + "\n"
	if !strings.HasPrefix(want, "livecart ") || strings.Contains(want, "unknown") {
		t.Fatalf("version line %q", want)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil || string(out) != want {
			t.Errorf("%v: %q, %v; want %q", args, out, err, want)
		}
	}
	if out, err := exec.Command(bin, "--help").Output(); err != nil || !strings.Contains(string(out), "livecart serve") {
		t.Errorf("--help: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"dance"}, {"serve", "--bogus"}, {"--bogus"}, {"version", "x"}, {"watch", "--theme", "neon", "ws://a/ws"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(cmd.Environ(), "LIVECART_CONFIG=", "XDG_CONFIG_HOME="+t.TempDir())
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
			t.Errorf("%v: %v, want exit code %d", args, err, exitUsage)
		}
		if lines := strings.Count(stderr.String(), "\n"); lines != 2 || strings.Contains(stderr.String(), "goroutine") {
			t.Errorf("%v: stderr %q, want an error line and a hint", args, stderr.String())
		}
	}
}

// TestBinaryFromCheckout builds livecart from a fresh git repository
// holding this tree, as a developer's checkout would, and expects the
// commit and the uncommitted change in its version.
func TestBinaryFromCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	files, err := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	dir := t.TempDir()
	for name := range strings.Lines(string(files)) {
		name = strings.TrimSuffix(name, "\n")
		data, err := os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "snapshot")
	rev := git("rev-parse", "HEAD")

	// A change that is not committed, so both the commit and the change
	// show.
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "livecart")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	v := string(out)
	if want := "(commit " + rev[:12] + ", "; !strings.Contains(v, want) || !strings.HasSuffix(v, ", with uncommitted changes)\n") {
		t.Errorf("version %q, want the commit %s and uncommitted changes", v, rev[:12])
	}
}
