#!/usr/bin/env bash
# Cold start of the viewer in a real terminal, against a hello-world Go
# binary timed in the same run.
#
#   bench/coldstart.sh [RUNS=5]
#
# Builds a hello-world Go binary (a temporary main that prints one line)
# and livecart from this tree, then, RUNS times, interleaved:
#
#   hello_exit    hello-world started and waited for, no terminal: the bare
#                 cost of starting a Go process on this machine;
#   hello_screen  hello-world started in tmux until its line is on screen;
#   first_frame   livecart (no arguments: the demo show and the viewer)
#                 started in tmux until its first frame is on screen;
#   pinned        ... until the pinned product ("PINNED") is on screen.
#
# Every sample starts a fresh tmux session (120x40) on a private tmux server
# started once, and polls `tmux capture-pane -p` as fast as it answers (a
# few ms a poll) with a deadline. hello_screen and first_frame go through
# the same tmux and the same polling, so first_frame - hello_screen is what
# livecart adds over a Go binary that prints one line. Each livecart run
# gets an empty HOME (a first run: no config, no saved cart). Medians are
# printed, then one JSON line with every sample.
#
# Environment:
#   LIVECART_BIN  prebuilt livecart (default: built from this tree)
#   COLS, ROWS    terminal size (default 120x40)
#   TIMEOUT       deadline per sample (default 10s)
set -euo pipefail

RUNS=${1:-5}
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ((RUNS < 1 || RUNS > 50)); then
	echo "usage: $0 [RUNS=5] (1..50)" >&2
	exit 2
fi
COLS=${COLS:-120}
ROWS=${ROWS:-40}
TIMEOUT=${TIMEOUT:-10s}
command -v tmux >/dev/null || { echo "coldstart: tmux is not installed" >&2; exit 1; }

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# hello-world, built as livecart is: same toolchain, same flags.
mkdir -p "$work/hello"
cat >"$work/hello/main.go" <<'EOF'
package main

import "fmt"

func main() { fmt.Println("hello-coldstart") }
EOF
printf 'module hello\n\ngo 1.26\n' >"$work/hello/go.mod"
(cd "$work/hello" && GOFLAGS= go build -o "$work/hello-bin" .)

if [[ -n ${LIVECART_BIN:-} ]]; then
	livecart=$LIVECART_BIN
else
	livecart=$work/livecart
	(cd "$repo" && go build -o "$livecart" .)
fi

# The timer: starts each sample in tmux and polls its screen. Go rather
# than a shell loop, so the clock is read without forking.
mkdir -p "$work/timer"
cat >"$work/timer/main.go" <<'EOF'
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

var (
	socket  = flag.String("socket", "", "tmux socket")
	cols    = flag.Int("cols", 120, "")
	rows    = flag.Int("rows", 40, "")
	runs    = flag.Int("runs", 5, "")
	timeout = flag.Duration("timeout", 10*time.Second, "")
	hello   = flag.String("hello", "", "hello-world binary")
	app     = flag.String("livecart", "", "livecart binary")
	work    = flag.String("work", "", "scratch folder")
)

func tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", *socket}, args...)...).CombinedOutput()
	return string(out), err
}

// sample starts command in a new tmux session and returns, for each
// predicate in order, how long after the start the screen first met it.
func sample(name, command string, preds ...func(string) bool) ([]time.Duration, error) {
	start := time.Now()
	if out, err := tmux("new-session", "-d", "-s", name, "-x", fmt.Sprint(*cols), "-y", fmt.Sprint(*rows), command); err != nil {
		return nil, fmt.Errorf("tmux new-session: %v: %s", err, out)
	}
	defer tmux("kill-session", "-t", name)
	got := make([]time.Duration, 0, len(preds))
	deadline := start.Add(*timeout)
	last := ""
	for len(got) < len(preds) {
		scr, err := tmux("capture-pane", "-p", "-t", name)
		at := time.Since(start)
		if err != nil {
			return nil, fmt.Errorf("capture-pane: %v: %s", err, scr)
		}
		last = scr
		for len(got) < len(preds) && preds[len(got)](scr) {
			got = append(got, at)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: timed out after %v; screen:\n%s", name, *timeout, last)
		}
	}
	return got, nil
}

func nonBlank(s string) bool { return strings.TrimSpace(s) != "" }

func contains(sub string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, sub) }
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func main() {
	flag.Parse()
	// A private server, started once, so no sample pays for starting it.
	if out, err := tmux("new-session", "-d", "-s", "keep", "sleep 3600"); err != nil {
		fmt.Fprintf(os.Stderr, "coldstart: tmux: %v: %s\n", err, out)
		os.Exit(1)
	}
	defer tmux("kill-server")

	res := map[string][]float64{}
	for i := range *runs {
		t0 := time.Now()
		if err := exec.Command(*hello).Run(); err != nil {
			fmt.Fprintln(os.Stderr, "coldstart: hello:", err)
			os.Exit(1)
		}
		res["hello_exit_ms"] = append(res["hello_exit_ms"], ms(time.Since(t0)))

		d, err := sample(fmt.Sprintf("h%d", i), *hello+"; sleep 60", contains("hello-coldstart"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "coldstart:", err)
			os.Exit(1)
		}
		res["hello_screen_ms"] = append(res["hello_screen_ms"], ms(d[0]))

		home := filepath.Join(*work, fmt.Sprintf("home%d", i))
		env := "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME=" + home +
			" XDG_CONFIG_HOME=" + home + "/config XDG_STATE_HOME=" + home + "/state USER=coldstart"
		d, err = sample(fmt.Sprintf("l%d", i), env+" "+*app+"; sleep 60", nonBlank, contains("PINNED"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "coldstart:", err)
			os.Exit(1)
		}
		res["first_frame_ms"] = append(res["first_frame_ms"], ms(d[0]))
		res["pinned_ms"] = append(res["pinned_ms"], ms(d[1]))
		res["first_frame_over_hello_ms"] = append(res["first_frame_over_hello_ms"], ms(d[0])-res["hello_screen_ms"][i])
	}

	fmt.Printf("%-28s %10s %10s %10s\n", fmt.Sprintf("median of %d (ms)", *runs), "median", "min", "max")
	for _, k := range []string{"hello_exit_ms", "hello_screen_ms", "first_frame_ms", "first_frame_over_hello_ms", "pinned_ms"} {
		fmt.Printf("%-28s %10.1f %10.1f %10.1f\n", k, median(res[k]), slices.Min(res[k]), slices.Max(res[k]))
	}
	out := map[string]any{"runs": *runs, "size": fmt.Sprintf("%dx%d", *cols, *rows), "samples": res}
	for k, v := range res {
		out["median_"+k] = median(v)
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
EOF
printf 'module timer\n\ngo 1.26\n' >"$work/timer/go.mod"
(cd "$work/timer" && GOFLAGS= go build -o "$work/timer-bin" .)

"$work/timer-bin" -socket "$work/tmux.sock" -cols "$COLS" -rows "$ROWS" -runs "$RUNS" -timeout "$TIMEOUT" \
	-hello "$work/hello-bin" -livecart "$livecart" -work "$work"
