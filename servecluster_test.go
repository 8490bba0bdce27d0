package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	gossh "golang.org/x/crypto/ssh"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// TestServeClusterFlags: flags that do not go with the way serve runs are
// refused in one line, with exit code 2, before anything starts.
func TestServeClusterFlags(t *testing.T) {
	isolate(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--cluster", "0"}, "--cluster must be between 1 and 16"},
		{[]string{"--cluster", "17"}, "--cluster must be between 1 and 16"},
		{[]string{"--cluster", "2", "--role", "owner"}, "--cluster and --role do not go together"},
		{[]string{"--cluster", "2", "--nats", "nats://127.0.0.1:4222"}, "--nats does not apply to --cluster; it is for --role owner, --role edge"},
		{[]string{"--cluster", "2", "--show", "demo"}, "--show does not apply to --cluster; it is for --role edge"},
		{[]string{"--cluster", "2", "--addr", "127.0.0.1:65534"}, "--cluster 2: the edges' ports, after 65534, would pass 65535"},
		{[]string{"--cluster", "2", "--nats-listen", "4222"}, `--nats-listen: want HOST:PORT, got "4222"`},
		{[]string{"--role", "viewer"}, `--role must be owner or edge, got "viewer"`},
		{[]string{"--role", "owner"}, "--role owner needs --nats URL, or --nats-listen ADDR"},
		{[]string{"--role", "owner", "--nats", "nats://a:4222", "--nats-listen", "127.0.0.1:4222"}, "--nats and --nats-listen do not go together"},
		{[]string{"--role", "owner", "--nats", "nats://a:4222", "--nats-dir", "/tmp/x"}, "--nats-dir needs --nats-listen"},
		{[]string{"--role", "owner", "--nats-listen", "127.0.0.1:4222", "--nats-domain", "hub"}, "--nats-domain needs --nats"},
		{[]string{"--role", "owner", "--nats", "nats://a:4222", "--show", "demo"}, "--show does not apply to --role owner; it is for --role edge"},
		{[]string{"--role", "edge", "--show", "demo"}, "--role edge needs --nats URL"},
		{[]string{"--role", "edge", "--nats", "nats://a:4222"}, "--role edge needs --show SHOW_ID"},
		{[]string{"--role", "edge", "--nats", "nats://a:4222", "--show", "no spaces"}, "--role edge needs --show SHOW_ID"},
		{[]string{"--role", "edge", "--nats", "nats://a:4222", "--show", "demo", "--audience", "3"}, "--audience does not apply to --role edge; it is for serve alone, --cluster, --role owner"},
		{[]string{"--role", "edge", "--nats", "nats://a:4222", "--show", "demo", "--token", "0123456789abcdef"}, "--token does not apply to --role edge"},
		{[]string{"--role", "edge", "--nats", "nats://a:4222", "--show", "demo", "--catalog", "x.json"}, "--catalog does not apply to --role edge"},
		{[]string{"--role", "edge", "--nats", "nats://a:4222", "--show", "demo", "--nats-listen", "127.0.0.1:4222"}, "--nats-listen does not apply to --role edge"},
		{[]string{"--nats", "nats://a:4222"}, "--nats needs --role owner or --role edge"},
		{[]string{"--nats-listen", "127.0.0.1:4222"}, "--nats-listen needs --cluster or --role owner"},
		{[]string{"--show", "demo"}, "--show needs --role edge"},
	}
	for _, c := range cases {
		code, _, errOut := runCLI(t, append([]string{"serve"}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != exitUsage || !strings.Contains(lines[0], c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, errOut, c.want)
		}
		if len(lines) != 2 || lines[1] != "Run 'livecart serve --help' for usage." {
			t.Errorf("%v: stderr is not one line and the help hint: %q", c.args, errOut)
		}
	}
}

// nodeURL is the WebSocket URL a start line names: the last field of the
// line that begins with prefix ("owner ", "edge 2 ") and starts with ws://.
func nodeURL(t *testing.T, start []string, prefix string) string {
	t.Helper()
	for _, l := range start {
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		url := ""
		for f := range strings.FieldsSeq(l) {
			if strings.HasPrefix(f, "ws://") {
				url = f
			}
		}
		if url != "" {
			return url
		}
	}
	t.Fatalf("no line begins with %q and names a ws:// URL:\n%s", prefix, strings.Join(start, "\n"))
	return ""
}

// lineWriter hands what is written to it on, a line at a time.
type lineWriter struct {
	mu    sync.Mutex
	part  string
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.part += string(p)
	for {
		line, rest, ok := strings.Cut(w.part, "\n")
		if !ok {
			return len(p), nil
		}
		w.lines <- line
		w.part = rest
	}
}

// startLines reads lines up to the one that says how to stop serve.
func startLines(t *testing.T, lines <-chan string, done <-chan int) []string {
	t.Helper()
	var start []string
	deadline := time.After(20 * time.Second)
	for {
		select {
		case l := <-lines:
			start = append(start, l)
			if strings.HasPrefix(l, "Press Ctrl+C") {
				return start
			}
		case code := <-done:
			t.Fatalf("serve ended with %d after printing:\n%s", code, strings.Join(start, "\n"))
		case <-deadline:
			t.Fatalf("serve did not finish its start:\n%s", strings.Join(start, "\n"))
		}
	}
}

// watchEdge joins the show at url as a viewer and waits for its welcome.
func watchEdge(t *testing.T, url string) (*client.Session, <-chan client.Update) {
	t.Helper()
	s := client.StartSession(context.Background(), client.SessionOptions{
		Options:    client.Options{URL: url, Name: "probe"},
		MinBackoff: time.Millisecond, ServerBackoff: time.Millisecond,
	})
	t.Cleanup(s.Close)
	deadline := time.After(20 * time.Second)
	for {
		select {
		case u := <-s.Updates():
			if u.Kind == client.UpdateSnapshot {
				if u.URL != url {
					t.Errorf("welcomed on %s, want %s", u.URL, url)
				}
				return s, s.Updates()
			}
		case <-deadline:
			t.Fatal("no welcome from the edge")
		}
	}
}

// hostSays sends a chat line as the host, on the owner.
func hostSays(t *testing.T, url, token, text string) {
	t.Helper()
	c, err := client.Dial(context.Background(), client.Options{URL: url, Name: "host", Token: token})
	if err != nil {
		t.Fatalf("host dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		for range c.Events() {
		}
	}()
	if err := c.Send(protocol.TypeSay, protocol.Say{Text: text}); err != nil {
		t.Fatalf("host say: %v", err)
	}
}

// waitChat waits until the session shows a chat line with text.
func waitChat(t *testing.T, updates <-chan client.Update, text string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				t.Fatalf("the session ended before the chat line %q", text)
			}
			for _, env := range u.Events {
				if env.Type != protocol.TypeChat {
					continue
				}
				if c, err := protocol.Decode[protocol.Chat](env); err == nil && c.Text == text {
					return
				}
			}
		case <-deadline:
			t.Fatalf("no chat line %q", text)
		}
	}
}

// sessionEnd waits for the session to end and returns its last update.
func sessionEnd(t *testing.T, updates <-chan client.Update) client.Update {
	t.Helper()
	var last client.Update
	deadline := time.After(20 * time.Second)
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				return last
			}
			last = u
		case <-deadline:
			t.Fatalf("the session did not end; last update %s (%v)", last.Kind, last.Err)
		}
	}
}

// TestServeCluster runs `livecart serve --cluster 2` in this process: a
// viewer on an edge it prints gets the welcome and the host's chat line
// sent on the owner; Ctrl+C ends the show on the edge too (the viewer is
// told it ended), and serve returns 0 with nothing left running.
func TestServeCluster(t *testing.T) {
	home := isolate(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreAnyFunction("os/signal.loop"))
	const token = "cluster-host-token-1"
	out := &lineWriter{lines: make(chan string, 64)}
	var errOut strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"serve", "--cluster", "2", "--addr", "127.0.0.1:0", "--audience", "2", "--seed", "1", "--token", token,
			"--orders", filepath.Join(home, "orders.jsonl"), "--log", filepath.Join(home, "serve.log")}, out, &errOut)
	}()
	start := startLines(t, out.lines, done)
	owner := nodeURL(t, start, "owner ")
	edge1, edge2 := nodeURL(t, start, "edge 1 "), nodeURL(t, start, "edge 2 ")
	if owner == edge1 || edge1 == edge2 {
		t.Fatalf("owner %s, edges %s and %s: not three URLs", owner, edge1, edge2)
	}
	if !strings.Contains(strings.Join(start, "\n"), "livecart watch "+edge1+" "+edge2) {
		t.Errorf("the watch line does not name both edges:\n%s", strings.Join(start, "\n"))
	}

	viewer, updates := watchEdge(t, edge1)
	hostSays(t, owner, token, "hello from the owner")
	waitChat(t, updates, "hello from the owner")

	syscall.Kill(os.Getpid(), syscall.SIGINT)
	if last := sessionEnd(t, updates); last.Kind != client.UpdateFailed || !errors.Is(last.Err, client.ErrShowEnded) {
		t.Errorf("the viewer on the edge ended with %s (%v), want failed with ErrShowEnded", last.Kind, last.Err)
	}
	viewer.Close()
	select {
	case code := <-done:
		if code != exitOK || errOut.Len() > 0 {
			t.Errorf("serve exit %d, stderr %q", code, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
	if l := <-out.lines; l != "Ending the show…" {
		t.Errorf("serve said %q on SIGINT", l)
	}
}

// TestServeOwnerAndEdge runs the owner and an edge as two processes, the
// edge on the NATS server the owner runs (--nats-listen), in the shapes a
// benchmark runs them: a viewer on the edge sees what the host says on
// the owner, and each process stops cleanly on a signal.
func TestServeOwnerAndEdge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t) // before isolate, which moves the build cache with HOME
	home := isolate(t)
	const token = "roles-host-token-123"
	owner := startServe(t, bin, "--role", "owner", "--nats-listen", "127.0.0.1:0", "--nats-dir", filepath.Join(home, "nats"),
		"--addr", "127.0.0.1:0", "--audience", "0", "--host-bot=false", "--token", token, "--max-conns-per-ip", "-1")
	ownerURL := nodeURL(t, owner.start, "owner ")
	var natsURL, showID string
	for _, l := range owner.start {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "nats:"); ok {
			natsURL, _, _ = strings.Cut(strings.TrimSpace(v), ",")
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "show ID:"); ok {
			showID = strings.TrimSpace(v)
		}
	}
	if !strings.HasPrefix(natsURL, "nats://") || showID != "demo" {
		t.Fatalf("the owner printed NATS %q and show ID %q:\n%s", natsURL, showID, strings.Join(owner.start, "\n"))
	}
	edge := startServe(t, bin, "--role", "edge", "--nats", natsURL, "--show", showID, "--addr", "127.0.0.1:0",
		"--ssh", "127.0.0.1:0", "--ssh-dir", filepath.Join(home, "ssh"))
	edgeURL := nodeURL(t, edge.start, "edge ")
	sshAddr := ""
	for _, l := range edge.start {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "ssh:"); ok {
			if f := strings.Fields(v); len(f) == 4 && f[0] == "ssh" && f[1] == "-p" {
				sshAddr = "127.0.0.1:" + f[2]
			}
		}
	}
	if sshAddr == "" {
		t.Fatalf("the edge printed no ssh line:\n%s", strings.Join(edge.start, "\n"))
	}

	_, updates := watchEdge(t, edgeURL)
	screen := sshViewer(t, sshAddr)
	hostSays(t, ownerURL, token, "hello across processes")
	waitChat(t, updates, "hello across processes")
	screen.waitFor(t, "hello across processes")

	edge.cmd.Process.Signal(os.Interrupt)
	if out := edge.wait(t); !strings.Contains(out, "Stopping this edge") {
		t.Errorf("the edge said %q on SIGINT", out)
	}
	owner.cmd.Process.Signal(os.Interrupt)
	if out := owner.wait(t); !strings.Contains(out, "Ending the show") {
		t.Errorf("the owner said %q on SIGINT", out)
	}
	if s := owner.stderr.String() + edge.stderr.String(); strings.Contains(s, "panic") || strings.Contains(s, "goroutine ") {
		t.Errorf("a stack trace:\n%s", s)
	}
}

// sshScreen is what an SSH session's terminal has been sent so far.
type sshScreen struct {
	mu      sync.Mutex
	out     bytes.Buffer
	changed chan struct{}
}

func (s *sshScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.Write(p)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(p), nil
}

// waitFor waits until the session's output holds text.
func (s *sshScreen) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		ok, ch := bytes.Contains(s.out.Bytes(), []byte(text)), s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("the SSH viewer never showed %q", text)
		}
	}
}

// sshViewer opens an SSH session with a terminal on the server at addr:
// the viewer, as a person's ssh would get it.
func sshViewer(t *testing.T, addr string) *sshScreen {
	t.Helper()
	c := sshDial(t, addr, gossh.InsecureIgnoreHostKey()) // a server this test started
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	screen := &sshScreen{changed: make(chan struct{})}
	sess.Stdout = screen
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	return screen
}
