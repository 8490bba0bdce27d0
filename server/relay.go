package server

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// An edge's side of the show (edge.go makes one). The edge holds viewers'
// sockets; the show is held by its owner, another process, which it asks
// through an Owner. A hello goes to the owner, which answers with the
// welcome at a seq; the edge queues it once its hub has relayed the
// journal up to that seq, then the events since from its history, as a
// resume would, so nothing is missed or doubled. Every frame a viewer
// sends goes to the owner, except pings, which the edge answers after what
// it has relayed. What the owner sends one viewer comes back through
// Deliver; a viewer the owner closes, through EndViewer.

// Owner is what an edge asks of the show's owner. Package cluster carries
// it over NATS.
type Owner interface {
	// Join passes a viewer's hello on and returns its welcome.
	Join(ctx context.Context, j RemoteJoin) (RemoteWelcome, error)
	// Command passes on one frame a viewer sent (binary: a binary frame,
	// whose bytes do not matter). Its answers come through Deliver.
	Command(ctx context.Context, key string, frame []byte, binary bool) (RemoteVerdict, error)
	// Leave says the viewer's socket has closed. It must not block.
	Leave(key string)
	// Fetch returns the events after seq after up to upTo, in order, from
	// the show's journal: fewer when the journal no longer has them all.
	Fetch(ctx context.Context, after, upTo uint64) ([][]byte, error)
}

// Timeouts of an edge's requests to its owner.
const (
	ownerJoinWait    = 5 * time.Second
	ownerCommandWait = 3 * time.Second
	// edgeJoinWait bounds how long a welcome may wait for the edge's hub
	// to reach its seq.
	edgeJoinWait = 5 * time.Second
)

// relay is an edge's link to the owner, and its viewers by key.
type relay struct {
	owner Owner
	// Keys are prefix and a number: the owner holds the viewers of every
	// edge in one map, so one edge's keys must never be another's.
	prefix string
	next   atomic.Uint64    // numbers keys
	keys   map[string]*conn // guarded by hub.mu: every viewer the owner may know
}

// waitingJoin is a viewer whose welcome is at a seq the edge has not
// relayed yet.
type waitingJoin struct {
	c      *conn
	frames [][]byte // the welcome and what follows it
	at     uint64   // the welcome's seq
	prefix [][]byte // the events after at, fetched from the journal
	stop   func() bool
}

// stopLocked cancels w's expiry.
func (w *waitingJoin) stopLocked(h *hub) {
	if w.stop != nil && w.stop() {
		h.wg.Done()
	}
	w.stop = nil
}

// relayIn queues one event of the journal, already numbered and encoded.
func (h *hub) relayIn(seq uint64, frame []byte, lazy bool) {
	h.locked(func() {
		h.enqueueLocked(pending{key: -1, seq: seq, frame: frame, lazy: lazy}, !lazy)
	})
}

// relayedLocked takes one relayed event into the history and returns its
// frame, or nil for a duplicate. A gap (the journal lost events) ends
// every viewer's stream here: they resume elsewhere or start afresh.
func (h *hub) relayedLocked(p pending) []byte {
	if p.seq <= h.seq {
		return nil
	}
	if p.seq != h.seq+1 {
		from, to := h.seq, p.seq
		h.later(func() { h.log.Error("the show's journal skipped events", "after", from, "next", to) })
		for c := range h.conns {
			h.endLocked(c, protocol.CloseGoingAway, "this edge missed events of the show")
		}
		h.history = newHistory(len(h.history.ring))
	}
	h.seq = p.seq
	h.history.add(p.seq, p.frame)
	h.advanceLocked(p.seq)
	return p.frame
}

// admitWaitingLocked joins the viewers whose welcome's seq has been
// relayed. It runs after a batch is taken, off its fan-out list: the
// history they replay from holds the batch.
func (h *hub) admitWaitingLocked() {
	kept := h.waiting[:0]
	for _, w := range h.waiting {
		if w.c.ended {
			w.stopLocked(h)
			continue
		}
		if w.at+uint64(len(w.prefix)) > h.seq {
			kept = append(kept, w)
			continue
		}
		w.stopLocked(h)
		h.admitLocked(w.c, w.frames, w.at, w.prefix)
	}
	clear(h.waiting[len(kept):])
	h.waiting = kept
}

// admitLocked joins c with its welcome at seq at, then the events after
// it: prefix, fetched from the journal, then the history's; then what the
// owner sent it meanwhile.
func (h *hub) admitLocked(c *conn, frames [][]byte, at uint64, prefix [][]byte) {
	missed, ok := h.history.since(at+uint64(len(prefix)), h.seq)
	if !ok {
		h.endLocked(c, protocol.CloseGoingAway, "this edge no longer holds the events after your welcome")
		return
	}
	h.addJoinedLocked(c)
	h.joins++
	c.joinedAs = h.joins
	if c.id.Role == protocol.RoleViewer {
		h.viewers++
	} else {
		h.hosts++
	}
	h.offerLocked(c, frames[0])
	for _, f := range chunk(append(prefix, missed...), replayChunk) {
		h.offerLocked(c, f)
	}
	for _, f := range append(frames[1:], c.far.early...) {
		h.offerLocked(c, f)
	}
	c.far.welcomed, c.far.early = true, nil
}

// joinRelay joins c with the owner's welcome w, now or once the hub has
// relayed up to its seq.
func (h *hub) joinRelay(c *conn, w RemoteWelcome, prefix [][]byte) *ending {
	var refused *ending
	h.locked(func() {
		if c.ended || h.closed {
			refused = &ending{reason: "closed before joining"}
			return
		}
		if w.Seq+uint64(len(prefix)) <= h.seq {
			h.admitLocked(c, w.Frames, w.Seq, prefix)
			return
		}
		wj := &waitingJoin{c: c, frames: w.Frames, at: w.Seq, prefix: prefix}
		h.wg.Add(1)
		wj.stop = time.AfterFunc(edgeJoinWait, func() {
			defer h.wg.Done()
			h.locked(func() {
				if !c.far.welcomed {
					h.endLocked(c, protocol.CloseGoingAway, "this edge is behind the show")
				}
			})
		}).Stop
		h.waiting = append(h.waiting, wj)
	})
	return refused
}

// greet reads c's hello, has the owner welcome it, and joins it.
func (r *relay) greet(s *Server, c *conn) *ending {
	hello, rest, e := c.readHello()
	if e != nil {
		return e
	}
	if hello.Token != "" {
		return &ending{code: protocol.CloseBadHello, reason: edgeHostReason, linger: true}
	}
	key := r.prefix + strconv.FormatUint(r.next.Add(1), 10)
	c.far = &farSide{key: key, hello: hello}
	c.clientID = hello.ClientID
	c.id = protocol.Identity{Role: protocol.RoleViewer, Name: hello.Name}
	s.hub.locked(func() {
		if !c.ended {
			r.keys[key] = c
		}
	})
	resume, prefix := r.reach(s, hello.Resume)
	ctx, cancel := context.WithTimeout(context.Background(), ownerJoinWait)
	w, err := r.owner.Join(ctx, RemoteJoin{Key: key, Hello: hello, Remote: c.remote, Host: c.reached, Resume: resume})
	cancel()
	if err != nil {
		return &ending{code: protocol.CloseTryAgainLater, reason: "the show is out of this edge's reach", linger: true, err: err}
	}
	if w.Code != 0 {
		return &ending{code: w.Code, reason: w.Reason, linger: true}
	}
	if len(w.Frames) == 0 {
		return &ending{code: protocol.CloseInternal, reason: "the show sent no welcome", linger: true}
	}
	if you, ok := welcomeIdentity(w.Frames[0]); ok {
		c.id = you
	}
	if !w.Resumed {
		prefix = nil
	}
	if e := s.hub.joinRelay(c, w, prefix); e != nil {
		return e
	}
	s.log.Info("joined", "id", c.id.ID, "name", c.id.Name, "key", key, "remote", c.remote, "resumed", w.Resumed)
	var frame []byte
	for _, env := range rest {
		b, err := json.Marshal(env)
		if err != nil {
			continue
		}
		if len(frame) > 0 {
			frame = append(frame, '\n')
		}
		frame = append(frame, b...)
	}
	if frame != nil {
		return r.forward(s, c, frame, false)
	}
	return nil
}

// reach says whether the edge can replay what resume asks for, fetching
// from the journal what its history no longer holds.
func (r *relay) reach(s *Server, resume *protocol.Resume) (bool, [][]byte) {
	if resume == nil || resume.Epoch != s.hub.epoch {
		return false, nil
	}
	var seq uint64
	var held int
	s.hub.locked(func() { seq, held = s.hub.seq, s.hub.history.n })
	oldest := seq - uint64(held) // the history replays anything after it
	if resume.Seq >= oldest {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), ownerJoinWait)
	defer cancel()
	frames, err := r.owner.Fetch(ctx, resume.Seq, oldest)
	if err != nil || uint64(len(frames)) != oldest-resume.Seq {
		return false, nil
	}
	return true, frames
}

// welcomeIdentity reads who the owner says the viewer is.
func welcomeIdentity(frame []byte) (protocol.Identity, bool) {
	envs, err := protocol.DecodeFrame(frame)
	if err != nil || len(envs) != 1 {
		return protocol.Identity{}, false
	}
	w, err := protocol.Decode[protocol.Welcome](envs[0])
	if err != nil {
		return protocol.Identity{}, false
	}
	return w.You, true
}

// readLoop passes c's frames to the owner until the connection ends, and
// answers its pings.
func (r *relay) readLoop(s *Server, c *conn) ending {
	for {
		typ, frame, err := c.read()
		if err != nil {
			return c.readEnding(err)
		}
		if typ != websocket.TextMessage {
			if e := r.forward(s, c, nil, true); e != nil {
				return *e
			}
			continue
		}
		if !utf8.Valid(frame) {
			return invalidUTF8
		}
		envs, derr := protocol.DecodeFrame(frame)
		pings := 0
		for _, env := range envs {
			if env.Type == protocol.TypePing {
				pings++
			}
		}
		if derr != nil || pings < len(envs) {
			if e := r.forward(s, c, frame, false); e != nil {
				return *e
			}
		}
		for range pings {
			s.hub.pong(c)
		}
	}
}

// forward passes one frame to the owner. An owner that no longer knows
// the viewer (it restarted) has it rejoined first.
func (r *relay) forward(s *Server, c *conn, frame []byte, binary bool) *ending {
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), ownerCommandWait)
		v, err := r.owner.Command(ctx, c.far.key, frame, binary)
		cancel()
		if err != nil {
			s.hub.send(c, protocol.TypeError, newError(protocol.ErrCodeInternal, "the show did not answer; try again"))
			return nil
		}
		if !v.Unknown {
			return nil
		}
		if e := r.rejoin(c); e != nil {
			return e
		}
	}
	return nil
}

// rejoin makes the owner know c again, without a welcome.
func (r *relay) rejoin(c *conn) *ending {
	ctx, cancel := context.WithTimeout(context.Background(), ownerJoinWait)
	defer cancel()
	w, err := r.owner.Join(ctx, RemoteJoin{Key: c.far.key, Hello: c.far.hello, Remote: c.remote, Host: c.reached, Quiet: true})
	switch {
	case err != nil:
		return nil // the command is lost; the viewer may send it again
	case w.Code != 0:
		return &ending{code: w.Code, reason: w.Reason, linger: true}
	}
	return nil
}

// ended forgets c, and tells the owner, once its socket closes.
func (r *relay) ended(h *hub, c *conn) {
	if c.far == nil || r.keys[c.far.key] != c {
		return
	}
	delete(r.keys, c.far.key)
	key := c.far.key
	h.later(func() { r.owner.Leave(key) })
}
