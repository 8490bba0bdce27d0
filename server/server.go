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
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

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

// Config says what the show sells and how the server behaves.
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
	// Logger receives connects, disconnects and evictions; nil discards
	// them. The server never writes to stdout or stderr.
	Logger *slog.Logger
	// Now stamps events; nil means time.Now.
	Now func() time.Time
}

// variantRef locates a variant in Server.products.
type variantRef struct{ product, variant int }

// Server is a running show. It is an http.Handler; use Serve to run it on a
// listener with sensible timeouts, or mount it in a server of your own and
// call Close when done.
type Server struct {
	log       *slog.Logger
	now       func() time.Time
	hostToken []byte
	publicURL string
	sendQueue int
	show      protocol.ShowInfo
	currency  string
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
	chat          chatRing
	chatIDs       uint64
	carts         map[string]cartCount // by product ID
	conns         map[*conn]struct{}   // every upgraded connection, joined or not
	viewers       int                  // joined viewer-role connections
	viewersSent   int                  // the count last announced
	viewersSentAt time.Time
	viewersTimer  *time.Timer // pending announcement, or nil
	afterUnlock   []func()    // logging owed by the current critical section
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
	s := &Server{
		log:       cfg.Logger,
		now:       cfg.Now,
		hostToken: []byte(cfg.HostToken),
		publicURL: public,
		sendQueue: cfg.SendQueue,
		show:      cfg.Catalog.Show,
		currency:  cfg.Catalog.Products[0].Price.Currency,
		productAt: make(map[string]int, len(cfg.Catalog.Products)),
		variantAt: make(map[string]variantRef),
		products:  clone(cfg.Catalog.Products),
		carts:     make(map[string]cartCount),
		conns:     make(map[*conn]struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sendQueue == 0 {
		s.sendQueue = defaultSendQueue
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
		CheckOrigin:       checkOrigin,
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

// checkOrigin lets native clients in (they send no Origin) and browsers only
// from a page of this same server: any other site could otherwise open a
// socket with its visitor's network position.
func checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
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
