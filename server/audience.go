package server

import (
	"iter"
	"math/rand/v2"
	"time"

	"github.com/livecart/livecart/protocol"
)

// The hub's side of a connection's life: registering it once upgraded,
// joining it to the show with its welcome (and, for a resume, what it
// missed), the counts of who has joined as what and the viewers event
// that announces them, ending it, evicting it when it falls behind, and
// the pinger that keeps every connection's heartbeat.

// viewersInterval is the shortest time between two viewers events, so a
// connect storm costs the audience one event, not one per connection.
const viewersInterval = 500 * time.Millisecond

// announcement rate-limits the viewers event.
type announcement struct {
	count int         // the count last announced
	at    time.Time   // when
	timer *time.Timer // pending announcement, or nil
}

// viewersLocked is how many viewers have joined; hostsLocked how many hosts.
func (h *hub) viewersLocked() int { return h.viewers }
func (h *hub) hostsLocked() int   { return h.hosts }

// announcedLocked is the viewer count the show last announced: what every
// screen's header shows.
func (h *hub) announcedLocked() int { return h.announced.count }

// viewerCount is viewersLocked for callers without the lock.
func (h *hub) viewerCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.viewers
}

// joinedLocked yields every joined connection that has not ended. The
// connections it yields may be ended (endLocked) as it goes.
func (h *hub) joinedLocked() iter.Seq[*conn] {
	return func(yield func(*conn) bool) {
		for c := range h.conns {
			if c.joined && !yield(c) {
				return
			}
		}
	}
}

// register adds a freshly upgraded connection, which from here on counts
// two goroutines (its read loop and the writer that closes its socket),
// and starts the pinger if it is not running. It reports false, adding
// nothing, once the hub has shut down.
func (h *hub) register(c *conn) bool {
	ok := false
	h.locked(func() {
		if h.closed {
			return
		}
		h.conns[c] = struct{}{}
		h.wg.Add(2)
		h.startPingerLocked()
		ok = true
	})
	return ok
}

// joinLocked makes c part of the audience: from the next batch on it
// receives every event. It queues c's welcome, whose data welcome builds
// (the show's snapshot, or for a resume just the client's identity), and
// after it, for a resume the history can honour, the events c missed. The
// welcome is numbered and queued under the same lock that publishes, so
// the next event c receives is the one after the welcome's seq or after
// the last replayed event: nothing is missed or doubled. It returns
// whether c resumed and how many events were replayed; ok is false when
// the welcome could not be built, and c has been ended.
func (h *hub) joinLocked(c *conn, resume *protocol.Resume, welcome func(resumed bool) any) (resumed bool, replayed uint64, ok bool) {
	h.addJoinedLocked(c)
	h.joins++
	c.joinedAs = h.joins
	if c.id.Role == protocol.RoleViewer {
		h.viewers++
		h.viewersChangedLocked()
	} else {
		h.hosts++
	}
	replay, resumed := h.resumeLocked(resume)
	if c.far != nil {
		// An edge replays, from its own history or the journal: it asked
		// only if it can.
		replay = nil
		resumed = c.far.resume && resume != nil && resume.Epoch == h.epoch && resume.Seq <= h.seq
	}
	seq := h.seq
	if resumed {
		seq = resume.Seq
	}
	if c.far != nil {
		c.far.at, c.far.resumed = seq, resumed
	}
	frame, err := protocol.Encode(protocol.TypeWelcome, seq, h.now(), welcome(resumed))
	if err != nil {
		h.endLocked(c, protocol.CloseInternal, "could not build the welcome")
		h.later(func() { h.log.Error("welcome not sent", "id", c.id.ID, "err", err) })
		return false, 0, false
	}
	h.offerLocked(c, frame)
	for _, f := range replay {
		if c.ended {
			break
		}
		h.offerLocked(c, f)
	}
	return resumed, h.seq - seq, true
}

// resumeLocked returns what a hello's resume asks to be replayed, in
// frames ready to queue, and whether it can be honoured at all.
func (h *hub) resumeLocked(r *protocol.Resume) ([][]byte, bool) {
	if r == nil || r.Epoch != h.epoch {
		return nil, false
	}
	missed, ok := h.history.since(r.Seq, h.seq)
	if !ok {
		return nil, false
	}
	return chunk(missed, replayChunk), true
}

// end closes c with code and reason unless it has already ended, and
// returns the code and reason it ends with: the first reason wins.
func (h *hub) end(c *conn, code int, reason string) (int, string) {
	var endCode int
	var endReason string
	h.locked(func() {
		h.endLocked(c, code, reason)
		endCode, endReason = c.closeCode, c.closeText
	})
	return endCode, endReason
}

// endLocked takes c out of the show and tells its writer to close the
// socket with code (0: without a close frame). The writer reads the code
// after done is closed, which orders it after these writes.
func (h *hub) endLocked(c *conn, code int, reason string) {
	if c.ended {
		return
	}
	c.ended = true
	c.closeCode = code
	c.closeText = closeReason(reason)
	delete(h.conns, c)
	if c.joined {
		h.leaveLocked(c)
	}
	if h.ending != nil {
		h.ending(c)
	}
	close(c.done)
	if c.onEdge() {
		// No socket here: the edge that has it closes it.
		if code != 0 {
			c.far.link.End(c.far.key, code, c.closeText)
		}
		return
	}
	c.kick() // to close the socket
}

// addJoinedLocked puts c on the fan-out list; a viewer whose socket is on
// an edge is a member, not on the list: the edge fans out to it.
func (h *hub) addJoinedLocked(c *conn) {
	c.joined = true
	if c.onEdge() {
		c.slot = -1
		return
	}
	c.slot = len(h.joined)
	h.joined = append(h.joined, c)
}

// leaveLocked takes c off the fan-out list, in constant time, and out of
// the counts.
func (h *hub) leaveLocked(c *conn) {
	if c.slot >= 0 {
		last := len(h.joined) - 1
		moved := h.joined[last]
		h.joined[c.slot] = moved
		moved.slot = c.slot
		h.joined[last] = nil
		h.joined = h.joined[:last]
		c.slot = -1
	}
	switch c.id.Role {
	case protocol.RoleViewer:
		h.viewers--
		h.viewersChangedLocked()
	case protocol.RoleHost:
		h.hosts--
	}
}

// evictLocked ends c, whose queue is full: it has fallen too far behind,
// and is evicted rather than waited for, so one slow client never holds up
// the show.
func (h *hub) evictLocked(c *conn) {
	if c.ended {
		return
	}
	h.endLocked(c, protocol.CloseSlowConsumer, "fell too far behind the show")
	h.later(func() {
		h.log.Warn("evicted slow consumer", "id", c.id.ID, "name", c.id.Name, "remote", c.remote, "queue", h.sendQueue)
	})
}

// viewersChangedLocked arranges a viewers event: straight away if none went
// out in the last viewersInterval, otherwise once the interval is over, with
// whatever the count is by then. Announcing from a timer rather than inline
// also keeps eviction, which changes the count, from publishing in the
// middle of a publish.
func (h *hub) viewersChangedLocked() {
	if h.closed || h.relay || h.announced.timer != nil {
		return
	}
	wait := max(viewersInterval-time.Since(h.announced.at), 0)
	h.wg.Add(1)
	h.announced.timer = time.AfterFunc(wait, h.announceViewers)
}

func (h *hub) announceViewers() {
	defer h.wg.Done()
	h.locked(func() {
		h.announced.timer = nil
		if h.closed || h.viewers == h.announced.count {
			return
		}
		h.announced.count = h.viewers
		h.announced.at = time.Now()
		if h.announcing != nil {
			h.announcing()
		}
		h.publishLazyLocked(protocol.TypeViewers, protocol.Viewers{Count: h.viewers})
	})
}

// pongWait is how long a connection may stay silent: two ping periods.
func (h *hub) pongWait() time.Duration { return 2 * h.pingPeriod }

// The heartbeat. The pinger looks at every joined connection pingSlices
// times a ping period. It pings one that has been silent, either way, for
// its pingAfter: nothing written to it (the peer gives up on us after two
// periods of that) or nothing heard from it (we give up on the peer). A
// connection that gets events, or whose client pings every period as ours
// do and so gets our pongs, needs no ping of ours. pingAfter is drawn for
// each connection between pingAfterMin and pingAfterMax periods: past one
// period, so that a client's own pings (every period) make ours needless,
// and short of two by enough for the answer to come back; and different
// for each connection, so that a show whose audience went quiet at once,
// or connected at once, is pinged over several seconds, not in one burst.
// A ping that got no answer is repeated every pingRetry of pingAfter until
// the peer answers or its read deadline closes it.
const (
	pingSlices   = 16
	pingAfterMin = 1.125 // ping periods
	pingAfterMax = 1.5   // ping periods
	pingRetry    = 4     // a quarter of pingAfter
)

// clock is the hub's monotonic clock in nanoseconds, for readings kept in
// atomics; clockAt converts a reading of time.Now.
func (h *hub) clock() int64              { return h.clockAt(time.Now()) }
func (h *hub) clockAt(t time.Time) int64 { return int64(t.Sub(h.started)) }

// pingAfter draws a connection's pingAfter; see the heartbeat above.
func (h *hub) pingAfter() int64 {
	p := float64(h.pingPeriod)
	return int64(p*pingAfterMin + rand.Float64()*p*(pingAfterMax-pingAfterMin))
}

// startPingerLocked starts the loop that keeps every connection's
// heartbeat, unless it runs already. One loop for the whole server, rather
// than a timer per connection, keeps an idle connection down to its read
// loop.
func (h *hub) startPingerLocked() {
	if h.closed || h.pingStop != nil {
		return
	}
	h.pingStop = make(chan struct{})
	h.wg.Add(1)
	go h.pingLoop(h.pingStop)
}

func (h *hub) pingLoop(stop <-chan struct{}) {
	defer h.wg.Done()
	tick := time.NewTicker(h.pingPeriod / pingSlices)
	defer tick.Stop()
	var all []*conn
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		// h.joined holds no viewer on an edge: its edge keeps its heartbeat.
		h.locked(func() { all = append(all, h.joined...) })
		now := h.clock()
		for _, c := range all {
			h.heartbeat(c, now)
		}
		clear(all)
		all = all[:0]
	}
}

// heartbeat pings c if it has been silent for its pingAfter.
func (h *hub) heartbeat(c *conn, now int64) {
	wrote, heard := now-c.lastWrite.Load(), now-c.lastHeard.Load()
	if wrote >= c.pingAfter || (heard >= c.pingAfter && now-c.lastPing.Load() >= c.pingAfter/pingRetry) {
		c.lastPing.Store(now)
		c.pingDue.Store(true)
		c.kick()
	}
}
