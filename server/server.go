// Package server runs a livecart show: it holds the show's state (stock,
// prices and flash deals, the pinned product and what is up next, recent
// chat and the host's chat rules, the audience), applies the commands
// clients send over WebSocket, broadcasts the resulting events to every
// connection in batches, sends the host live metrics, and serves the demo
// store's checkout page and the orders placed from it.
//
// Who owns what:
//
//   - Server (server.go) is the wiring: the configuration, the HTTP routes,
//     admission, the hub and the show's state. Its methods are what the
//     show does: greet and join a client (ws.go), apply its commands
//     (commands.go, show.go, deals.go, moderation.go, purchase.go), run
//     auctions (auction.go, auctionend.go), send the host metrics
//     (metrics.go), price a cart and take orders (checkout.go,
//     orderpage.go, and auctionpage.go for a won auction). Gifts (gift.go,
//     giftpage.go) and giveaways (giveaway.go, giveawaydraw.go) have files
//     of their own.
//   - admission (admit.go) counts sockets against the caps before the
//     upgrade, under a lock of its own.
//   - hub (hub.go, audience.go) owns the connections: who has joined and
//     as what, the outbox, the flusher, seq numbering and the history a
//     resume replays (history.go), pong ordering and eviction.
//   - conn (conn.go) is one socket: its bounded send queue and its writer.
//     It knows its hub, not the Server.
//
// How an event travels from a command to every socket: a conn's read loop
// (Server.readLoop) decodes a frame and applies each command with the
// show's lock held (Server.do); the command changes the show's state and
// publishes an event on the hub (publishLocked, publishLazyLocked, or
// publishStateLocked for a product), which only queues it in the outbox and
// wakes the flusher. The flusher, under the lock, numbers and encodes what
// is waiting, records it in the history, and takes the list of joined
// connections; then, without the lock, it offers the same frames to every
// connection's send queue and kicks its writer. A writer writes what is
// queued and stops; a connection whose queue is full is evicted with
// protocol.CloseSlowConsumer instead of slowing the show down for everyone
// else. Events for one connection (errors, a held chat line, a notice, an
// order) go to its queue directly (hub.sendLocked); a pong waits behind the
// events published before its ping (hub.pong).
//
// The show's state and the hub share one lock, on purpose (see Server for
// why); admission and the per-address limits have locks of their own. No
// lock is held across I/O.
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
//
// Locks: the show's state below is guarded by the hub's lock, hub.mu, taken
// with s.hub.locked; methods named ...Locked expect it held. It is one lock
// for the show and its audience on purpose: a command changes the state and
// publishes its event in one step, the flusher reads a product's latest
// state as it encodes it, and a join builds its welcome from the state at
// the seq it joins at, so joining is atomic with publishing. The lock is
// never held across I/O, and the fan-out to the queues happens outside it.
// Admission and the per-address limits have locks of their own; everything
// else here is set by New and only read after.
type Server struct {
	// Configuration, fixed by New.
	log         *slog.Logger
	now         func() time.Time
	hostToken   []byte
	publicURL   string
	storeURL    string // Config.StoreCheckout
	publicHost  string // PublicURL's host, which a checkout form may also come from
	show        protocol.ShowInfo
	hostName    string   // the host's display name
	hostKeys    []string // its keys, which no viewer's whole name may have
	currency    string
	epoch       string // names this server's history; see protocol.Resume
	run         string // prefixes the IDs this process hands out
	alternates  func() []string
	idSalt      []byte   // secret, so nobody can choose a client ID that lands on another's identity
	hostNames   hostRule // the Host names it answers to
	chatRate    Rate
	commandRate Rate
	giftRate    Rate
	bidRate     Rate
	rateStrikes int
	// Products are never added or reordered while the show runs, so these
	// indexes are fixed by New and read without the lock.
	productAt map[string]int
	variantAt map[string]variantRef

	// Wiring.
	upgrader     websocket.Upgrader
	mux          *http.ServeMux
	admission    *admission
	hub          *hub
	orders       orderLog
	orderLimits  *ipLimits     // orders posted, by address
	tokenGuesses *ipLimits     // wrong host tokens, by address
	ids          atomic.Uint64 // numbers identities

	// wg counts the show's own goroutines: a pending deal timer and the
	// metrics loop (the hub counts its own). Add is only called with the
	// lock held and the hub open, so a Wait that starts after the hub has
	// closed cannot miss a goroutine.
	wg sync.WaitGroup

	// The show's state, guarded by the hub's lock.
	storeOut     map[string]bool    // variants the store last had unavailable; see ApplyCatalog
	storeWarning string             // see SetStoreWarning
	products     []protocol.Product // live stock, prices and deals
	pinned       *protocol.Pin
	upNext       []string // product IDs the host queued
	chat         chatRing // the recent chat, as far as the hub has sent it
	chatIDs      uint64
	chatCap      *rate.Limiter // the show's cap on viewers' lines
	mod          moderation
	deals        deals
	gifts        gifts
	give         giveaways
	auctions     auctions
	tally        tally
	orderIDs     uint64
	feed         metricsFeed
	remote       map[string]*conn // members whose sockets are on edges, by key
	restored     restoredState
	relay        *relay // set on an edge: the show is held elsewhere
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
	if err := checkStoreCheckout(cfg.StoreCheckout); err != nil {
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
	giftRate, err := cfg.GiftRate.orDefault(defaultGiftRate)
	if err != nil {
		return nil, fmt.Errorf("new server: gift %w", err)
	}
	currency := cfg.Catalog.Products[0].Price.Currency
	giftKinds := cfg.Gifts
	if giftKinds == nil {
		giftKinds = DefaultGifts(currency)
	}
	if err := checkGifts(giftKinds, currency); err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	bidRate, err := cfg.BidRate.orDefault(defaultBidRate)
	if err != nil {
		return nil, fmt.Errorf("new server: bid %w", err)
	}
	auctionHold, err := checkAuctionHold(cfg.AuctionHold)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	hostName := cmp.Or(cfg.Catalog.Show.Host, "host")
	logger := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	products := clone(cfg.Catalog.Products)
	epoch, run := cfg.Epoch, newEpoch()
	if epoch == "" {
		epoch = run
	} else if !protocol.ValidID(epoch) {
		return nil, fmt.Errorf("new server: epoch %q is not a valid ID", epoch)
	}
	salt := newSalt()
	if cfg.IdentityKey != nil {
		if len(cfg.IdentityKey) < 16 {
			return nil, fmt.Errorf("new server: identity key is %d bytes, want 16 or more", len(cfg.IdentityKey))
		}
		salt = cfg.IdentityKey
	}
	s := &Server{
		log:          logger,
		now:          now,
		hostToken:    []byte(cfg.HostToken),
		publicURL:    public,
		storeURL:     cfg.StoreCheckout,
		storeOut:     storeOut(products),
		publicHost:   hostOf(public),
		show:         cfg.Catalog.Show,
		hostName:     hostName,
		hostKeys:     hostKeys(hostName),
		currency:     products[0].Price.Currency,
		epoch:        epoch,
		run:          run,
		alternates:   cfg.Alternates,
		remote:       make(map[string]*conn),
		idSalt:       salt,
		hostNames:    hostNames,
		chatRate:     chatRate,
		commandRate:  commandRate,
		giftRate:     giftRate,
		bidRate:      bidRate,
		rateStrikes:  orDefaultCap(cfg.RateStrikes, DefaultRateStrikes),
		productAt:    make(map[string]int, len(products)),
		variantAt:    make(map[string]variantRef),
		admission:    newAdmission(origins, orDefaultCap(cfg.MaxConns, DefaultMaxConns), orDefaultCap(cfg.MaxConnsPerIP, DefaultMaxConnsPerIP)),
		orderLimits:  newIPLimits(orderRate),
		tokenGuesses: newIPLimits(tokenGuessRate),
		products:     products,
		chatCap:      newChatCap(cfg.ChatCap),
		mod:          newModeration(),
		deals:        newDeals(len(products)),
		gifts:        newGifts(giftKinds),
		give:         newGiveaways(),
		auctions:     newAuctions(auctionHold),
		tally:        newTally(len(products), products[0].Price.Currency),
		feed:         metricsFeed{every: metricsInterval},
	}
	s.hub = newHub(hubConfig{
		log:        logger,
		now:        now,
		epoch:      s.epoch,
		history:    cmp.Or(cfg.History, protocol.HistorySize),
		sendQueue:  cmp.Or(cfg.SendQueue, defaultSendQueue),
		pingPeriod: cmp.Or(cfg.PingPeriod, protocol.PingPeriod),
		states:     len(products),
		sent:       s.sentLocked,
		announcing: s.viewersAnnouncedLocked,
		journal:    cfg.Journal,
		keyName:    func(i int) string { return s.products[i].ID },
		failed:     s.journalFailed(cfg.JournalFailed),
	})
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
	s.mux.HandleFunc("GET /gift/{id}", s.serveGift)
	s.mux.HandleFunc("GET /giveaways/{id}", s.serveGiveawayRecord)
	s.mux.HandleFunc("GET /auction/{id}", s.serveAuctionCheckout)
	s.mux.HandleFunc("POST /auction/{id}", s.serveAuctionOrder)
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
	if len(base)+len("/cart/"+protocol.CheckoutPlaceholder)+maxTemplateQuery > protocol.MaxCheckoutURLBytes {
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
// checkout page), GET /gift/{id} (a gift's), POST /orders (their "Place
// order" button), GET and POST /auction/{id} (a won auction's page and its
// button), GET /giveaways/{id} (a drawn giveaway's record) and GET
// /healthz; everything else is 404. A request whose Host the server does not answer
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
// WebSocket with protocol.CloseGoingAway (unless End came first), shuts
// the HTTP server down, waits for every connection goroutine to end and
// returns nil. It returns an error only when ln fails first. Either way the
// server is closed afterwards, as by Close.
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
	s.closeSockets(false)
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
	s.hub.wait()
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
	s.closeSockets(false)
	s.hub.wait()
	s.wg.Wait()
}

// closeSockets is the part of Close and End that does not wait; ended
// says which of the two.
func (s *Server) closeSockets(ended bool) {
	s.admission.close(ended)
	s.hub.locked(func() {
		if s.hub.closeLocked(ended) {
			s.stopDealTimerLocked()
			s.stopGiveawayTimersLocked()
			s.stopAuctionTimerLocked()
			s.stopMetricsLocked()
		}
	})
}

// Stock returns the stock of a variant, and false for an unknown variant.
func (s *Server) Stock(variantID string) (int, bool) {
	ref, ok := s.variantAt[variantID]
	if !ok {
		return 0, false
	}
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.products[ref.product].Variants[ref.variant].Stock, true
}

// Epoch returns the name of this server's show history. Clients resume
// only within one epoch; it changes whenever history is lost.
func (s *Server) Epoch() string { return s.epoch }

// Viewers returns how many viewers are connected now. It may be ahead of
// the last viewers event, which is rate limited.
func (s *Server) Viewers() int { return s.hub.viewerCount() }

// Pinned returns the pinned product, and false when nothing is pinned.
func (s *Server) Pinned() (protocol.Pin, bool) {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
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
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
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
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return cloneProduct(s.products[i]), true
}

// Metrics returns what the host's metrics event would say now.
func (s *Server) Metrics() protocol.Metrics {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.metricsLocked()
}
