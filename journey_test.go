package main

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// buildBinary builds livecart once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "livecart")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// tmuxSession is the real TUI running in a real terminal.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func startTmux(t *testing.T, width, height int, command string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed; .ci/run installs it")
		}
		t.Skip("tmux not installed")
	}
	s := &tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	s.tmux("new-session", "-d", "-s", "lc", "-x", itoa(width), "-y", itoa(height), command)
	t.Cleanup(func() { exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "lc") }

func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", "lc"}, keys...)...)
}

// waitFor polls the screen until ok holds, failing with the last screen
// after the deadline.
func (s *tmuxSession) waitFor(what string, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(50 * time.Millisecond) // poll interval, not a synchronisation
	}
}

func contains(sub string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, sub) }
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestJourney runs the demo in a real terminal as a newcomer would: the show
// appears, a adds the pinned product, x offers the checkout link, q quits
// and the cart is on disk.
func TestJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	bin := buildBinary(t)
	for _, size := range [][2]int{{80, 24}, {160, 50}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			home := t.TempDir()
			env := "env HOME=" + home + " XDG_CONFIG_HOME=" + home + "/config XDG_STATE_HOME=" + home + "/state" +
				" LIVECART_CONFIG= LIVECART_NAME= LIVECART_LOG_FILE= TERM=xterm-256color"
			cmd := env + " " + bin + " demo --seed 7 --name tester --no-browser --audience 6; echo livecart-exit=$?; sleep 60"
			s := startTmux(t, size[0], size[1], cmd)

			s.waitFor("the pinned product", contains("PINNED"))
			s.waitFor("chat from the audience", func(scr string) bool { return strings.Count(scr, ":") >= 3 })
			s.keys("a")
			s.waitFor("the add confirmation", contains("Added"))
			s.keys("x")
			scr := s.waitFor("the checkout link", contains("/cart/"))
			if !strings.Contains(scr, ":1") {
				t.Errorf("checkout link lacks a quantity of 1:\n%s", scr)
			}
			s.keys("q")
			s.waitFor("a clean exit", contains("livecart-exit=0"))

			carts, _ := filepath.Glob(filepath.Join(home, "state", "livecart", "carts", "*.json"))
			if len(carts) != 1 {
				t.Fatalf("cart files: %v, want one", carts)
			}
			data, _ := os.ReadFile(carts[0])
			if !strings.Contains(string(data), `"qty": 1`) && !strings.Contains(string(data), `"qty":1`) {
				t.Errorf("saved cart lacks the added line: %s", data)
			}
		})
	}
}

// servedShow is a `livecart serve` process and what it printed at start.
type servedShow struct {
	cmd    *exec.Cmd
	url    string      // the first URL of its watch line
	token  string      // the host token, if it printed one
	start  []string    // the start lines, up to "Press Ctrl+C"
	lines  chan string // stdout after the start lines
	stderr *strings.Builder
}

// startServe runs `livecart serve` with args and waits for it to print
// its start, up to the line that says how to stop it.
func startServe(t *testing.T, bin string, args ...string) *servedShow {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &servedShow{cmd: cmd, lines: make(chan string, 16), stderr: &strings.Builder{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	deadline := time.After(20 * time.Second)
	for done := false; !done; {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("serve ended early; stderr:\n%s", s.stderr.String())
			}
			s.start = append(s.start, l)
			if _, after, ok := strings.Cut(l, "livecart watch "); ok {
				s.url, _, _ = strings.Cut(strings.TrimSpace(after), " ")
			}
			if _, after, ok := strings.Cut(l, "host token: "); ok {
				s.token = strings.TrimSpace(after)
			}
			done = strings.HasPrefix(l, "Press Ctrl+C")
		case <-deadline:
			t.Fatalf("serve did not finish its start; it printed:\n%s", strings.Join(s.start, "\n"))
		}
	}
	if s.url == "" {
		t.Fatalf("serve printed no URL:\n%s", strings.Join(s.start, "\n"))
	}
	return s
}

// wait waits for the process to exit cleanly and returns what it printed
// after the start.
func (s *servedShow) wait(t *testing.T) string {
	t.Helper()
	var out strings.Builder
	for l := range s.lines {
		out.WriteString(l + "\n")
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("serve exit: %v; stderr:\n%s", err, s.stderr.String())
	}
	return out.String()
}

// TestServeStopsOnSignal starts `livecart serve`, joins it as a viewer, and
// checks that SIGTERM stops it cleanly with exit status 0, telling the
// viewer the server is restarting (1001), not that the show has ended. On
// the way it checks that --allowed-hosts reaches the server.
func TestServeStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startServe(t, bin, "--addr", "127.0.0.1:0", "--audience", "3", "--seed", "1", "--token", "journey-host-token", "--allowed-hosts", "shop.example, www.shop.example")
	url, token := srv.url, srv.token
	if token != "journey-host-token" {
		t.Errorf("printed token %q, want the one given", token)
	}
	c, err := client.Dial(context.Background(), client.Options{URL: url, Name: "probe"})
	if err != nil {
		t.Fatalf("dial the printed URL: %v", err)
	}
	defer c.Close()
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")
	_, port, _ := strings.Cut(addr, ":")
	for host, want := range map[string]int{"shop.example:" + port: http.StatusOK, "www.shop.example": http.StatusOK, "evil.example:" + port: http.StatusMisdirectedRequest} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/healthz", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /healthz as %s: HTTP %d, want %d", host, resp.StatusCode, want)
		}
	}

	srv.cmd.Process.Signal(syscall.SIGTERM)
	for range c.Events() {
	}
	var ce *client.CloseError
	if !errors.As(c.Err(), &ce) || ce.Code != protocol.CloseGoingAway {
		t.Errorf("viewer saw %v, want close 1001 going away", c.Err())
	}
	if out := srv.wait(t); !strings.Contains(out, "restart") {
		t.Errorf("serve said %q on SIGTERM", out)
	}
}

// TestServeEndsShowOnInterrupt: Ctrl+C (SIGINT) ends the show. A viewer's
// session, and the simulated audience, are told the show has ended and
// stop; serve exits cleanly.
func TestServeEndsShowOnInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	srv := startServe(t, bin, "--addr", "127.0.0.1:0", "--audience", "3", "--seed", "1")
	sess := client.StartSession(context.Background(), client.SessionOptions{
		Options:    client.Options{URL: srv.url, Name: "probe"},
		MinBackoff: time.Millisecond, ServerBackoff: time.Millisecond,
	})
	defer sess.Close()
	deadline := time.After(20 * time.Second)
	joined := false
	var last client.Update
	for done := false; !done; {
		select {
		case u, ok := <-sess.Updates():
			if !ok {
				done = true
				break
			}
			last = u
			switch u.Kind {
			case client.UpdateSnapshot:
				if !joined {
					joined = true
					srv.cmd.Process.Signal(os.Interrupt)
				}
			case client.UpdateWaiting:
				t.Errorf("the session waits to reconnect (%v) after the show ended", u.Err)
			}
		case <-deadline:
			t.Fatalf("the session did not end; last update %s (%v)", last.Kind, last.Err)
		}
	}
	if !joined || last.Kind != client.UpdateFailed || !errors.Is(last.Err, client.ErrShowEnded) {
		t.Fatalf("the session ended with %s (%v), want failed with ErrShowEnded", last.Kind, last.Err)
	}
	if out := srv.wait(t); !strings.Contains(out, "Ending the show") {
		t.Errorf("serve said %q on SIGINT", out)
	}
}
