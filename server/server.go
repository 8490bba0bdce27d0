// Package server runs a livecart show: it holds the show's state (stock, the
// pinned product, recent chat, the audience), applies the commands clients
// send over WebSocket, broadcasts the resulting events to every connection,
// and serves the demo store's checkout page.
//
// One mutex owns the show state and the set of connections and is never held
// across I/O. Each connection has a read loop and a write loop; every frame to
// a client goes through its bounded send queue, and a client whose queue
// overflows is evicted with protocol.CloseSlowConsumer instead of slowing the
// show down for everyone else.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/livecart/livecart/protocol"
)

const (
	// defaultSendQueue is the send queue, in frames, when Config leaves it
	// zero: a few seconds of a busy chat, far more than a client that keeps
	// up ever holds.
	defaultSendQueue = 256
	// viewersInterval is the shortest time between two viewers events, so a
	// connect storm costs the audience one event, not one per connection.
	viewersInterval = 500 * time.Millisecond
	// closeWait bounds the closing handshake: writing our close frame and
	// waiting for the peer's answer. It is what a dead or stalled peer can
	// cost a shutdown.
	closeWait = 2 * time.Second
	// shutdownWait bounds http.Server.Shutdown for plain HTTP requests.
	shutdownWait = 5 * time.Second
	// idleTimeout closes keep-alive HTTP connections nobody uses.
	idleTimeout = 2 * time.Minute
	// maxBadCommands is how many malformed or unknown commands one
	// connection may send before it is closed with protocol.ClosePolicy.
	maxBadCommands = 10
)

// Config says what the show sells and how the server behaves. Zero values
// mean the documented defaults.
type Config struct {
	// Catalog is the show and what it sells; New copies it.
	Catalog Catalog
	// HostToken gives the host role to a hello that carries it. Empty means
	// nobody can be host.
	HostToken string
	// PublicURL is the base of checkout links, e.g. http://127.0.0.1:7420.
	// Empty means each connection's link is built from its request's Host.
	PublicURL string
	// SendQueue is how many frames may wait for one client before it is
	// evicted as a slow consumer. Zero means 256.
	SendQueue int
	// History is how many recent show events are kept to replay to clients
	// that resume after a drop. Zero means protocol.HistorySize.
	History int
	// AllowedOrigins are the browser origins, besides the server's own
	// host, that may open a socket: origins such as "https://shop.example"
	// or bare hosts such as "shop.example:8443". Requests without an Origin
	// (native clients) are always allowed.
	AllowedOrigins []string
	// MaxConns caps open WebSockets in total; zero means DefaultMaxConns
	// and a negative value means no cap.
	MaxConns int
	// MaxConnsPerIP caps open WebSockets from one remote IP; zero means
	// DefaultMaxConnsPerIP and a negative value means no cap. A demo that
	// runs its simulated audience from one machine needs at least the
	// audience plus a few.
	MaxConnsPerIP int
	// ChatRate limits one connection's say commands; zero fields mean 2 a
	// second with bursts of 5.
	ChatRate Rate
	// CommandRate limits all of one connection's commands; zero fields mean
	// 20 a second with bursts of 40.
	CommandRate Rate
	// RateStrikes is how many commands one connection may have dropped for
	// going over a rate within a minute before it is closed with
	// protocol.CloseRateLimited. Zero means DefaultRateStrikes; negative
	// means never.
	RateStrikes int
	// PingPeriod is how often the server pings each client; a client heard
	// nothing from for two periods is closed. Zero means
	// protocol.PingPeriod.
	PingPeriod time.Duration
	// Logger receives connects, disconnects and evictions; nil discards
	// them. The server never writes to stdout or stderr.
	Logger *slog.Logger
	// Now stamps events; nil means time.Now.
	Now func() time.Time
}

// Rate is a token bucket: PerSecond commands on average, up to Burst at
// once. A PerSecond of math.Inf(1) turns the limit off.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Defaults for the Config fields left zero.
const (
	// DefaultMaxConns is the cap on open WebSockets in total.
	DefaultMaxConns = 20_000
	// DefaultMaxConnsPerIP is the cap on open WebSockets from one IP: a
	// household or an office behind one address, not a botnet of one.
	DefaultMaxConnsPerIP = 64
	// DefaultRateStrikes is how many commands a connection may have
	// dropped within a minute before it is closed.
	DefaultRateStrikes = 20
)

var (
	defaultChatRate    = Rate{PerSecond: 2, Burst: 5}
	defaultCommandRate = Rate{PerSecond: 20, Burst: 40}
)

// orDefault fills r's zero fields from def.
func (r Rate) orDefault(def Rate) (Rate, error) {
	if r.PerSecond < 0 || math.IsNaN(r.PerSecond) || r.Burst < 0 {
		return r, fmt.Errorf("rate %v a second, burst %d: must not be negative", r.PerSecond, r.Burst)
	}
	if r.PerSecond == 0 {
		r.PerSecond = def.PerSecond
	}
	if r.Burst == 0 {
		r.Burst = def.Burst
	}
	return r, nil
}

// limiter returns a fresh token bucket for r, full.
func (r Rate) limiter() *rate.Limiter {
	return rate.NewLimiter(rate.Limit(r.PerSecond), r.Burst)
}

// orDefaultCap turns a zero cap into def and a negative one into "none".
func orDefaultCap(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return math.MaxInt
	}
	return n
}

// variantRef locates a variant in Server.products.
type variantRef struct{ product, variant int }

// Server is a running show. It is an http.Handler; use Serve to run it on a
// listener with sensible timeouts, or mount it in a server of your own and
// call Close when done.
type Server struct {
	log         *slog.Logger
	now         func() time.Time
	hostToken   []byte
	publicURL   string
	sendQueue   int
	show        protocol.ShowInfo
	hostName    string // the host's display name
	hostSkel    string // its skeleton, which no viewer's name may have
	currency    string
	epoch       string // names this server's history; see protocol.Resume
	origins     map[string]bool
	maxConns    int
	maxPerIP    int
	chatRate    Rate
	commandRate Rate
	rateStrikes int
	pingPeriod  time.Duration
	// Products are never added or reordered while the show runs, so these
	// indexes are fixed by New and read without the lock.
	productAt map[string]int
	variantAt map[string]variantRef
	upgrader  websocket.Upgrader
	mux       *http.ServeMux
	ids       atomic.Uint64 // numbers identities

	// wg counts connection goroutines and a pending viewers announcement.
	// Add is only called with mu held and closed false, so a Wait that
	// starts after closed is set cannot miss a goroutine.
	wg sync.WaitGroup

	mu sync.Mutex
	// Everything below is guarded by mu.
	closed        bool
	products      []protocol.Product // live stock; names and prices as in the catalog
	pinned        *protocol.Pin
	seq           uint64 // seq of the last show event
	history       history
	chat          chatRing
	chatIDs       uint64
	carts         map[string]cartCount // by product ID
	conns         map[*conn]struct{}   // every upgraded connection, joined or not
	viewers       int                  // joined viewer-role connections
	viewersSent   int                  // the count last announced
	viewersSentAt time.Time
	viewersTimer  *time.Timer    // pending announcement, or nil
	afterUnlock   []func()       // logging owed by the current critical section
	open          int            // sockets admitted and not yet ended
	openPerIP     map[string]int // the same, by remote IP
}

// New returns a server for cfg's show. It refuses an invalid catalog or
// public URL; nothing runs until connections arrive.
func New(cfg Config) (*Server, error) {
	if err := cfg.Catalog.Validate(); err != nil {
		return nil, fmt.Errorf("new server: catalog: %w", err)
	}
	public, err := checkPublicURL(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	if cfg.SendQueue < 0 {
		return nil, fmt.Errorf("new server: send queue %d is negative", cfg.SendQueue)
	}
	if cfg.History < 0 {
		return nil, fmt.Errorf("new server: history %d is negative", cfg.History)
	}
	if cfg.PingPeriod < 0 {
		return nil, fmt.Errorf("new server: ping period %s is negative", cfg.PingPeriod)
	}
	origins, err := parseOrigins(cfg.AllowedOrigins)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	chatRate, err := cfg.ChatRate.orDefault(defaultChatRate)
	if err != nil {
		return nil, fmt.Errorf("new server: chat %w", err)
	}
	commandRate, err := cfg.CommandRate.orDefault(defaultCommandRate)
	if err != nil {
		return nil, fmt.Errorf("new server: command %w", err)
	}
	hostName := cmp.Or(cfg.Catalog.Show.Host, "host")
	s := &Server{
		log:         cfg.Logger,
		now:         cfg.Now,
		hostToken:   []byte(cfg.HostToken),
		publicURL:   public,
		sendQueue:   cmp.Or(cfg.SendQueue, defaultSendQueue),
		show:        cfg.Catalog.Show,
		hostName:    hostName,
		hostSkel:    skeleton(hostName),
		currency:    cfg.Catalog.Products[0].Price.Currency,
		epoch:       newEpoch(),
		origins:     origins,
		maxConns:    orDefaultCap(cfg.MaxConns, DefaultMaxConns),
		maxPerIP:    orDefaultCap(cfg.MaxConnsPerIP, DefaultMaxConnsPerIP),
		chatRate:    chatRate,
		commandRate: commandRate,
		rateStrikes: orDefaultCap(cfg.RateStrikes, DefaultRateStrikes),
		pingPeriod:  cmp.Or(cfg.PingPeriod, protocol.PingPeriod),
		productAt:   make(map[string]int, len(cfg.Catalog.Products)),
		variantAt:   make(map[string]variantRef),
		products:    clone(cfg.Catalog.Products),
		history:     newHistory(cmp.Or(cfg.History, protocol.HistorySize)),
		carts:       make(map[string]cartCount),
		conns:       make(map[*conn]struct{}),
		openPerIP:   make(map[string]int),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	for i, p := range s.products {
		s.productAt[p.ID] = i
		for j, v := range p.Variants {
			s.variantAt[v.ID] = variantRef{product: i, variant: j}
		}
	}
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout:  5 * time.Second,
		EnableCompression: false,
		// serveWS has already checked the origin, before counting the
		// connection against the caps.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /cart/{items...}", s.serveCheckout)
	s.mux.HandleFunc("GET /healthz", serveHealth)
	s.mux.HandleFunc("/", http.NotFound)
	return s, nil
}

// checkPublicURL returns raw without a trailing slash, or an error when it
// cannot be the base of a checkout link.
func checkPublicURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("public URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("public URL %q: scheme must be http or https", raw)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("public URL %q: want scheme://host[:port][/path] only", raw)
	}
	base := strings.TrimRight(raw, "/")
	if len(base)+len("/cart/"+protocol.CheckoutPlaceholder) > protocol.MaxCheckoutURLBytes {
		return "", fmt.Errorf("public URL is longer than %d bytes", protocol.MaxCheckoutURLBytes)
	}
	return base, nil
}

// ServeHTTP serves GET /ws (the show's WebSocket), GET /cart/{items} (the
// checkout page) and GET /healthz; everything else is 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok")
}

// Serve serves the show on ln until ctx is done. It then closes every
// WebSocket with protocol.CloseGoingAway, shuts the HTTP server down, waits
// for every connection goroutine to end and returns nil. It returns an error
// only when ln fails first. Either way the server is closed afterwards, as
// by Close.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    16 << 10,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	var failed error
	select {
	case err := <-served:
		failed = fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.closeSockets()
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		// Requests still running after the deadline are cut off.
		_ = hs.Close()
	}
	if failed == nil {
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			failed = fmt.Errorf("serve on %s: %w", ln.Addr(), err)
		}
	}
	s.wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return failed
}

// Close closes every WebSocket with protocol.CloseGoingAway, refuses new
// ones, and waits for every connection goroutine to end. It is safe to call
// more than once and from several goroutines. The http.Server that serves s
// is not touched: Serve shuts its own down, and whoever mounted s otherwise
// owns theirs.
func (s *Server) Close() {
	s.closeSockets()
	s.wg.Wait()
}

// closeSockets is the part of Close that does not wait.
func (s *Server) closeSockets() {
	s.locked(func() {
		if s.closed {
			return
		}
		s.closed = true
		if s.viewersTimer != nil && s.viewersTimer.Stop() {
			s.wg.Done() // the announcement will never run to do it
		}
		s.viewersTimer = nil
		for c := range s.conns {
			s.endLocked(c, protocol.CloseGoingAway, "the show server is shutting down")
		}
	})
}

// Stock returns the stock of a variant, and false for an unknown variant.
func (s *Server) Stock(variantID string) (int, bool) {
	ref, ok := s.variantAt[variantID]
	if !ok {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.products[ref.product].Variants[ref.variant].Stock, true
}

// Epoch returns the name of this server's show history. Clients resume
// only within one epoch; it changes whenever history is lost.
func (s *Server) Epoch() string { return s.epoch }

// Viewers returns how many viewers are connected now. It may be ahead of
// the last viewers event, which is rate limited.
func (s *Server) Viewers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewers
}

// Pinned returns the pinned product, and false when nothing is pinned.
func (s *Server) Pinned() (protocol.Pin, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pinned == nil {
		return protocol.Pin{}, false
	}
	return *s.pinned, true
}

// CartSignals returns how many units of a product viewers have put into and
// taken out of their carts, as told by their cart commands.
func (s *Server) CartSignals(productID string) (adds, removes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.carts[productID]
	return c.adds, c.removes
}
