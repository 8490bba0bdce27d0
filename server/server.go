// Package server runs a livecart show: it holds the show's state (stock,
// prices and flash deals, the pinned product and what is up next, recent
// chat and the host's chat rules, the audience), applies the commands
// clients send over WebSocket, broadcasts the resulting events to every
// connection in batches (hub.go), sends the host live metrics, and serves the demo store's
// checkout page and the orders placed from it.
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
	// zero. A frame is a whole batch of events, and the queue only fills
	// once the socket's kernel buffer has, so a client that keeps up never
	// comes near it; every place costs each connection 24 bytes.
	defaultSendQueue = 32
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
	publicHost  string // PublicURL's host, which a checkout form may also come from
	sendQueue   int
	show        protocol.ShowInfo
	hostName    string   // the host's display name
	hostKeys    []string // its keys, which no viewer's whole name may have
	currency    string
	epoch       string // names this server's history; see protocol.Resume
	idSalt      []byte // secret, so nobody can choose a client ID that lands on another's identity
	origins     map[string]bool
	hostNames   hostRule // the Host names it answers to
	maxConns    int
	maxPerIP    int
	chatRate    Rate
	commandRate Rate
	orderRate   Rate
	chatCap     *rate.Limiter // the show's chat cap; guarded by mu
	rateStrikes int
	pingPeriod  time.Duration
	orders      orderLog
	// Products are never added or reordered while the show runs, so these
	// indexes are fixed by New and read without the lock.
	productAt map[string]int
	variantAt map[string]variantRef
	upgrader  websocket.Upgrader
	mux       *http.ServeMux
	ids       atomic.Uint64 // numbers identities

	// wg counts connection goroutines, a pending viewers announcement, a
	// pending deal timer and the metrics loop. Add is only called with mu
	// held and closed false, so a Wait that starts after closed is set
	// cannot miss a goroutine.
	wg sync.WaitGroup

	// flushMu makes flushes take turns; fanout is the flusher's list of
	// connections to offer a batch to, reused from batch to batch.
	flushMu sync.Mutex
	fanout  []*conn

	mu sync.Mutex
	// Everything below is guarded by mu.
	closed        bool
	products      []protocol.Product // live stock, prices and deals
	pinned        *protocol.Pin
	upNext        []string // product IDs the host queued
	seq           uint64   // seq of the last show event
	history       history
	chat          chatRing
	chatIDs       uint64
	mod           moderation
	deals         deals
	tally         tally
	orderIDs      uint64
	orderLimits   ipLimits
	tokenGuesses  ipLimits           // wrong host tokens, by address
	conns         map[*conn]struct{} // every upgraded connection, joined or not
	viewers       int                // joined viewer-role connections
	hosts         int                // joined host-role connections
	joins         uint64             // connections that have joined so far
	viewersSent   int                // the count last announced
	viewersSentAt time.Time
	viewersTimer  *time.Timer    // pending announcement, or nil
	metricsOn     bool           // the metrics loop runs
	metricsStop   chan struct{}  // closed to stop it
	metricsEvery  time.Duration  // how often it sends
	afterUnlock   []func()       // logging owed by the current critical section
	out           outbox         // events waiting for the next batch
	pingStop      chan struct{}  // closed to stop the pinger; nil until it starts
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
	hostNames, err := newHostRule(cfg.AllowedHosts, public)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	if cfg.HostToken != "" {
		if err := CheckHostToken(cfg.HostToken); err != nil {
			return nil, fmt.Errorf("new server: %w", err)
		}
	}
	chatRate, err := cfg.ChatRate.orDefault(defaultChatRate)
	if err != nil {
		return nil, fmt.Errorf("new server: chat %w", err)
	}
	commandRate, err := cfg.CommandRate.orDefault(defaultCommandRate)
	if err != nil {
		return nil, fmt.Errorf("new server: command %w", err)
	}
	orderRate, err := cfg.OrderRate.orDefault(defaultOrderRate)
	if err != nil {
		return nil, fmt.Errorf("new server: order %w", err)
	}
	hostName := cmp.Or(cfg.Catalog.Show.Host, "host")
	s := &Server{
		log:          cfg.Logger,
		now:          cfg.Now,
		hostToken:    []byte(cfg.HostToken),
		publicURL:    public,
		publicHost:   hostOf(public),
		sendQueue:    cmp.Or(cfg.SendQueue, defaultSendQueue),
		show:         cfg.Catalog.Show,
		hostName:     hostName,
		hostKeys:     hostKeys(hostName),
		currency:     cfg.Catalog.Products[0].Price.Currency,
		epoch:        newEpoch(),
		idSalt:       newSalt(),
		origins:      origins,
		hostNames:    hostNames,
		maxConns:     orDefaultCap(cfg.MaxConns, DefaultMaxConns),
		maxPerIP:     orDefaultCap(cfg.MaxConnsPerIP, DefaultMaxConnsPerIP),
		chatRate:     chatRate,
		commandRate:  commandRate,
		orderRate:    orderRate,
		chatCap:      newChatCap(cfg.ChatCap),
		rateStrikes:  orDefaultCap(cfg.RateStrikes, DefaultRateStrikes),
		pingPeriod:   cmp.Or(cfg.PingPeriod, protocol.PingPeriod),
		productAt:    make(map[string]int, len(cfg.Catalog.Products)),
		variantAt:    make(map[string]variantRef),
		products:     clone(cfg.Catalog.Products),
		history:      newHistory(cmp.Or(cfg.History, protocol.HistorySize)),
		mod:          newModeration(),
		deals:        newDeals(len(cfg.Catalog.Products)),
		tally:        newTally(len(cfg.Catalog.Products), cfg.Catalog.Products[0].Price.Currency),
		orderLimits:  newIPLimits(orderRate),
		tokenGuesses: newIPLimits(tokenGuessRate),
		conns:        make(map[*conn]struct{}),
		metricsEvery: metricsInterval,
		openPerIP:    make(map[string]int),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.out.queued = make([]bool, len(s.products))
	for i, p := range s.products {
		s.productAt[p.ID] = i
		for j, v := range p.Variants {
			s.variantAt[v.ID] = variantRef{product: i, variant: j}
		}
	}
	if err := s.loadOrders(cfg.OrdersFile); err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout:  5 * time.Second,
		EnableCompression: false,
		// Idle connections are most of an audience. Clients send small
		// commands, so a small read buffer does; a write buffer is only
		// needed while a frame is being written, so they are shared.
		ReadBufferSize:  1024,
		WriteBufferPool: &sync.Pool{},
		// serveWS has already checked the origin, before counting the
		// connection against the caps.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /cart/{items...}", s.serveCheckout)
	s.mux.HandleFunc("POST /orders", s.serveOrder)
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
	if len(base)+len("/cart/"+protocol.CheckoutPlaceholder+"?ref=")+protocol.MaxIDBytes > protocol.MaxCheckoutURLBytes {
		return "", fmt.Errorf("public URL is longer than %d bytes", protocol.MaxCheckoutURLBytes)
	}
	return base, nil
}

// hostOf returns the host (and port) of a URL checkPublicURL accepted, or
// "" for none.
func hostOf(public string) string {
	u, err := url.Parse(public)
	if err != nil {
		return ""
	}
	return u.Host
}

// ServeHTTP serves GET /ws (the show's WebSocket), GET /cart/{items} (the
// checkout page), POST /orders (its "Place order" button) and GET /healthz;
// everything else is 404. A request whose Host the server does not answer
// to (see Config.AllowedHosts) gets 421 on every route, and one with a
// malformed Host 400.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.refuseHost(w, r) {
		return
	}
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
	// Browsers open spare connections ahead of need and may never send a
	// request on them; Shutdown would wait shutdownWait for each. Those are
	// tracked so shutting down can close them at once.
	var freshMu sync.Mutex
	fresh := make(map[net.Conn]struct{})
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		freshMu.Lock()
		defer freshMu.Unlock()
		if st == http.StateNew {
			fresh[c] = struct{}{}
		} else {
			delete(fresh, c)
		}
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
	freshMu.Lock()
	for c := range fresh {
		c.Close()
	}
	freshMu.Unlock()
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
		s.stopDealTimerLocked()
		s.stopMetricsLocked()
		s.stopFlushLocked()
		if s.pingStop != nil {
			close(s.pingStop)
		}
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
	i, ok := s.productAt[productID]
	if !ok {
		return 0, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tally.products[i]
	return t.adds, t.removes
}

// Product returns a copy of a product as the show has it now, deal
// included, and false for an unknown product.
func (s *Server) Product(id string) (protocol.Product, bool) {
	i, ok := s.productAt[id]
	if !ok {
		return protocol.Product{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneProduct(s.products[i]), true
}

// Metrics returns what the host's metrics event would say now.
func (s *Server) Metrics() protocol.Metrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metricsLocked()
}
