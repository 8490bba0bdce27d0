package sshshow

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/viewer"
)

// errNoBrowser is what the checkout opener says: the browser that matters
// is on the viewer's machine, never the server's.
var errNoBrowser = errors.New("checkout over SSH opens no browser here; use the link")

// sessionKey finds a session's state in its SSH context.
type sessionKey struct{}

// session is what one SSH session runs, from its admission to its end.
type session struct {
	mu      sync.Mutex
	screen  live.Screen  // the newest screen, once the program is built
	viewer  live.Session // the viewer's link to the show
	cancel  context.CancelFunc
	program *tea.Program
	timers  []*time.Timer
	ending  string // why the server ended it, said once the screen is gone
}

// setScreen records the screen the program holds now.
func (st *session) setScreen(s live.Screen) {
	st.mu.Lock()
	st.screen = s
	st.mu.Unlock()
}

// endWith quits the program, saying why once its screen is gone.
func (st *session) endWith(why string) {
	st.mu.Lock()
	st.ending = why
	p := st.program
	st.mu.Unlock()
	if p != nil {
		p.Quit()
	}
}

// finish releases what the session holds, once its program has exited,
// and tells the user why the server ended it, if it did.
func (st *session) finish(sess ssh.Session) {
	st.mu.Lock()
	for _, t := range st.timers {
		t.Stop()
	}
	screen, link, cancel, ending := st.screen, st.viewer, st.cancel, st.ending
	st.mu.Unlock()
	if screen == nil {
		return
	}
	screen.Close() // the cart's last save
	link.Close()
	cancel()
	switch {
	case ending != "":
		wish.Println(sess, "livecart: "+ending+"\r")
	case screen.Err() != nil:
		wish.Println(sess, "livecart: "+screen.Err().Error()+"\r")
	}
}

// admitSession lets a session in under the rate and the caps, tracks it
// until it ends, and releases what it ran once it has.
func (s *Server) admitSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if !s.newSessions.Allow() {
			wish.Fatalln(sess, "livecart: too many people are joining right now; try again in a minute")
			return
		}
		release, ok := s.sessions.acquire(sess.RemoteAddr())
		if !ok {
			wish.Fatalln(sess, "livecart: too many sessions, from your address or in all; try again later")
			return
		}
		defer release()
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			wish.Fatalln(sess, "livecart: the server is stopping")
			return
		}
		st := &session{}
		s.running.Add(1)
		s.live[st] = struct{}{}
		s.mu.Unlock()
		defer s.running.Done()
		defer func() {
			s.mu.Lock()
			delete(s.live, st)
			s.mu.Unlock()
		}()
		sess.Context().SetValue(sessionKey{}, st)
		defer st.finish(sess)
		defer func() {
			// The recover middleware keeps the server up; this tells the
			// user, and lets finish release what the session had started.
			if v := recover(); v != nil {
				s.log.Error("ssh session panicked", "user", sess.User(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				wish.Fatalln(sess, "livecart: this session failed; connect again")
			}
		}()
		start := time.Now()
		s.log.Info("ssh session", "user", sess.User(), "remote", sess.RemoteAddr().String(), "key", keyOf(sess))
		next(sess)
		s.log.Info("ssh session ended", "user", sess.User(), "remote", sess.RemoteAddr().String(), "after", time.Since(start).Round(time.Second))
	}
}

// asksForStillness reports whether a session's environment turns the
// animations off: NO_COLOR set, or LIVECART_REDUCED_MOTION true.
func asksForStillness(env []string) bool {
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "NO_COLOR":
			if v != "" {
				return true
			}
		case "LIVECART_REDUCED_MOTION":
			if on, err := strconv.ParseBool(v); err == nil && on {
				return true
			}
		}
	}
	return false
}

// keyOf is a session's key fingerprint for the log, or "none".
func keyOf(sess ssh.Session) string {
	if key := sess.PublicKey(); key != nil {
		return gossh.FingerprintSHA256(key)
	}
	return "none"
}

// program builds the viewer's program for a session: its own viewer with
// the key's identity and carts, the session's terminal, input and colours.
func (s *Server) program(sess ssh.Session) *tea.Program {
	st, ok := sess.Context().Value(sessionKey{}).(*session)
	if !ok {
		return nil
	}
	if s.beforeProgram != nil {
		s.beforeProgram(sess)
	}
	id := identify(s.secret, sess)
	ctx, cancel := context.WithCancel(sess.Context())
	app := viewer.App(viewer.Options{
		URL:         s.cfg.ShowURL,
		Name:        id.name,
		ClientID:    id.clientID,
		Theme:       s.cfg.Theme,
		OpenBrowser: false,
		Opener:      checkout.OpenerFunc(func(string) error { return errNoBrowser }),
		Carts:       cartsFor(s.carts, id),
		Logger:      s.log.With("ssh_user", sess.User()),
		Tick:        tickUntil(ctx),
		// What the client's terminal asks for: `ssh -o SetEnv=NO_COLOR=1`
		// or LIVECART_REDUCED_MOTION=1 (where the server accepts them).
		ReducedMotion: asksForStillness(sess.Environ()),
	})
	screen, link := app.Open(ctx)
	// The timers are set once the program they quit is recorded.
	idle := time.AfterFunc(math.MaxInt64, func() {
		st.endWith("closed after " + s.cfg.IdleTimeout.String() + " without a key pressed")
	})
	longest := time.AfterFunc(math.MaxInt64, func() {
		st.endWith("closed: a session lasts at most " + s.cfg.MaxSession.String())
	})
	opts := append(bubbletea.MakeOptions(sess),
		// The program's input is the session, with the idle clock on it;
		// the server's own signals are not the session's business.
		tea.WithInput(idleInput{Reader: sess, timer: idle, after: s.cfg.IdleTimeout}),
		tea.WithoutSignalHandler(),
	)
	p := tea.NewProgram(tracked{screen: screen, st: st}, opts...)
	st.mu.Lock()
	st.screen, st.viewer, st.cancel, st.program = screen, link, cancel, p
	st.timers = append(st.timers, idle, longest)
	stopping := st.ending != ""
	st.mu.Unlock()
	if stopping {
		// Ended while it was being built: it quits as soon as it runs.
		go p.Quit()
	}
	idle.Reset(s.cfg.IdleTimeout)
	longest.Reset(s.cfg.MaxSession)
	return p
}

// tickUntil is tea.Tick whose timers end with ctx: a program that has
// exited leaves no timer behind, however long the one it asked for.
func tickUntil(ctx context.Context) func(time.Duration, func(time.Time) tea.Msg) tea.Cmd {
	return func(d time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case now := <-t.C:
				return f(now)
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// tracked runs a screen and records each new one, so the session closes
// the screen the program ended with (its cart, its error).
type tracked struct {
	screen live.Screen
	st     *session
}

func (t tracked) Init() tea.Cmd { return t.screen.Init() }

func (t tracked) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := t.screen.Update(msg)
	if s, ok := m.(live.Screen); ok {
		t.screen = s
		t.st.setScreen(s)
	}
	return t, cmd
}

func (t tracked) View() tea.View { return t.screen.View() }
