package server

import (
	"time"

	"github.com/livecart/livecart/protocol"
)

// The hub batches show events. A published event waits in the outbox; the
// flusher numbers and encodes what is waiting, joins it into frames once,
// and offers the same bytes to every joined connection. Each viewer then
// costs one queue offer and one socket write per batch instead of per
// event: on a small machine the write syscalls, not the JSON, are what a
// busy show runs out of.
//
// Chat and viewer counts wait up to one flush interval, which grows with
// the audience (more viewers, more writes per batch, so fewer batches).
// Everything else (pins, prices, stock, deals, purchases, moderation) asks
// for a flush at once. A product that changes again before the flusher gets
// to it goes out once, with its latest state.
//
// The flusher takes a batch and a list of the joined connections under the
// show's mutex, in one step, and offers the batch after releasing it: a
// connection that joins later got a welcome that already covers the batch,
// one that joined before is on the list, so nothing is missed or doubled,
// and a say or a join never waits for a fan-out to thousands of queues.

const (
	// flushPerViewer sizes the interval: about 25 ms at 1,000 viewers.
	flushPerViewer = 25 * time.Microsecond
	// minFlushInterval keeps a small show's chat immediate.
	minFlushInterval = 2 * time.Millisecond
	// maxFlushInterval bounds what a large audience adds to chat latency.
	maxFlushInterval = 200 * time.Millisecond
)

// flushInterval is the shortest time between two batches for an audience
// of viewers.
func flushInterval(viewers int) time.Duration {
	return min(max(time.Duration(viewers)*flushPerViewer, minFlushInterval), maxFlushInterval)
}

// pending is one published event that has not been sent yet. It has no
// seq: seqs are given out in the order the flusher sends.
type pending struct {
	typ     protocol.Type
	data    any
	product int // for protocol.TypeProduct, an index into products; data is unused
}

// outbox is what the show has published since the last batch. Guarded by
// Server.mu.
type outbox struct {
	events    []pending
	queued    []bool // by product index: a product event is in events
	urgent    bool   // flush without waiting for the interval
	lastFlush time.Time
	running   bool          // the flush loop runs
	kick      chan struct{} // wakes the flush loop; capacity 1
	stop      chan struct{} // closed to stop it
	joined    []*conn       // every joined connection, for the fan-out list
	replies   []reply       // pongs owed after the events queued before them
	manual    bool          // tests: no flush loop; batches go when flush is called
}

// reply is a frame for one connection that must follow a batch.
type reply struct {
	c     *conn
	frame []byte
}

// publishLocked queues one show event for the next batch.
func (s *Server) publishLocked(typ protocol.Type, data any) {
	s.outboxLocked(pending{typ: typ, data: data, product: -1})
}

// publishProductLocked queues product i's current state for the next batch;
// if it is queued already, that one event will carry the latest state.
func (s *Server) publishProductLocked(i int) {
	if s.out.queued[i] {
		s.out.urgent = true
		s.kickLocked()
		return
	}
	s.out.queued[i] = true
	s.outboxLocked(pending{typ: protocol.TypeProduct, product: i})
}

func (s *Server) outboxLocked(p pending) {
	if s.closed {
		return
	}
	wasEmpty := len(s.out.events) == 0
	s.out.events = append(s.out.events, p)
	if p.typ != protocol.TypeChat && p.typ != protocol.TypeViewers {
		s.out.urgent = true
		s.kickLocked()
		return
	}
	// With events already waiting, the loop has a wake-up due.
	if wasEmpty {
		s.kickLocked()
	}
}

// kickLocked wakes the flush loop, starting it the first time. A closed
// server starts nothing: its goroutines may already be waited for.
func (s *Server) kickLocked() {
	if s.out.manual || s.closed {
		return
	}
	if !s.out.running {
		s.out.running = true
		s.out.kick = make(chan struct{}, 1)
		s.out.stop = make(chan struct{})
		s.wg.Add(1)
		go s.flushLoop(s.out.kick, s.out.stop)
	}
	select {
	case s.out.kick <- struct{}{}:
	default:
	}
}

// stopFlushLocked ends the flush loop; what is still queued is dropped with
// the connections it was for.
func (s *Server) stopFlushLocked() {
	if s.out.running {
		close(s.out.stop)
		s.out.running = false
	}
	s.out.events = nil
	s.out.replies = nil
	clear(s.out.queued)
}

func (s *Server) flushLoop(kick, stop <-chan struct{}) {
	defer s.wg.Done()
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
		if wait := s.flush(false); wait > 0 {
			timer.Reset(wait)
		}
	}
}

// flush sends what the outbox holds as one batch, unless nothing is urgent
// and the last batch went out less than an interval ago; then it returns
// how long to wait. now forces the batch out regardless (tests and
// benchmarks). Only one flush runs at a time, so batches reach every
// queue in seq order.
func (s *Server) flush(now bool) time.Duration {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	var frames [][]byte
	var replies []reply
	var wait time.Duration
	s.locked(func() {
		if len(s.out.events) == 0 {
			return
		}
		if !now && !s.out.urgent {
			if wait = flushInterval(s.viewers) - time.Since(s.out.lastFlush); wait > 0 {
				return
			}
		}
		frames = s.takeBatchLocked()
		s.fanout = append(s.fanout[:0], s.out.joined...)
		replies = s.out.replies
		s.out.replies = nil
	})
	if len(frames) == 0 && len(replies) == 0 {
		return wait
	}
	var slow []*conn
	for _, c := range s.fanout {
		for _, f := range frames {
			select {
			case c.send <- f:
				continue
			default:
				slow = append(slow, c)
			}
			break
		}
		c.kick()
	}
	clear(s.fanout) // the list must not keep ended connections alive
	for _, r := range replies {
		select {
		case r.c.send <- r.frame:
			r.c.kick()
		default:
			slow = append(slow, r.c)
		}
	}
	if len(slow) > 0 {
		s.locked(func() {
			for _, c := range slow {
				s.evictLocked(c)
			}
		})
	}
	return 0
}

// takeBatchLocked numbers and encodes every queued event, records it in the
// history and the recent chat, and returns the batch as frames of at most
// about batchBytes, newline-separated events in seq order (chunk, as a
// replay is framed).
func (s *Server) takeBatchLocked() [][]byte {
	events := make([][]byte, 0, len(s.out.events))
	ts := s.now()
	for _, p := range s.out.events {
		data := p.data
		if p.typ == protocol.TypeProduct {
			data = s.products[p.product]
			s.out.queued[p.product] = false
		}
		b, err := protocol.Encode(p.typ, s.seq+1, ts, data)
		if err != nil {
			typ := p.typ
			s.afterUnlock = append(s.afterUnlock, func() { s.log.Error("event not sent", "type", typ, "err", err) })
			continue
		}
		s.seq++
		s.history.add(s.seq, b)
		switch p.typ {
		case protocol.TypeChat:
			s.chat.add(p.data.(protocol.Chat))
		case protocol.TypeChatDeleted:
			// A line deleted while it waited here is in the recent chat
			// only from the step above.
			for _, id := range p.data.(protocol.ChatDeleted).IDs {
				s.chat.remove(id)
			}
		}
		events = append(events, b)
	}
	clear(s.out.events) // drop references to the payloads
	s.out.events = s.out.events[:0]
	s.out.urgent = false
	s.out.lastFlush = time.Now()
	return chunk(events, batchBytes)
}

// evictLocked ends c, whose queue is full: it has fallen too far behind,
// and is evicted rather than waited for, so one slow client never holds up
// the show.
func (s *Server) evictLocked(c *conn) {
	if c.ended {
		return
	}
	s.endLocked(c, protocol.CloseSlowConsumer, "fell too far behind the show")
	s.afterUnlock = append(s.afterUnlock, func() {
		s.log.Warn("evicted slow consumer", "id", c.id.ID, "name", c.id.Name, "remote", c.remote, "queue", s.sendQueue)
	})
}

// addJoinedLocked puts c on the fan-out list.
func (s *Server) addJoinedLocked(c *conn) {
	c.slot = len(s.out.joined)
	s.out.joined = append(s.out.joined, c)
}

// removeJoinedLocked takes c off the fan-out list in constant time.
func (s *Server) removeJoinedLocked(c *conn) {
	last := len(s.out.joined) - 1
	moved := s.out.joined[last]
	s.out.joined[c.slot] = moved
	moved.slot = c.slot
	s.out.joined[last] = nil
	s.out.joined = s.out.joined[:last]
	c.slot = -1
}

// startPingerLocked starts the loop that pings every connection, unless it
// runs already. One loop for the whole server, rather than a timer per
// connection, keeps an idle connection down to its read loop.
func (s *Server) startPingerLocked() {
	if s.closed || s.pingStop != nil {
		return
	}
	s.pingStop = make(chan struct{})
	s.wg.Add(1)
	go s.pingLoop(s.pingStop)
}

func (s *Server) pingLoop(stop <-chan struct{}) {
	defer s.wg.Done()
	tick := time.NewTicker(s.pingPeriod)
	defer tick.Stop()
	var all []*conn
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		s.locked(func() {
			for c := range s.conns {
				all = append(all, c)
			}
		})
		for _, c := range all {
			c.pingDue.Store(true)
			c.kick()
		}
		clear(all)
		all = all[:0]
	}
}
