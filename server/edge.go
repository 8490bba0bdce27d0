package server

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// EdgeConfig configures an edge: a server that holds viewers' sockets for
// a show another server (its owner) holds. See relay.go.
type EdgeConfig struct {
	// Owner carries the edge's requests to the show's owner. Required.
	Owner Owner
	// Epoch is the show's, and Seq the seq of the last event before the
	// first the edge will be given (Relay).
	Epoch string
	Seq   uint64
	// OwnerURL is the owner's base URL (http:// or https://): the show's
	// pages (checkout, gifts, records, orders) are redirected there.
	OwnerURL string
	// PublicURL is this edge's own base URL, whose host it answers to, as
	// Config.PublicURL.
	PublicURL string
	// As in Config.
	AllowedHosts   []string
	AllowedOrigins []string
	MaxConns       int
	MaxConnsPerIP  int
	SendQueue      int
	History        int
	PingPeriod     time.Duration
	Logger         *slog.Logger
	Now            func() time.Time
}

// Edge serves viewers of a show held by another server: it relays the
// show's events, in the order and with the seqs of its journal, to every
// viewer it holds, and passes their hellos and commands to the owner. It
// is an http.Handler (GET /ws and /healthz; the show's pages redirect to
// the owner), run like a Server with Serve.
type Edge struct {
	s *Server
	r *relay
}

// NewEdge returns an edge for cfg; nothing runs until connections arrive.
func NewEdge(cfg EdgeConfig) (*Edge, error) {
	if cfg.Owner == nil {
		return nil, fmt.Errorf("new edge: no owner")
	}
	if !protocol.ValidID(cfg.Epoch) {
		return nil, fmt.Errorf("new edge: epoch %q is not a valid ID", cfg.Epoch)
	}
	public, err := checkPublicURL(cfg.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("new edge: %w", err)
	}
	owner, err := checkPublicURL(cfg.OwnerURL)
	if err != nil {
		return nil, fmt.Errorf("new edge: owner %w", err)
	}
	origins, err := parseOrigins(cfg.AllowedOrigins)
	if err != nil {
		return nil, fmt.Errorf("new edge: %w", err)
	}
	hostNames, err := newHostRule(cfg.AllowedHosts, public)
	if err != nil {
		return nil, fmt.Errorf("new edge: %w", err)
	}
	logger := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	r := &relay{owner: cfg.Owner, prefix: newEpoch() + "-", keys: make(map[string]*conn)}
	s := &Server{
		log:       logger,
		now:       now,
		publicURL: public,
		epoch:     cfg.Epoch,
		run:       cfg.Epoch,
		hostNames: hostNames,
		admission: newAdmission(origins, orDefaultCap(cfg.MaxConns, DefaultMaxConns), orDefaultCap(cfg.MaxConnsPerIP, DefaultMaxConnsPerIP)),
		relay:     r,
	}
	var h *hub
	h = newHub(hubConfig{
		log:        logger,
		now:        now,
		epoch:      cfg.Epoch,
		seq:        cfg.Seq,
		history:    cmp.Or(cfg.History, protocol.HistorySize),
		sendQueue:  cmp.Or(cfg.SendQueue, defaultSendQueue),
		pingPeriod: cmp.Or(cfg.PingPeriod, protocol.PingPeriod),
		sent:       func(protocol.Type, any) {},
		relay:      true,
		ending:     func(c *conn) { r.ended(h, c) },
	})
	s.hub = h
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: 5 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferPool:  &sync.Pool{},
		CheckOrigin:      func(*http.Request) bool { return true },
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /healthz", serveHealth)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		if owner == "" || !ownerPage(req.URL.Path) {
			http.NotFound(w, req)
			return
		}
		http.Redirect(w, req, reachedAs(owner, req.Host)+req.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	return &Edge{s: s, r: r}, nil
}

// ownerPage reports whether path is one of the show's pages, which its
// owner serves.
func ownerPage(path string) bool {
	for _, p := range []string{"/cart/", "/gift/", "/giveaways/", "/auction/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return path == "/orders"
}

// ServeHTTP serves GET /ws and GET /healthz, and redirects the show's
// pages to the owner.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.s.ServeHTTP(w, r) }

// Serve serves the edge on ln until ctx is done, as Server.Serve does.
func (e *Edge) Serve(ctx context.Context, ln net.Listener) error { return e.s.Serve(ctx, ln) }

// Close closes every viewer's socket with protocol.CloseGoingAway and
// waits for their goroutines, as Server.Close does.
func (e *Edge) Close() { e.s.Close() }

// End closes every viewer's socket with protocol.CloseShowEnded, and
// answers later requests with 410: the show is over.
func (e *Edge) End() { e.s.End() }

// Relay hands the edge the show's next event from its journal: seq and
// the encoded envelope, in seq order. A duplicate is dropped; lazy events
// may wait for a batch interval. It does not block on viewers.
func (e *Edge) Relay(seq uint64, frame []byte, lazy bool) { e.s.hub.relayIn(seq, frame, lazy) }

// Storm tells the edge that the show is in a chat storm (its owner's chat
// cap is holding lines back): the edge's batches wait as long as the
// owner's do.
func (e *Edge) Storm() { e.s.hub.locked(e.s.hub.stormLocked) }

// Storming reports whether the edge batches as in a storm.
func (e *Edge) Storming() bool {
	var storm bool
	e.s.hub.locked(func() { storm = e.s.hub.stormingLocked(time.Now()) })
	return storm
}

// Seq is the seq of the last event the edge has relayed.
func (e *Edge) Seq() uint64 {
	var seq uint64
	e.s.hub.locked(func() { seq = e.s.hub.seq })
	return seq
}

// Viewers is how many viewers the edge holds.
func (e *Edge) Viewers() int { return e.s.hub.viewerCount() }

// Deliver queues frames the owner sent the viewer keyed key, after its
// welcome.
func (e *Edge) Deliver(key string, frames [][]byte) {
	h := e.s.hub
	h.locked(func() {
		c := e.r.keys[key]
		if c == nil || c.ended {
			return
		}
		if !c.far.welcomed {
			c.far.early = append(c.far.early, frames...)
			return
		}
		for _, f := range frames {
			h.offerLocked(c, f)
		}
	})
}

// EndViewer closes the viewer keyed key, as the owner asks, once what was
// queued for it is written.
func (e *Edge) EndViewer(key string, code int, reason string) {
	h := e.s.hub
	h.locked(func() {
		if c := e.r.keys[key]; c != nil {
			c.flush = true
			h.endLocked(c, code, reason)
		}
	})
}

// Members returns every viewer the edge holds, as a quiet RemoteJoin each:
// what an owner that lost them needs to know them again.
func (e *Edge) Members() []RemoteJoin {
	var out []RemoteJoin
	e.s.hub.locked(func() {
		for key, c := range e.r.keys {
			if c.far.welcomed && !c.ended {
				out = append(out, RemoteJoin{Key: key, Hello: c.far.hello, Remote: c.remote, Host: c.reached, Quiet: true})
			}
		}
	})
	return out
}

// Lost closes every viewer with protocol.CloseGoingAway and reason: the
// edge has lost the show (its stream or its owner), and they move to
// another edge and resume there.
func (e *Edge) Lost(reason string) int {
	h := e.s.hub
	n := 0
	h.locked(func() {
		for c := range h.conns {
			h.endLocked(c, protocol.CloseGoingAway, reason)
			n++
		}
	})
	return n
}
