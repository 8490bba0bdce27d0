package sshshow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/livecart/livecart/cart"
)

// Defaults of Config's limits.
const (
	// DefaultMaxSessions is how many SSH sessions may run at once. Each
	// holds a viewer program and a WebSocket to the show.
	DefaultMaxSessions = 200
	// DefaultMaxPerAddr is how many connections, and sessions, one client
	// address may hold at once.
	DefaultMaxPerAddr = 8
	// DefaultSessionRate is how many new sessions a second the server
	// starts, in the long run; DefaultSessionBurst may come at once.
	DefaultSessionRate  rate.Limit = 5
	DefaultSessionBurst            = 20
	// DefaultIdleTimeout ends a session in which no key has been pressed
	// for this long.
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultMaxSession ends any session after this long.
	DefaultMaxSession = 8 * time.Hour
)

// handshakeTimeout bounds the SSH handshake and authentication.
const handshakeTimeout = 30 * time.Second

// stopGrace is how long a stopping server gives its sessions' programs to
// put their clients' terminals back before it closes the connections.
const stopGrace = 3 * time.Second

// Config says which show the sessions watch and how much the server
// takes on.
type Config struct {
	// ShowURL is the show's WebSocket URL (ws://…/ws) that each session's
	// viewer dials, normally on loopback.
	ShowURL string
	// StateDir keeps the host key, the identity key and the carts; it is
	// made if missing.
	StateDir string
	Theme    string // the viewer's theme: "auto" (or empty), "dark" or "light"
	Logger   *slog.Logger

	MaxSessions  int           // 0: DefaultMaxSessions
	MaxPerAddr   int           // 0: DefaultMaxPerAddr
	SessionRate  rate.Limit    // 0: DefaultSessionRate
	SessionBurst int           // 0: DefaultSessionBurst
	IdleTimeout  time.Duration // 0: DefaultIdleTimeout
	MaxSession   time.Duration // 0: DefaultMaxSession
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Theme == "" {
		c.Theme = "auto"
	}
	c.MaxSessions = orDefault(c.MaxSessions, DefaultMaxSessions)
	c.MaxPerAddr = orDefault(c.MaxPerAddr, DefaultMaxPerAddr)
	c.SessionBurst = orDefault(c.SessionBurst, DefaultSessionBurst)
	c.IdleTimeout = orDefault(c.IdleTimeout, DefaultIdleTimeout)
	c.MaxSession = orDefault(c.MaxSession, DefaultMaxSession)
	if c.SessionRate <= 0 {
		c.SessionRate = DefaultSessionRate
	}
	return c
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Server serves the viewer to SSH sessions.
type Server struct {
	cfg         Config
	log         *slog.Logger
	ssh         *ssh.Server
	secret      []byte
	carts       cart.Store
	fingerprint string

	conns       *gate // open connections, counted before the handshake
	sessions    *gate // running viewer programs
	newSessions *rate.Limiter

	mu      sync.Mutex
	closing bool
	live    map[*session]struct{} // sessions admitted and not yet ended, under mu
	running sync.WaitGroup        // session handlers

	beforeProgram func(ssh.Session) // tests make a session panic here; nil otherwise
}

// New prepares the server: the state directory, the host key (made on
// first start) and the identity key.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if cfg.ShowURL == "" {
		return nil, errors.New("ssh: no show URL")
	}
	if cfg.StateDir == "" {
		return nil, errors.New("ssh: no state directory")
	}
	if err := os.MkdirAll(filepath.Join(cfg.StateDir, cartsDir), stateDirPerm); err != nil {
		return nil, fmt.Errorf("ssh state directory: %w", err)
	}
	secret, err := loadSecret(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, secret: secret,
		carts:       cart.Store{Dir: filepath.Join(cfg.StateDir, cartsDir)},
		conns:       newGate(cfg.MaxPerAddr, cfg.MaxSessions),
		sessions:    newGate(cfg.MaxPerAddr, cfg.MaxSessions),
		newSessions: rate.NewLimiter(cfg.SessionRate, cfg.SessionBurst),
		live:        map[*session]struct{}{},
	}
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(filepath.Join(cfg.StateDir, hostKeyFile)),
		// Any key is welcome: the key is who the viewer is, not a
		// permission. A client with no key gets in as someone new.
		wish.WithPublicKeyAuth(func(ssh.Context, ssh.PublicKey) bool { return true }),
		wish.WithKeyboardInteractiveAuth(func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }),
		wish.WithMaxTimeout(cfg.MaxSession+time.Minute), // a backstop: the session ends itself first, cleanly
		ssh.WrapConn(s.admitConn),
		wish.WithMiddleware(recover.MiddlewareWithLogger(recoverLog{s.log},
			bubbletea.MiddlewareWithProgramHandler(s.program),
			s.admitSession,
			requirePTY,
		)),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	srv.HandshakeTimeout = handshakeTimeout
	if len(srv.HostSigners) == 0 {
		return nil, errors.New("ssh: no host key")
	}
	s.ssh = srv
	s.fingerprint = gossh.FingerprintSHA256(srv.HostSigners[0].PublicKey())
	return s, nil
}

// HostKeyFingerprint is the SHA-256 fingerprint of the host key, as ssh
// shows it on first connecting, for users to check.
func (s *Server) HostKeyFingerprint() string { return s.fingerprint }

// Serve accepts SSH connections on ln until ctx ends. Then it quits every
// session's program, so each client's terminal is put back as it was and
// told why, waits for them (at most stopGrace), closes every connection
// and returns once every session has ended.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	served := make(chan error, 1)
	go func() { served <- s.ssh.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	s.mu.Lock()
	s.closing = true
	sessions := make([]*session, 0, len(s.live))
	for st := range s.live {
		sessions = append(sessions, st)
	}
	s.mu.Unlock()
	for _, st := range sessions {
		st.endWith("the server is stopping")
	}
	ended := make(chan struct{})
	go func() {
		s.running.Wait()
		close(ended)
	}()
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	select {
	case <-ended:
	case <-grace.C:
	}
	s.ssh.Close()
	if ctx.Err() != nil {
		<-served
	}
	<-ended
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	return err
}

// admitConn counts a new connection against the caps before its
// handshake; nil closes it.
func (s *Server) admitConn(_ ssh.Context, conn net.Conn) net.Conn {
	release, ok := s.conns.acquire(conn.RemoteAddr())
	if !ok {
		s.log.Warn("ssh connection refused: too many", "remote", conn.RemoteAddr().String())
		return nil
	}
	return gatedConn{Conn: conn, release: release}
}

// requirePTY refuses a session without a terminal (ssh -T, a command)
// in one line, before anything is started for it.
func requirePTY(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			wish.Fatalln(sess, "livecart: the show needs a terminal; connect with ssh -t, not ssh -T or a command")
			return
		}
		next(sess)
	}
}

// recoverLog hands the recover middleware's report of a panic to the log.
type recoverLog struct{ log *slog.Logger }

func (r recoverLog) Printf(format string, v ...any) {
	r.log.Error("ssh session panicked", "panic", fmt.Sprintf(format, v...))
}
