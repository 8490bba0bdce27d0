package server

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/livecart/livecart/protocol"
)

// chatRing keeps the most recent chat lines for the welcome snapshot.
type chatRing struct {
	lines [protocol.MaxRecentChat]protocol.Chat
	start int // index of the oldest line
	n     int
}

func (r *chatRing) add(line protocol.Chat) {
	if r.n < len(r.lines) {
		r.lines[(r.start+r.n)%len(r.lines)] = line
		r.n++
		return
	}
	r.lines[r.start] = line
	r.start = (r.start + 1) % len(r.lines)
}

// remove takes the line with id out of the ring and reports whether it was
// there.
func (r *chatRing) remove(id string) bool {
	lines := r.list()
	i := slices.IndexFunc(lines, func(l protocol.Chat) bool { return l.ID == id })
	if i < 0 {
		return false
	}
	*r = chatRing{}
	for _, l := range slices.Delete(lines, i, i+1) {
		r.add(l)
	}
	return true
}

// list returns the lines oldest first, in a new slice.
func (r *chatRing) list() []protocol.Chat {
	out := make([]protocol.Chat, 0, r.n)
	for i := range r.n {
		out = append(out, r.lines[(r.start+i)%len(r.lines)])
	}
	return out
}

// locked runs fn with mu held, then runs whatever logging fn left in
// afterUnlock: a log handler may write to a file, and mu is never held
// across I/O.
func (s *Server) locked(fn func()) {
	s.mu.Lock()
	fn()
	later := s.afterUnlock
	s.afterUnlock = nil
	s.mu.Unlock()
	for _, f := range later {
		f()
	}
}

// offerLocked queues frame for c without waiting; a full queue evicts c.
func (s *Server) offerLocked(c *conn, frame []byte) {
	select {
	case c.send <- frame:
		c.kick()
	default:
		s.evictLocked(c)
	}
}

// reply sends a unicast event (no seq) to c alone, through the same queue
// as the show's events so the write loop stays the only writer.
func (s *Server) reply(c *conn, typ protocol.Type, data any) {
	frame, err := protocol.Encode(typ, 0, s.now(), data)
	if err != nil {
		s.log.Error("reply not sent", "type", typ, "id", c.id.ID, "err", err)
		return
	}
	if typ == protocol.TypePong {
		s.pong(c, frame)
		return
	}
	s.locked(func() {
		if !c.ended {
			s.offerLocked(c, frame)
		}
	})
}

// pong queues the answer to a ping after every event published before
// the ping: a client that sends commands and then a ping has, by the
// pong, seen what they did. While events wait for a batch the pong waits
// with them, and flushMu keeps it from overtaking a batch on its way to
// the queues.
func (s *Server) pong(c *conn, frame []byte) {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.locked(func() {
		switch {
		case c.ended:
		case len(s.out.events) > 0:
			s.out.replies = append(s.out.replies, reply{c: c, frame: frame})
		default:
			s.offerLocked(c, frame)
		}
	})
}

// end closes c with code and reason unless it has already ended, and
// returns the code and reason it ends with: the first reason wins.
func (s *Server) end(c *conn, code int, reason string) (int, string) {
	var endCode int
	var endReason string
	s.locked(func() {
		s.endLocked(c, code, reason)
		endCode, endReason = c.closeCode, c.closeText
	})
	return endCode, endReason
}

// endLocked takes c out of the show and tells its write loop to close the
// socket with code (0: without a close frame). The write loop reads the code
// after done is closed, which orders it after these writes.
func (s *Server) endLocked(c *conn, code int, reason string) {
	if c.ended {
		return
	}
	c.ended = true
	c.closeCode = code
	c.closeText = closeReason(reason)
	delete(s.conns, c)
	if c.joined {
		s.removeJoinedLocked(c)
	}
	switch {
	case c.joined && c.id.Role == protocol.RoleViewer:
		s.viewers--
		s.viewersChangedLocked()
	case c.joined && c.id.Role == protocol.RoleHost:
		s.hosts--
	}
	close(c.done)
	c.kick() // to close the socket
}

// join makes c part of the show: from here on it receives every event. The
// welcome (and, for a resume, the events c missed) is built and queued
// under the same lock that publishes, so the next event c receives is the
// one after the welcome's seq or the last replayed event: nothing is missed
// or doubled. Slow mode, which the welcome has no field for, follows it as
// a settings event without a seq; a host also gets its first metrics at
// once. It returns why c cannot join: it was closed while it said hello,
// or it was banned.
func (s *Server) join(c *conn, resume *protocol.Resume) *ending {
	var refused *ending
	s.locked(func() {
		if c.ended {
			refused = &ending{reason: "closed before joining"}
			return
		}
		if c.id.Role == protocol.RoleViewer && s.mod.banned[c.id.ID] {
			refused = &ending{code: protocol.CloseBanned, reason: banReason, linger: true}
			return
		}
		c.joined = true
		s.addJoinedLocked(c)
		s.joins++
		c.joinedAs = s.joins
		if c.id.Role == protocol.RoleViewer {
			s.viewers++
			s.viewersChangedLocked()
		} else {
			s.hosts++
		}
		s.countJoinLocked(c)
		replay, resumed := s.resumeLocked(resume)
		seq := s.seq
		if resumed {
			seq = resume.Seq
		}
		frame, err := protocol.Encode(protocol.TypeWelcome, seq, s.now(), s.welcomeLocked(c, resumed))
		if err != nil {
			s.endLocked(c, protocol.CloseInternal, "could not build the welcome")
			s.afterUnlock = append(s.afterUnlock, func() { s.log.Error("welcome not sent", "id", c.id.ID, "err", err) })
			refused = &ending{reason: "could not build the welcome"}
			return
		}
		s.offerLocked(c, frame)
		for _, f := range replay {
			if c.ended {
				break
			}
			s.offerLocked(c, f)
		}
		if s.mod.slowMode > 0 {
			s.unicastLocked(c, protocol.TypeSettings, s.settingsLocked())
		}
		if c.id.Role == protocol.RoleHost {
			s.unicastLocked(c, protocol.TypeMetrics, s.metricsLocked())
			s.startMetricsLocked()
		}
		if c.ended {
			refused = &ending{reason: "evicted while joining"}
			return
		}
		if resumed {
			after, replayed := resume.Seq, s.seq-resume.Seq
			s.afterUnlock = append(s.afterUnlock, func() {
				s.log.Info("resumed", "id", c.id.ID, "after", after, "replayed", replayed)
			})
		}
	})
	return refused
}

// unicastLocked queues one event without a seq for c alone.
func (s *Server) unicastLocked(c *conn, typ protocol.Type, data any) {
	frame, err := protocol.Encode(typ, 0, s.now(), data)
	if err != nil {
		s.afterUnlock = append(s.afterUnlock, func() { s.log.Error("event not sent", "type", typ, "id", c.id.ID, "err", err) })
		return
	}
	if !c.ended {
		s.offerLocked(c, frame)
	}
}

// welcomeLocked returns c's welcome. A full one is a snapshot of the show
// that shares no memory with the live state, so nothing the show does later
// can change it; a resumed one leaves out what the client already has.
func (s *Server) welcomeLocked(c *conn, resumed bool) protocol.Welcome {
	w := protocol.Welcome{
		Version:  protocol.Version,
		Epoch:    s.epoch,
		Resumed:  resumed,
		You:      c.id,
		Show:     s.show,
		Viewers:  s.viewers,
		Checkout: c.checkout,
	}
	if c.clientID != "" {
		// Orders placed through this link are reported back to the
		// client's connections, and count against its deal limits.
		w.Checkout += "?ref=" + c.clientID
	}
	if resumed {
		return w
	}
	w.Catalog = clone(s.products)
	w.Chat = s.chat.list()
	if s.pinned != nil {
		pin := *s.pinned
		w.Pinned = &pin
	}
	return w
}

// viewersChangedLocked arranges a viewers event: straight away if none went
// out in the last viewersInterval, otherwise once the interval is over, with
// whatever the count is by then. Announcing from a timer rather than inline
// also keeps eviction, which changes the count, from publishing in the
// middle of a publish.
func (s *Server) viewersChangedLocked() {
	if s.closed || s.viewersTimer != nil {
		return
	}
	wait := max(viewersInterval-time.Since(s.viewersSentAt), 0)
	s.wg.Add(1)
	s.viewersTimer = time.AfterFunc(wait, s.announceViewers)
}

func (s *Server) announceViewers() {
	defer s.wg.Done()
	s.locked(func() {
		s.viewersTimer = nil
		if s.closed || s.viewers == s.viewersSent {
			return
		}
		s.viewersSent = s.viewers
		s.viewersSentAt = time.Now()
		s.publishLocked(protocol.TypeViewers, protocol.Viewers{Count: s.viewers})
	})
}

// do runs one command of c's with mu held and returns the error to send
// back, if any. Commands from a connection that has already been closed
// (an evicted client's last frames) are dropped.
func (s *Server) do(c *conn, fn func() *protocol.Error) *protocol.Error {
	var e *protocol.Error
	s.locked(func() {
		if !c.ended {
			e = fn()
		}
	})
	return e
}

// sayLocked publishes a chat line from author, sent by from (nil in
// benchmarks). Viewers' lines are broadcast within the show's chat cap:
// past it, a line goes to its author alone (see Config.ChatCap).
func (s *Server) sayLocked(author protocol.Identity, text string, from *conn) *protocol.Error {
	now := s.now()
	if e := s.checkLineLocked(author, text, now); e != nil {
		return e
	}
	s.saidLocked(author, now)
	s.tally.chatLine(now)
	s.chatIDs++
	// The epoch keeps IDs unique across restarts, so a client that saw
	// line c7 of the old show does not mistake the new show's c7 for it.
	line := protocol.Chat{ID: s.epoch + "-c" + strconv.FormatUint(s.chatIDs, 10), Author: author, Text: text}
	if author.Role == protocol.RoleViewer && !s.chatCap.AllowN(now, 1) {
		s.tally.chatHeld++
		if from != nil {
			s.unicastLocked(from, protocol.TypeChat, line)
		}
		return nil
	}
	s.publishLocked(protocol.TypeChat, line)
	return nil
}

func (s *Server) cartLocked(who protocol.Identity, sig protocol.CartSignal) *protocol.Error {
	if e := s.checkVariantOf(sig.ProductID, sig.VariantID); e != nil {
		return e
	}
	s.tally.cart(s.productAt[sig.ProductID], who, sig)
	return nil
}

// checkVariantOf reports a not_found error unless the product exists and the
// variant is one of its own.
func (s *Server) checkVariantOf(productID, variantID string) *protocol.Error {
	i, ok := s.productAt[productID]
	if !ok {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no product %q in this show", productID))
	}
	if ref, ok := s.variantAt[variantID]; !ok || ref.product != i {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("product %q has no variant %q", productID, variantID))
	}
	return nil
}
