package cluster

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// OwnerConfig configures the owner of a show.
type OwnerConfig struct {
	// NATS is the URL of the NATS server to connect to (JetStream on, or
	// reachable in Domain).
	NATS   string
	Domain string
	// Show is the show, as for a server of its own. PublicURL is required:
	// checkout links made for viewers on edges point at it.
	Show server.Config
	// EdgeTimeout is how long an edge may go unheard before its viewers
	// are dropped; zero means DefaultEdgeTimeout.
	EdgeTimeout time.Duration
	Logger      *slog.Logger
	// natsOptions are added to the connection's (tests).
	natsOptions []nats.Option
}

// Owner is the server that holds a show whose viewers edges serve: a
// server.Server that journals every event to the show's stream and takes
// hellos and commands from edges.
type Owner struct {
	cfg     OwnerConfig
	log     *slog.Logger
	n       names
	nc      *nats.Conn
	srv     *server.Server
	epoch   string
	timeout time.Duration
	subs    []*nats.Subscription
	work    chan struct{} // bounds the requests handled at once
	wg      sync.WaitGroup
	stop    chan struct{}
	failed  chan error // the journal refused: the server has stopped
	ended   atomic.Bool

	mu    sync.Mutex
	links map[string]*link // by edge ID
}

// ownerRequests is how many requests from edges an owner handles at once.
const ownerRequests = 64

// NewOwner connects to NATS, opens (or makes) the show's stream, and
// carries the show on from it: same epoch, same seqs, its public state
// and its viewers' identities.
func NewOwner(ctx context.Context, cfg OwnerConfig) (*Owner, error) {
	if cfg.Show.PublicURL == "" {
		return nil, errors.New("owner: the show needs a public URL")
	}
	log := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	o := &Owner{
		cfg: cfg, log: log, n: namesOf(cfg.Show.Catalog.Show.ID),
		timeout: cmp.Or(cfg.EdgeTimeout, DefaultEdgeTimeout),
		work:    make(chan struct{}, ownerRequests),
		stop:    make(chan struct{}),
		failed:  make(chan error, 1),
		links:   make(map[string]*link),
	}
	nc, js, err := connect(cfg.NATS, cfg.Domain, "livecart owner "+cfg.Show.Catalog.Show.ID, log, cfg.natsOptions)
	if err != nil {
		return nil, err
	}
	o.nc = nc
	if err := o.start(ctx, js); err != nil {
		nc.Close()
		return nil, err
	}
	return o, nil
}

func (o *Owner) start(ctx context.Context, js jetstream.JetStream) error {
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := ensureStream(wait, js, o.n, true)
	if err != nil {
		return err
	}
	o.epoch = st.epoch
	show := o.cfg.Show
	show.Journal = &journal{js: js, n: o.n, run: randomID(), wait: 10 * time.Second}
	show.JournalFailed = func(err error) { o.failed <- err }
	show.Epoch, show.IdentityKey = st.epoch, st.key
	show.Alternates = func() []string { return o.edgeURLs("") }
	srv, err := server.New(show)
	if err != nil {
		return err
	}
	last, state, tail, err := st.restore(wait, o.n, show.Catalog, cmp.Or(show.History, protocol.HistorySize))
	if err != nil {
		return err
	}
	if err := srv.Restore(last, state, tail); err != nil {
		return err
	}
	o.srv = srv
	o.log.Info("owner ready", "show", show.Catalog.Show.ID, "epoch", st.epoch, "seq", last, "restored", len(state)+len(tail))
	for subj, fn := range map[string]nats.MsgHandler{
		"join": o.onJoin, "rejoin": o.onRejoin, "cmd": o.onCommand, "leave": o.onLeave, "hb": o.onHeartbeat,
	} {
		sub, err := o.nc.Subscribe(o.n.subject(subj), fn)
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", subj, err)
		}
		o.subs = append(o.subs, sub)
	}
	if err := o.nc.FlushWithContext(wait); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	o.wg.Go(o.watchEdges)
	return nil
}

// Server is the show's server: serve it with Serve, not its own.
func (o *Owner) Server() *server.Server { return o.srv }

// Epoch is the show's epoch, the stream's.
func (o *Owner) Epoch() string { return o.epoch }

// ErrFencedOut is what Serve returns when another owner took the show.
var ErrFencedOut = errors.New("fenced out: another owner writes this show")

// Serve serves the show on ln until ctx is done or the stream refuses the
// owner's events (another owner took over: ErrFencedOut), then lets go of
// NATS.
func (o *Owner) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var failed error
	var got sync.WaitGroup
	got.Go(func() {
		select {
		case err := <-o.failed:
			failed = err
			cancel()
		case <-ctx.Done():
		}
	})
	err := o.srv.Serve(ctx, ln)
	cancel()
	got.Wait()
	o.shutdown()
	switch {
	case errors.Is(failed, server.ErrFenced):
		return fmt.Errorf("%w: %v", ErrFencedOut, failed)
	case failed != nil:
		return fmt.Errorf("the show's stream refused its events: %w", failed)
	}
	return err
}

// End ends the show for good: every viewer, on every edge, is told so,
// and edges refuse new ones. Call it before cancelling Serve's context.
func (o *Owner) End() {
	o.ended.Store(true)
	_ = o.nc.Publish(o.n.subject("ended"), nil)
	_ = o.nc.Flush()
	o.srv.End()
}

func (o *Owner) shutdown() {
	for _, s := range o.subs {
		_ = s.Unsubscribe()
	}
	close(o.stop)
	o.wg.Wait()
	o.mu.Lock()
	for id, l := range o.links {
		l.close()
		delete(o.links, id)
	}
	o.mu.Unlock()
	_ = o.nc.Drain()
}

// async handles a request on a goroutine of its own, at most
// ownerRequests at once: an edge asks for one viewer at a time, so a
// viewer's requests keep their order.
func (o *Owner) async(fn func()) {
	o.work <- struct{}{}
	o.wg.Go(func() {
		defer func() { <-o.work }()
		fn()
	})
}

// linkFor is the link to the edge that sent m, made when it is new.
func (o *Owner) linkFor(edge string) (*link, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if l := o.links[edge]; l != nil {
		return l, true
	}
	if !protocol.ValidID(edge) {
		return nil, false
	}
	l := newLink(edge, o.n.toEdge(edge), o.nc, o.edgeURLs)
	l.heard = time.Now()
	o.links[edge] = l
	return l, false
}

// edgeURLs are the WebSocket URLs of every edge heard from but except.
func (o *Owner) edgeURLs(except string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var urls []string
	for id, l := range o.links {
		if id != except && l.url != "" {
			urls = append(urls, l.url)
		}
	}
	slices.Sort(urls)
	return urls
}

func (o *Owner) onJoin(m *nats.Msg) {
	l, _ := o.linkFor(m.Header.Get(hdrEdge))
	if l == nil {
		return
	}
	o.async(func() {
		var j server.RemoteJoin
		w := server.RemoteWelcome{Code: protocol.CloseBadHello, Reason: "malformed join"}
		if json.Unmarshal(m.Data, &j) == nil {
			w = o.srv.JoinRemote(l, j)
		}
		respondJSON(m, w)
	})
}

// refusal is a viewer a rejoin refused.
type refusal struct {
	Key    string `json:"key"`
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

func (o *Owner) onRejoin(m *nats.Msg) {
	l, _ := o.linkFor(m.Header.Get(hdrEdge))
	if l == nil {
		return
	}
	o.async(func() {
		var joins []server.RemoteJoin
		var refused []refusal
		if json.Unmarshal(m.Data, &joins) == nil {
			for _, j := range joins {
				j.Quiet = true
				if w := o.srv.JoinRemote(l, j); w.Code != 0 {
					refused = append(refused, refusal{Key: j.Key, Code: w.Code, Reason: w.Reason})
				}
			}
		}
		respondJSON(m, refused)
	})
}

func (o *Owner) onCommand(m *nats.Msg) {
	o.async(func() {
		v := o.srv.CommandRemote(m.Header.Get(hdrKey), m.Data, m.Header.Get(hdrBinary) != "")
		reply := []byte{}
		if v.Unknown {
			reply = []byte("unknown")
		}
		_ = m.Respond(reply)
	})
}

func (o *Owner) onLeave(m *nats.Msg) {
	var keys []string
	if json.Unmarshal(m.Data, &keys) == nil {
		for _, k := range keys {
			o.srv.LeaveRemote(k)
		}
	}
	_ = m.Respond(nil)
}

// heartbeat is an edge's word that it is alive.
type heartbeat struct {
	Edge    string `json:"edge"`
	URL     string `json:"url,omitempty"` // its WebSocket URL, once it serves
	Viewers int    `json:"viewers"`
}

// heartbeatReply tells an edge what the owner knows.
type heartbeatReply struct {
	// Known is false when the owner does not know the edge's viewers (it
	// restarted, or dropped the edge): the edge rejoins them.
	Known    bool   `json:"known"`
	Ended    bool   `json:"ended,omitempty"`
	OwnerURL string `json:"owner_url"`
	Epoch    string `json:"epoch"`
}

func (o *Owner) onHeartbeat(m *nats.Msg) {
	var hb heartbeat
	if json.Unmarshal(m.Data, &hb) != nil {
		return
	}
	l, _ := o.linkFor(hb.Edge)
	if l == nil {
		return
	}
	if hb.URL != "" && protocol.CheckAlternate(hb.URL) == nil {
		o.mu.Lock()
		l.url = hb.URL
		o.mu.Unlock()
	}
	l.mu.Lock()
	l.heard = time.Now()
	known := l.greeted // a link's first heartbeat: the edge rejoins its viewers
	l.greeted = true
	l.mu.Unlock()
	respondJSON(m, heartbeatReply{Known: known, Ended: o.ended.Load(), OwnerURL: o.cfg.Show.PublicURL, Epoch: o.epoch})
}

// watchEdges drops the viewers of an edge not heard from for the timeout:
// it died, or is cut off. If it comes back it is a new edge to the owner,
// and rejoins the viewers it still has.
func (o *Owner) watchEdges() {
	tick := time.NewTicker(o.timeout / 4)
	defer tick.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-tick.C:
		}
		var gone []*link
		o.mu.Lock()
		for id, l := range o.links {
			l.mu.Lock()
			quiet := time.Since(l.heard)
			l.mu.Unlock()
			if quiet > o.timeout {
				delete(o.links, id)
				gone = append(gone, l)
			}
		}
		o.mu.Unlock()
		for _, l := range gone {
			n := o.srv.DropLink(l)
			l.close()
			o.log.Warn("edge lost: its viewers are dropped until it is back", "edge", l.id, "url", l.url, "viewers", n)
		}
	}
}

func respondJSON(m *nats.Msg, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	_ = m.Respond(b)
}

// connect opens a NATS connection that reconnects for ever, and its
// JetStream context (in domain, when set).
func connect(url, domain, name string, log *slog.Logger, extra []nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	opts := append([]nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(100 * time.Millisecond),
		nats.PingInterval(time.Second),
		nats.MaxPingsOutstanding(3),
		nats.RetryOnFailedConnect(false),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { log.Warn("nats", "err", err) }),
	}, extra...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to nats at %s: %w", url, err)
	}
	var js jetstream.JetStream
	if domain != "" {
		js, err = jetstream.NewWithDomain(nc, domain)
	} else {
		js, err = jetstream.New(nc)
	}
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream: %w", err)
	}
	return nc, js, nil
}
