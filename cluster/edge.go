package cluster

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// EdgeConfig configures an edge of a show.
type EdgeConfig struct {
	// NATS is the URL of the NATS server to connect to; Domain the
	// JetStream domain of the show's stream, when it is another's.
	NATS   string
	Domain string
	// ShowID names the show (its catalog's show ID).
	ShowID string
	// PublicURL is the edge's base URL as viewers reach it (http:// or
	// https://); empty means http:// and the address it listens on.
	PublicURL string
	// LostAfter is how long the edge may be cut off from NATS before it
	// closes its viewers, so that they move to another edge; zero means
	// DefaultLostAfter.
	LostAfter time.Duration
	// As in server.EdgeConfig.
	AllowedHosts  []string
	MaxConns      int
	MaxConnsPerIP int
	SendQueue     int
	History       int
	PingPeriod    time.Duration
	Logger        *slog.Logger
	// Tests: more connection options, a hook before each relayed event
	// (a stalled consumer blocks in it), and the wait between tries to
	// reach the owner (zero means ownerRetry).
	natsOptions []nats.Option
	beforeRelay func()
	ownerRetry  time.Duration
}

// Edge serves viewers of a show its owner holds: it follows the show's
// stream with one ordered consumer and fans it out with a server.Edge.
type Edge struct {
	cfg      EdgeConfig
	log      *slog.Logger
	n        names
	id       string
	nc       *nats.Conn
	st       *showStream
	edge     *server.Edge
	ownerURL string
	url      string // the WebSocket URL viewers dial, once Serve has started
	cons     jetstream.ConsumeContext
	leaves   chan string
	wg       sync.WaitGroup
	stop     chan struct{}

	mu       sync.Mutex
	cutSince time.Time // when the NATS connection dropped; zero while up
	moved    bool      // the viewers were closed for this cut
}

// NewEdge connects to NATS, waits for the show's stream and its owner,
// and starts following the stream.
func NewEdge(ctx context.Context, cfg EdgeConfig) (*Edge, error) {
	if !protocol.ValidID(cfg.ShowID) {
		return nil, fmt.Errorf("edge: show ID %q is not valid", cfg.ShowID)
	}
	e := &Edge{
		cfg: cfg, log: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), n: namesOf(cfg.ShowID), id: randomID(),
		leaves: make(chan string, 4096), stop: make(chan struct{}),
	}
	opts := append([]nats.Option{
		nats.DisconnectErrHandler(func(*nats.Conn, error) { e.cut(true) }),
		nats.ReconnectHandler(func(*nats.Conn) { e.cut(false) }),
	}, cfg.natsOptions...)
	nc, js, err := connect(cfg.NATS, cfg.Domain, "livecart edge "+e.id, e.log, opts)
	if err != nil {
		return nil, err
	}
	e.nc = nc
	if err := e.start(ctx, js); err != nil {
		nc.Close()
		return nil, err
	}
	return e, nil
}

func (e *Edge) start(ctx context.Context, js jetstream.JetStream) error {
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := ensureStream(wait, js, e.n, false)
	if err != nil {
		return err
	}
	e.st = st
	for {
		r, err := e.heartbeat(wait)
		if err == nil {
			e.ownerURL = r.OwnerURL
			break
		}
		// Stopped or out of time, between tries as well as in one.
		retry := time.NewTimer(cmp.Or(e.cfg.ownerRetry, ownerRetry))
		select {
		case <-retry.C:
			continue
		case <-wait.Done():
			retry.Stop()
		}
		return fmt.Errorf("edge: the show's owner does not answer: %w", err)
	}
	first, last, err := st.lastSeq(wait)
	if err != nil {
		return err
	}
	history := cmp.Or(e.cfg.History, protocol.HistorySize)
	start := max(first, last-min(last, uint64(history))+1, 1)
	e.edge, err = server.NewEdge(server.EdgeConfig{
		Owner: ownerClient{e}, Epoch: st.epoch, Seq: start - 1, OwnerURL: e.ownerURL, PublicURL: e.cfg.PublicURL,
		AllowedHosts: e.cfg.AllowedHosts, MaxConns: e.cfg.MaxConns, MaxConnsPerIP: e.cfg.MaxConnsPerIP,
		SendQueue: e.cfg.SendQueue, History: history, PingPeriod: e.cfg.PingPeriod, Logger: e.log,
	})
	if err != nil {
		return err
	}
	for subj, fn := range map[string]nats.MsgHandler{e.n.toEdge(e.id): e.onOwner, e.n.subject("ended"): e.onEnded} {
		if _, err := e.nc.Subscribe(subj, fn); err != nil {
			return fmt.Errorf("subscribe %s: %w", subj, err)
		}
	}
	cons, err := st.stream.OrderedConsumer(wait, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{e.n.events()},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    start,
	})
	if err != nil {
		return fmt.Errorf("follow the show's stream: %w", err)
	}
	e.cons, err = cons.Consume(e.onEvent, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		e.log.Debug("stream consumer", "err", err)
	}))
	if err != nil {
		return fmt.Errorf("follow the show's stream: %w", err)
	}
	e.log.Info("edge ready", "show", e.cfg.ShowID, "edge", e.id, "epoch", st.epoch, "from", start)
	return nil
}

// Server is the edge's server.Edge.
func (e *Edge) Server() *server.Edge { return e.edge }

// ID names the edge to its owner.
func (e *Edge) ID() string { return e.id }

// Epoch is the show's epoch.
func (e *Edge) Epoch() string { return e.st.epoch }

// Serve serves viewers on ln until ctx is done, then lets go of NATS.
func (e *Edge) Serve(ctx context.Context, ln net.Listener) error {
	e.url = wsURL(e.cfg.PublicURL, ln.Addr().String())
	e.wg.Go(e.beat)
	e.wg.Go(e.sendLeaves)
	e.wg.Go(e.watchCut)
	err := e.edge.Serve(ctx, ln)
	e.cons.Stop()
	close(e.stop)
	e.wg.Wait()
	e.nc.Close()
	return err
}

// URL is the WebSocket URL viewers dial, once Serve has started.
func (e *Edge) URL() string { return e.url }

// wsURL is the WebSocket URL of a base URL, or of addr without one.
func wsURL(public, addr string) string {
	if public == "" {
		return "ws://" + addr + "/ws"
	}
	u, err := url.Parse(public)
	if err != nil {
		return "ws://" + addr + "/ws"
	}
	u.Scheme = map[string]string{"https": "wss"}[u.Scheme]
	if u.Scheme == "" {
		u.Scheme = "ws"
	}
	u.Path = u.Path + "/ws"
	return u.String()
}

func (e *Edge) onEvent(m jetstream.Msg) {
	if e.cfg.beforeRelay != nil {
		e.cfg.beforeRelay()
	}
	meta, err := m.Metadata()
	if err != nil {
		return
	}
	if m.Headers().Get(hdrStorm) != "" && time.Since(meta.Timestamp) < stormFresh {
		e.edge.Storm()
	}
	e.edge.Relay(meta.Sequence.Stream, m.Data(), m.Headers().Get(hdrLazy) != "")
}

func (e *Edge) onOwner(m *nats.Msg) {
	err := readItems(m.Data, func(key string, kind byte, body []byte) {
		switch {
		case kind == itemFrame:
			e.edge.Deliver(key, [][]byte{body})
		case kind == itemEnd && len(body) >= 2:
			e.edge.EndViewer(key, int(body[0])<<8|int(body[1]), string(body[2:]))
		}
	})
	if err != nil {
		e.log.Warn("owner message", "err", err)
	}
}

func (e *Edge) onEnded(*nats.Msg) {
	e.log.Info("the show has ended")
	go e.edge.End()
}

// heartbeat tells the owner the edge is alive and where.
func (e *Edge) heartbeat(ctx context.Context) (heartbeatReply, error) {
	var r heartbeatReply
	hb := heartbeat{Edge: e.id, URL: e.url}
	if e.edge != nil {
		hb.Viewers = e.edge.Viewers()
	}
	b, _ := json.Marshal(hb)
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	m, err := e.nc.RequestWithContext(ctx, e.n.subject("hb"), b)
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(m.Data, &r)
}

// beat sends heartbeats; when the owner does not know the edge's viewers
// (it restarted, or dropped the edge while cut off) it rejoins them.
func (e *Edge) beat() {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-e.stop:
				return
			case <-tick.C:
			}
		}
		r, err := e.heartbeat(context.Background())
		switch {
		case err != nil:
			continue
		case r.Ended:
			go e.edge.End()
		case r.Epoch != e.st.epoch:
			e.log.Error("the show's stream was made anew: this edge must restart", "epoch", r.Epoch)
			e.edge.Lost("the show's history changed; reconnect")
		case !r.Known:
			e.rejoin()
		}
	}
}

// rejoin makes the owner know every viewer the edge holds again.
func (e *Edge) rejoin() {
	members := e.edge.Members()
	for len(members) > 0 {
		n := min(len(members), 200)
		b, _ := json.Marshal(members[:n])
		members = members[n:]
		ctx, cancel := context.WithTimeout(context.Background(), requestWait)
		m := nats.NewMsg(e.n.subject("rejoin"))
		m.Header.Set(hdrEdge, e.id)
		m.Data = b
		reply, err := e.nc.RequestMsgWithContext(ctx, m)
		cancel()
		if err != nil {
			e.log.Warn("rejoin", "err", err)
			return
		}
		var refused []refusal
		if json.Unmarshal(reply.Data, &refused) == nil {
			for _, r := range refused {
				e.edge.EndViewer(r.Key, r.Code, r.Reason)
			}
		}
	}
}

// sendLeaves tells the owner, a few at a time, which viewers left.
func (e *Edge) sendLeaves() {
	var keys []string
	for {
		select {
		case <-e.stop:
			return
		case k := <-e.leaves:
			keys = append(keys[:0], k)
		}
		for len(keys) < 500 {
			select {
			case k := <-e.leaves:
				keys = append(keys, k)
				continue
			default:
			}
			break
		}
		b, _ := json.Marshal(keys)
		for range 3 {
			ctx, cancel := context.WithTimeout(context.Background(), requestWait)
			_, err := e.nc.RequestWithContext(ctx, e.n.subject("leave"), b)
			cancel()
			if err == nil {
				break
			}
		}
	}
}

// cut records that the NATS connection dropped (or came back).
func (e *Edge) cut(down bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !down {
		e.cutSince, e.moved = time.Time{}, false
		e.log.Info("back in touch with the show's stream")
		return
	}
	if e.cutSince.IsZero() {
		e.cutSince = time.Now()
	}
}

// watchCut moves the viewers away once the edge has been cut off from
// the show for LostAfter: they resume on another edge.
func (e *Edge) watchCut() {
	after := cmp.Or(e.cfg.LostAfter, DefaultLostAfter)
	tick := time.NewTicker(after / 5)
	defer tick.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-tick.C:
		}
		e.mu.Lock()
		due := !e.cutSince.IsZero() && !e.moved && time.Since(e.cutSince) >= after
		if due {
			e.moved = true
		}
		e.mu.Unlock()
		if due {
			n := e.edge.Lost("this edge lost the show; reconnect to another")
			e.log.Warn("cut off from the show's stream: viewers sent elsewhere", "viewers", n)
		}
	}
}

// ownerClient is the edge's server.Owner: requests to the owner over NATS.
type ownerClient struct{ e *Edge }

func (o ownerClient) Join(ctx context.Context, j server.RemoteJoin) (server.RemoteWelcome, error) {
	var w server.RemoteWelcome
	b, err := json.Marshal(j)
	if err != nil {
		return w, err
	}
	m := nats.NewMsg(o.e.n.subject("join"))
	m.Header.Set(hdrEdge, o.e.id)
	m.Data = b
	reply, err := o.e.nc.RequestMsgWithContext(ctx, m)
	if err != nil {
		return w, fmt.Errorf("join: %w", err)
	}
	return w, json.Unmarshal(reply.Data, &w)
}

func (o ownerClient) Command(ctx context.Context, key string, frame []byte, binary bool) (server.RemoteVerdict, error) {
	m := nats.NewMsg(o.e.n.subject("cmd"))
	m.Header.Set(hdrEdge, o.e.id)
	m.Header.Set(hdrKey, key)
	if binary {
		m.Header.Set(hdrBinary, "1")
	}
	m.Data = frame
	reply, err := o.e.nc.RequestMsgWithContext(ctx, m)
	if err != nil {
		return server.RemoteVerdict{}, fmt.Errorf("command: %w", err)
	}
	return server.RemoteVerdict{Unknown: string(reply.Data) == "unknown"}, nil
}

func (o ownerClient) Leave(key string) {
	select {
	case o.e.leaves <- key:
	default:
		// Full: the owner drops the viewer when it next drops or
		// rejoins the edge.
	}
}

func (o ownerClient) Fetch(ctx context.Context, after, upTo uint64) ([][]byte, error) {
	return o.e.st.fetch(ctx, o.e.n, after, upTo)
}

var _ server.Owner = ownerClient{}
