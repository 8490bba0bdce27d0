package sshshow_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/ui/sshshow"
)

const (
	hostToken = "sshshow-test-host-token"
	waitLimit = 15 * time.Second // how long a screen may take to show what a test waits for
)

// rig is a real show server with the SSH server in front of it, both on
// loopback.
type rig struct {
	t     *testing.T
	show  *showtest.Show
	srv   *sshshow.Server
	cat   server.Catalog
	addr  string
	state string
	// stopSSH stops the SSH server and returns once it has; the test's
	// cleanup does it too.
	stopSSH func()
}

// startRig serves the demo catalog's show, and SSH sessions of it.
func startRig(t *testing.T, tweak ...func(*sshshow.Config)) *rig {
	t.Helper()
	return startRigWith(t, nil, tweak...)
}

// startRigWith is startRig with prepare run on the SSH server before it
// serves.
func startRigWith(t *testing.T, prepare func(*sshshow.Server), tweak ...func(*sshshow.Config)) *rig {
	t.Helper()
	cat := showtest.Catalog(t, demo.Catalog())
	// Every SSH session reaches the show from loopback, as every test client
	// does: no cap per address here; ui/sshshow has caps of its own.
	show := showtest.Start(t, server.Config{Catalog: cat, HostToken: hostToken, MaxConnsPerIP: -1})
	r := &rig{t: t, show: show, cat: cat, state: t.TempDir()}
	cfg := sshshow.Config{ShowURL: r.show.WS, StateDir: r.state, Theme: "dark"}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := sshshow.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	r.stopSSH = sync.OnceFunc(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("ssh serve: %v", err)
		}
	})
	t.Cleanup(r.stopSSH)
	r.srv, r.addr = srv, ln.Addr().String()
	return r
}

// host joins the show as its host.
func (r *rig) host() *client.Conn {
	r.t.Helper()
	c, err := client.Dial(context.Background(), client.Options{URL: r.show.WS, Name: "host", Token: hostToken})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

// pin pins the catalog's product i, as the host.
func (r *rig) pin(host *client.Conn, i int) protocol.Product {
	r.t.Helper()
	p := r.cat.Products[i]
	if err := host.Send(protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: p.Variants[0].ID}); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// newKey makes a client key pair.
func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// term is an SSH client session on a virtual terminal: what the server
// writes is drawn on the terminal, and the terminal's answers to the
// program's queries go back as input.
type term struct {
	t       *testing.T
	client  *gossh.Client
	sess    *gossh.Session
	in      io.WriteCloser
	screen  *vt.Emulator  // under mu, but for the reply pipe it reads itself
	changed chan struct{} // a value after each write to the screen
	ended   chan struct{} // closed once the server's output has ended

	mu     sync.Mutex   // guards screen, raw and stderr
	raw    bytes.Buffer // everything the server wrote to the terminal
	stderr bytes.Buffer
}

// dial connects as user with key (nil: keyboard-interactive, no key),
// checking the host key against the server's fingerprint.
func (r *rig) dial(user string, key gossh.Signer) *gossh.Client {
	r.t.Helper()
	auth := []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })}
	if key != nil {
		auth = []gossh.AuthMethod{gossh.PublicKeys(key)}
	}
	want := r.srv.HostKeyFingerprint()
	c, err := gossh.Dial("tcp", r.addr, &gossh.ClientConfig{
		User: user, Auth: auth, Timeout: waitLimit,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(k); got != want {
				return fmt.Errorf("host key %s, want %s", got, want)
			}
			return nil
		},
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

// open starts a shell with a PTY of w×h cells, on a terminal that says
// it is xterm-256color with true colour.
func (r *rig) open(user string, key gossh.Signer, w, h int) *term {
	r.t.Helper()
	return r.openAs("xterm-256color", "truecolor", user, key, w, h)
}

// openAs is open on a terminal that says it is termName, with COLORTERM
// colorTerm unless that is empty.
func (r *rig) openAs(termName, colorTerm, user string, key gossh.Signer, w, h int) *term {
	r.t.Helper()
	c := r.dial(user, key)
	sess, err := c.NewSession()
	if err != nil {
		r.t.Fatal(err)
	}
	if colorTerm != "" {
		if err := sess.Setenv("COLORTERM", colorTerm); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := sess.RequestPty(termName, h, w, gossh.TerminalModes{}); err != nil {
		r.t.Fatal(err)
	}
	tm := &term{t: r.t, client: c, sess: sess, screen: vt.NewEmulator(w, h),
		changed: make(chan struct{}, 1), ended: make(chan struct{})}
	sess.Stderr = lockedWriter{&tm.mu, &tm.stderr}
	if tm.in, err = sess.StdinPipe(); err != nil {
		r.t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		r.t.Fatal(err)
	}
	go tm.draw(out)
	go answer(tm.in, tm.screen)
	r.t.Cleanup(tm.close)
	return tm
}

// draw copies the server's output onto the screen.
func (tm *term) draw(out io.Reader) {
	defer close(tm.ended)
	buf := make([]byte, 32<<10)
	for {
		n, err := out.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			tm.screen.Write(buf[:n])
			tm.raw.Write(buf[:n])
			tm.mu.Unlock()
			select {
			case tm.changed <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// answer sends the terminal's replies to the program's queries back as
// input. It ends with the test binary: the emulator's reply pipe cannot be
// closed while it is read without a data race, so TestMain lets it be.
func answer(in io.Writer, screen *vt.Emulator) {
	buf := make([]byte, 1024)
	for {
		n, err := screen.Read(buf)
		if err != nil {
			return
		}
		if _, err := in.Write(buf[:n]); err != nil {
			continue // the session is gone; keep draining so the screen never blocks
		}
	}
}

func (tm *term) close() {
	tm.sess.Close()
	tm.client.Close()
	<-tm.ended
}

// text is the screen's text, without styles, read cell by cell.
func (tm *term) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	var b strings.Builder
	w, h := tm.screen.Width(), tm.screen.Height()
	for y := range h {
		for x := range w {
			c := tm.screen.CellAt(x, y)
			switch {
			case c == nil:
				b.WriteByte(' ')
			case c.Width == 0:
				// the rest of a wide character
			case c.Content == "":
				b.WriteByte(' ')
			default:
				b.WriteString(c.Content)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// waitFor waits until the screen shows s.
func (tm *term) waitFor(s string) {
	tm.t.Helper()
	deadline := time.After(waitLimit)
	for !strings.Contains(tm.text(), s) {
		select {
		case <-tm.changed:
		case <-tm.ended:
			if strings.Contains(tm.text(), s) {
				return
			}
			tm.t.Fatalf("the session ended before the screen showed %q; screen:\n%s\nstderr: %s", s, tm.text(), tm.errText())
		case <-deadline:
			tm.t.Fatalf("the screen never showed %q; screen:\n%s", s, tm.text())
		}
	}
}

// keys types s.
func (tm *term) keys(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, s); err != nil {
		tm.t.Fatal(err)
	}
}

// resize tells the server the window is now w×h, as a terminal would.
func (tm *term) resize(w, h int) {
	tm.t.Helper()
	tm.mu.Lock()
	tm.screen.Resize(w, h)
	tm.mu.Unlock()
	if err := tm.sess.WindowChange(h, w); err != nil {
		tm.t.Fatal(err)
	}
}

// waitEnd waits for the session to end and returns its exit error.
func (tm *term) waitEnd() error {
	tm.t.Helper()
	done := make(chan error, 1)
	go func() { done <- tm.sess.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(waitLimit):
		tm.t.Fatalf("the session never ended; screen:\n%s", tm.text())
		return nil
	}
}

// rawOutput is everything the server has written to the terminal.
func (tm *term) rawOutput() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.raw.String()
}

func (tm *term) errText() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// exitStatus is a session's exit status, -1 when it has none.
func exitStatus(err error) int {
	var exit *gossh.ExitError
	if errors.As(err, &exit) {
		return exit.ExitStatus()
	}
	if err == nil {
		return 0
	}
	return -1
}
