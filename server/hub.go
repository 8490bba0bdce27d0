package server

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livecart/livecart/protocol"
)

// The hub is the show's audience and its delivery: the set of connections,
// who has joined and as what, the outbox of published events, the flusher
// that sends them in batches, the numbering (seq) and history a resume
// replays from, the order of pongs behind batches, and the eviction of
// connections that fall behind (audience.go holds the connections' side).
// It knows nothing of products, chat or orders; the show (Server) decides
// what to publish and to whom, through a narrow set of methods:
//
//   - publishLocked: a show event that goes out at once (a pin, a price,
//     a purchase, a moderation change);
//   - publishLazyLocked: one that may wait up to a flush interval for
//     others to share its batch (chat; the hub's own viewers counts);
//   - publishStateLocked: a product's state, encoded when its batch goes,
//     so a product changed twice on the way goes out once;
//   - sendLocked, offerLocked and send: an event for one connection, in
//     its queue behind what it already has; pong: a pong, behind the
//     events published before its ping;
//   - joinLocked: a connection joins, atomic with its welcome's snapshot;
//     endLocked: it leaves; joinedLocked, viewersLocked, hostsLocked: who
//     is there.
//
// An event's way: publish* appends it to the outbox and wakes the flush
// loop; the flusher, with mu held, numbers it (seq), encodes it once into
// the batch's frames, adds it to the history and tells the show (sent);
// then, with mu released, it writes the same frames to the socket of
// every connection on the fan-out list that takes them at once, and offers
// them to the send queue of every other, kicking its writer (direct.go). A
// queue that is full gets its connection evicted with
// protocol.CloseSlowConsumer.
//
// The hub batches show events. A published event waits in the outbox; the
// flusher numbers and encodes what is waiting, joins it into frames once,
// and writes the same bytes to every joined connection. Each viewer then
// costs one socket write per batch instead of per event: on a small
// machine the write syscalls, not the JSON, are what a busy show runs out
// of.
//
// Chat and viewer counts wait up to one flush interval, which grows with
// the audience (more viewers, more writes per batch, so fewer batches),
// and is longer while the show's chat cap holds lines back.
// Everything else (pins, prices, stock, deals, purchases, moderation) asks
// for a flush at once. A product that changes again before the flusher gets
// to it goes out once, with its latest state.
//
// The flusher takes a batch and a list of the joined connections under mu,
// in one step, and offers the batch after releasing it: a connection that
// joins later got a welcome that already covers the batch, one that joined
// before is on the list, so nothing is missed or doubled, and a say or a
// join never waits for a fan-out to thousands of queues.
//
// mu is also the show's lock (see Server): a command changes the show and
// publishes its event in one step, the flusher reads a product's latest
// state as it encodes it, and a join builds its welcome from the show as it
// is at the seq it joins at. Each of these needs the show and the hub at
// once, so they share one lock; it is never held across I/O.

const (
	// flushPerViewer sizes the interval: 5 ms at 1,000 viewers, a little
	// more than writing a batch to them takes (about 3.5 µs a socket on
	// one core of a small machine), so that a busy show spends less than
	// its time between batches writing them.
	flushPerViewer = 5 * time.Microsecond
	// minFlushInterval keeps a small show's chat immediate.
	minFlushInterval = 2 * time.Millisecond
	// maxFlushInterval bounds what a large audience adds to chat latency.
	maxFlushInterval = 100 * time.Millisecond
	// stormFlushInterval is the interval, whatever the audience, while the
	// show's chat cap holds lines back (a storm): the chat is a sample of
	// what was said then, and fewer batches leave the machine to the
	// events that go at once (pins, prices, stock).
	stormFlushInterval = 200 * time.Millisecond
	// stormLinger is how long a storm lasts after the cap last held a
	// line back.
	stormLinger = time.Second
)

// flushInterval is the shortest time between two batches for an audience
// of viewers, in a storm or not (see stormFlushInterval).
func flushInterval(viewers int, storm bool) time.Duration {
	if storm {
		return stormFlushInterval
	}
	return min(max(time.Duration(viewers)*flushPerViewer, minFlushInterval), maxFlushInterval)
}

// hubConfig is what the show tells its hub once, in newHub.
type hubConfig struct {
	log        *slog.Logger
	now        func() time.Time // stamps every event
	epoch      string           // names the history; see protocol.Resume
	history    int              // events kept for resuming
	sendQueue  int              // each connection's queue, in frames
	pingPeriod time.Duration
	// states is how many keys publishStateLocked takes: 0 to states-1.
	states int
	// sent is told each event, with mu held, as the flusher numbers it, in
	// seq order; the show keeps its recent chat from it, so that a
	// welcome's chat and its seq agree.
	sent func(typ protocol.Type, data any)
	// announcing is told, with mu held, just before a viewers event is
	// queued: the show sends its hosts their metrics first, so that no
	// dashboard shows a count above its peak.
	announcing func()
	// seq is the seq of the last event already published, for a show
	// that carries on a journal's history; history holds its last events.
	seq      uint64
	replayed [][]byte
	// journal, when set, stores every batch before anyone sees it (see
	// journal.go); keyName names a state key for it; failed is told, once,
	// when it refuses.
	journal Journal
	keyName func(key int) string
	failed  func(error)
	// relay makes an edge's hub: events arrive numbered and encoded
	// (relayIn), and it announces nothing of its own (see relay.go).
	relay bool
	// ending is told, with mu held, of every connection that ends.
	ending func(c *conn)
}

// hub delivers the show to its connections; see the comment above.
type hub struct {
	journal    Journal              // see hubConfig
	keyName    func(key int) string // see hubConfig
	failed     func(error)          // see hubConfig
	relay      bool                 // see hubConfig
	ending     func(c *conn)        // see hubConfig
	log        *slog.Logger
	now        func() time.Time
	started    time.Time // the origin of clock
	epoch      string
	announcing func() // see hubConfig
	sendQueue  int
	pingPeriod time.Duration
	writeWait  time.Duration // bounds a writer's write; protocol.WriteWait but in tests
	sent       func(protocol.Type, any)

	// wg counts the connections' goroutines, the flush loop, the pinger
	// and a pending viewers announcement. Add is only called with mu held
	// and closed false, so a Wait that starts after closed is set cannot
	// miss a goroutine.
	wg sync.WaitGroup

	// writers counts the writer goroutines started so far, for the tests
	// that check which batches go without one.
	writers atomic.Int64

	// flushMu makes flushes take turns, and keeps a pong from overtaking a
	// batch on its way to the queues; fanout is the flusher's list of
	// connections to offer a batch to, reused from batch to batch.
	flushMu sync.Mutex
	fanout  []*conn

	mu sync.Mutex
	// Everything below is guarded by mu.
	afterUnlock []func()           // logging owed by the current critical section
	closed      bool               // shut down: nothing is queued or started any more
	ended       bool               // shut down because the show is over, not for a restart
	conns       map[*conn]struct{} // every upgraded connection, joined or not
	joined      []*conn            // every joined connection: the fan-out list
	viewers     int                // joined viewer-role connections
	hosts       int                // joined host-role connections
	joins       uint64             // connections that have joined so far
	seq         uint64             // seq of the last show event
	history     history
	durable     uint64         // seq of the last event the journal has stored (seq without one)
	advanced    chan struct{}  // closed and replaced whenever durable moves
	waiting     []*waitingJoin // relay: connections waiting for their welcome's seq
	out         outbox
	announced   announcement  // the viewers event
	pingStop    chan struct{} // closed to stop the pinger; nil until it starts
}

// pending is one published event that has not been sent yet. It has no
// seq: seqs are given out in the order the flusher sends.
type pending struct {
	typ  protocol.Type
	data any
	key  int  // for a state event, its key (data then points to the state); -1 otherwise
	lazy bool // may wait for the flush interval
	// A relayed event comes numbered and encoded.
	seq   uint64
	frame []byte
}

// outbox is what the show has published since the last batch.
type outbox struct {
	events    []pending
	queued    []bool // by state key: a state event is in events
	urgent    bool   // flush without waiting for the interval
	lastFlush time.Time
	storm     time.Time     // a storm lasts until then; see stormLocked
	running   bool          // the flush loop runs
	kick      chan struct{} // wakes the flush loop; capacity 1
	stop      chan struct{} // closed to stop it
	replies   []reply       // pongs owed after the events queued before them
	manual    bool          // tests: no flush loop; batches go when flush is called
}

// reply is a frame for one connection that must follow a batch.
type reply struct {
	c     *conn
	frame []byte
}

func newHub(cfg hubConfig) *hub {
	h := &hub{
		log:        cfg.log,
		now:        cfg.now,
		started:    time.Now(),
		epoch:      cfg.epoch,
		sendQueue:  cfg.sendQueue,
		pingPeriod: cfg.pingPeriod,
		writeWait:  protocol.WriteWait,
		sent:       cfg.sent,
		announcing: cfg.announcing,
		journal:    cfg.journal,
		keyName:    cfg.keyName,
		failed:     cfg.failed,
		relay:      cfg.relay,
		ending:     cfg.ending,
		conns:      make(map[*conn]struct{}),
		history:    newHistory(cfg.history),
		seq:        cfg.seq,
		durable:    cfg.seq,
		advanced:   make(chan struct{}),
		out:        outbox{queued: make([]bool, cfg.states)},
	}
	first := cfg.seq - uint64(len(cfg.replayed))
	for i, f := range cfg.replayed {
		h.history.add(first+uint64(i)+1, f)
	}
	return h
}

// locked runs fn with mu held, then runs whatever logging fn left with
// later: a log handler may write to a file, and mu is never held across
// I/O.
func (h *hub) locked(fn func()) {
	h.mu.Lock()
	fn()
	owed := h.afterUnlock
	h.afterUnlock = nil
	h.mu.Unlock()
	for _, f := range owed {
		f()
	}
}

// later runs f once mu is released; call it with mu held.
func (h *hub) later(f func()) {
	h.afterUnlock = append(h.afterUnlock, f)
}

// closedLocked reports whether the hub has shut down.
func (h *hub) closedLocked() bool { return h.closed }

// publishLocked queues one show event for the next batch and asks for that
// batch at once.
func (h *hub) publishLocked(typ protocol.Type, data any) {
	h.enqueueLocked(pending{typ: typ, data: data, key: -1}, true)
}

// publishLazyLocked queues one show event that may wait up to one flush
// interval for others to share its batch: chat and viewer counts.
func (h *hub) publishLazyLocked(typ protocol.Type, data any) {
	h.enqueueLocked(pending{typ: typ, data: data, key: -1, lazy: true}, false)
}

// stormLocked tells the hub that the show's chat cap has just held a line
// back: for stormLinger from now, chat waits for stormFlushInterval.
func (h *hub) stormLocked() {
	h.out.storm = time.Now().Add(stormLinger)
}

// stormingLocked reports whether the show is in a storm at t.
func (h *hub) stormingLocked(t time.Time) bool { return t.Before(h.out.storm) }

// publishStateLocked queues the state behind state, a pointer the show
// changes only with mu held, as one event under key, and asks for a batch
// at once. It is encoded when the batch goes out, so a key published again
// before then goes out once, with its latest state.
func (h *hub) publishStateLocked(key int, typ protocol.Type, state any) {
	if h.out.queued[key] {
		h.out.urgent = true
		h.kickLocked()
		return
	}
	h.out.queued[key] = true
	h.enqueueLocked(pending{typ: typ, data: state, key: key}, true)
}

func (h *hub) enqueueLocked(p pending, urgent bool) {
	if h.closed {
		return
	}
	wasEmpty := len(h.out.events) == 0
	h.out.events = append(h.out.events, p)
	if urgent {
		h.out.urgent = true
		h.kickLocked()
		return
	}
	// With events already waiting, the loop has a wake-up due.
	if wasEmpty {
		h.kickLocked()
	}
}

// kickLocked wakes the flush loop, starting it the first time. A closed
// hub starts nothing: its goroutines may already be waited for.
func (h *hub) kickLocked() {
	if h.out.manual || h.closed {
		return
	}
	if !h.out.running {
		h.out.running = true
		h.out.kick = make(chan struct{}, 1)
		h.out.stop = make(chan struct{})
		h.wg.Add(1)
		go h.flushLoop(h.out.kick, h.out.stop)
	}
	select {
	case h.out.kick <- struct{}{}:
	default:
	}
}

// stopFlushLocked ends the flush loop; what is still queued is dropped with
// the connections it was for.
func (h *hub) stopFlushLocked() {
	if h.out.running {
		close(h.out.stop)
		h.out.running = false
	}
	h.out.events = nil
	h.out.replies = nil
	clear(h.out.queued)
}

func (h *hub) flushLoop(kick, stop <-chan struct{}) {
	defer h.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-stop:
			timer.Stop()
			return
		case <-kick:
		case <-timer.C:
		}
		if wait := h.flush(false); wait > 0 {
			timer.Reset(wait)
		}
	}
}

// flush sends what the outbox holds as one batch, unless nothing is urgent
// and the last batch went out less than an interval ago; then it returns
// how long to wait. now forces the batch out regardless (tests and
// benchmarks). Only one flush runs at a time, so batches reach every
// queue in seq order.
func (h *hub) flush(now bool) time.Duration {
	h.flushMu.Lock()
	defer h.flushMu.Unlock()
	var frames [][]byte
	var entries []JournalEntry
	var replies []reply
	var wait time.Duration
	h.locked(func() {
		if len(h.out.events) == 0 {
			return
		}
		// The interval is sized by the connections a batch is written
		// to here: an owner's viewers on edges are written to by them.
		if !now && !h.out.urgent {
			t := time.Now()
			if wait = flushInterval(len(h.joined), h.stormingLocked(t)) - t.Sub(h.out.lastFlush); wait > 0 {
				return
			}
		}
		frames, entries = h.takeBatchLocked()
		h.fanout = append(h.fanout[:0], h.joined...)
		replies = h.out.replies
		h.out.replies = nil
		if h.relay {
			h.admitWaitingLocked()
		}
	})
	if len(frames) == 0 && len(replies) == 0 {
		return wait
	}
	if len(entries) > 0 && !h.store(entries) {
		clear(h.fanout)
		return 0
	}
	var slow []*conn
	if len(frames) > 0 {
		slow = writeBatch(h.fanout, frames, wireFrames(frames), h.clock())
	}
	clear(h.fanout) // the list must not keep ended connections alive
	for _, r := range replies {
		select {
		case r.c.send <- r.frame:
			r.c.kick()
		default:
			slow = append(slow, r.c)
		}
	}
	if len(slow) > 0 {
		h.locked(func() {
			for _, c := range slow {
				h.evictLocked(c)
			}
		})
	}
	return 0
}

// takeBatchLocked numbers and encodes every queued event, records it in the
// history, tells the show it went out, and returns the batch as frames of
// at most about batchBytes, newline-separated events in seq order (chunk,
// as a replay is framed), and, with a journal, the events to store first.
func (h *hub) takeBatchLocked() ([][]byte, []JournalEntry) {
	events := make([][]byte, 0, len(h.out.events))
	var entries []JournalEntry
	ts := h.now()
	storm := h.stormingLocked(time.Now())
	for _, p := range h.out.events {
		if p.frame != nil {
			if b := h.relayedLocked(p); b != nil {
				events = append(events, b)
			}
			continue
		}
		if p.key >= 0 {
			h.out.queued[p.key] = false
		}
		b, err := protocol.Encode(p.typ, h.seq+1, ts, p.data)
		if err != nil {
			typ := p.typ
			h.later(func() { h.log.Error("event not sent", "type", typ, "err", err) })
			continue
		}
		h.seq++
		h.history.add(h.seq, b)
		h.sent(p.typ, p.data)
		events = append(events, b)
		if h.journal != nil {
			e := JournalEntry{Seq: h.seq, Type: p.typ, Frame: b, Lazy: p.lazy, Storm: storm}
			if p.key >= 0 && h.keyName != nil {
				e.Key = h.keyName(p.key)
			}
			entries = append(entries, e)
		}
	}
	if h.journal == nil {
		h.advanceLocked(h.seq)
	}
	clear(h.out.events) // drop references to the payloads
	h.out.events = h.out.events[:0]
	h.out.urgent = false
	h.out.lastFlush = time.Now()
	return chunk(events, batchBytes), entries
}

// offerLocked queues frame for c without waiting; a full queue evicts c.
func (h *hub) offerLocked(c *conn, frame []byte) {
	if c.onEdge() {
		c.far.offer(frame)
		return
	}
	select {
	case c.send <- frame:
		c.kick()
	default:
		h.evictLocked(c)
	}
}

// sendLocked queues one event without a seq for c alone, through the same
// queue as the show's events so the writer stays the only one that writes.
func (h *hub) sendLocked(c *conn, typ protocol.Type, data any) {
	frame, err := protocol.Encode(typ, 0, h.now(), data)
	if err != nil {
		h.later(func() { h.log.Error("event not sent", "type", typ, "id", c.id.ID, "err", err) })
		return
	}
	if !c.ended {
		h.offerLocked(c, frame)
	}
}

// send is sendLocked for callers without the lock; it encodes first.
func (h *hub) send(c *conn, typ protocol.Type, data any) {
	frame, err := protocol.Encode(typ, 0, h.now(), data)
	if err != nil {
		h.log.Error("reply not sent", "type", typ, "id", c.id.ID, "err", err)
		return
	}
	h.locked(func() {
		if !c.ended {
			h.offerLocked(c, frame)
		}
	})
}

// pong queues the answer to c's ping after every event published before
// the ping: a client that sends commands and then a ping has, by the pong,
// seen what they did. While events wait for a batch the pong waits with
// them, and flushMu keeps it from overtaking a batch on its way to the
// queues.
func (h *hub) pong(c *conn) {
	frame, err := protocol.Encode(protocol.TypePong, 0, h.now(), nil)
	if err != nil {
		h.log.Error("reply not sent", "type", protocol.TypePong, "id", c.id.ID, "err", err)
		return
	}
	h.flushMu.Lock()
	defer h.flushMu.Unlock()
	h.locked(func() {
		switch {
		case c.ended:
		case len(h.out.events) > 0:
			h.out.replies = append(h.out.replies, reply{c: c, frame: frame})
		default:
			h.offerLocked(c, frame)
		}
	})
}

// closeLocked shuts the hub down: every connection is closed with
// protocol.CloseShowEnded when ended (the show is over), else with
// protocol.CloseGoingAway (a restart: come back), the flush loop, the
// pinger and a pending announcement stop, and nothing is queued or
// started from here on. It reports false when the hub had shut down
// already.
func (h *hub) closeLocked(ended bool) bool {
	if h.closed {
		return false
	}
	h.closed, h.ended = true, ended
	if h.announced.timer != nil && h.announced.timer.Stop() {
		h.wg.Done() // the announcement will never run to do it
	}
	h.announced.timer = nil
	h.stopFlushLocked()
	if h.pingStop != nil {
		close(h.pingStop)
	}
	code, reason := h.farewellLocked()
	for c := range h.conns {
		if c.onEdge() && !ended {
			// Its edge keeps it, for the server that comes back.
			h.endLocked(c, 0, reason)
			continue
		}
		h.endLocked(c, code, reason)
	}
	for _, w := range h.waiting {
		w.stopLocked(h)
	}
	h.waiting = nil
	return true
}

// farewell is farewellLocked for callers that do not hold the lock.
func (h *hub) farewell() (code int, reason string) {
	h.locked(func() { code, reason = h.farewellLocked() })
	return code, reason
}

// farewellLocked is the close code and reason a closed hub sends: the
// show has ended, or the server is going away and clients come back.
func (h *hub) farewellLocked() (code int, reason string) {
	if h.ended {
		return protocol.CloseShowEnded, "the show has ended"
	}
	return protocol.CloseGoingAway, "the show server is shutting down"
}

// wait returns once every goroutine the hub started has ended; call it
// after closeLocked.
func (h *hub) wait() { h.wg.Wait() }
