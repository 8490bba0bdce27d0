package server

import (
	"fmt"
	"strconv"
	"time"

	"github.com/livecart/livecart/protocol"
)

// cartCount is what viewers' cart commands said about one product, in units.
type cartCount struct{ adds, removes int }

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

// publishLocked broadcasts one show event: the next seq, encoded once, the
// same bytes offered to every joined connection.
func (s *Server) publishLocked(typ protocol.Type, data any) {
	frame, err := protocol.Encode(typ, s.seq+1, s.now(), data)
	if err != nil {
		s.afterUnlock = append(s.afterUnlock, func() { s.log.Error("event not sent", "type", typ, "err", err) })
		return
	}
	s.seq++
	s.history.add(s.seq, frame)
	for c := range s.conns {
		if c.joined {
			s.offerLocked(c, frame)
		}
	}
}

// offerLocked queues frame for c without waiting. A full queue means c has
// fallen too far behind: it is evicted rather than waited for, so one slow
// client never holds up the show.
func (s *Server) offerLocked(c *conn, frame []byte) {
	select {
	case c.send <- frame:
	default:
		s.endLocked(c, protocol.CloseSlowConsumer, "fell too far behind the show")
		s.afterUnlock = append(s.afterUnlock, func() {
			s.log.Warn("evicted slow consumer", "id", c.id.ID, "name", c.id.Name, "remote", c.remote, "queue", s.sendQueue)
		})
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
	s.locked(func() {
		if !c.ended {
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
	if c.joined && c.id.Role == protocol.RoleViewer {
		s.viewers--
		s.viewersChangedLocked()
	}
	close(c.done)
}

// join makes c part of the show: from here on it receives every event. The
// welcome (and, for a resume, the events c missed) is built and queued
// under the same lock that publishes, so the next event c receives is the
// one after the welcome's seq or the last replayed event: nothing is missed
// or doubled. It returns false if c was closed while it said hello.
func (s *Server) join(c *conn, resume *protocol.Resume) bool {
	joined := false
	s.locked(func() {
		if c.ended {
			return
		}
		c.joined = true
		if c.id.Role == protocol.RoleViewer {
			s.viewers++
			s.viewersChangedLocked()
		}
		replay, resumed := s.resumeLocked(resume)
		seq := s.seq
		if resumed {
			seq = resume.Seq
		}
		frame, err := protocol.Encode(protocol.TypeWelcome, seq, s.now(), s.welcomeLocked(c, resumed))
		if err != nil {
			s.endLocked(c, protocol.CloseInternal, "could not build the welcome")
			s.afterUnlock = append(s.afterUnlock, func() { s.log.Error("welcome not sent", "id", c.id.ID, "err", err) })
			return
		}
		s.offerLocked(c, frame)
		for _, f := range replay {
			if c.ended {
				break
			}
			s.offerLocked(c, f)
		}
		joined = !c.ended
		if resumed {
			after, replayed := resume.Seq, s.seq-resume.Seq
			s.afterUnlock = append(s.afterUnlock, func() {
				s.log.Info("resumed", "id", c.id.ID, "after", after, "replayed", replayed)
			})
		}
	})
	return joined
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

func (s *Server) sayLocked(author protocol.Identity, text string) *protocol.Error {
	s.chatIDs++
	// The epoch keeps IDs unique across restarts, so a client that saw
	// line c7 of the old show does not mistake the new show's c7 for it.
	line := protocol.Chat{ID: s.epoch + "-c" + strconv.FormatUint(s.chatIDs, 10), Author: author, Text: text}
	s.chat.add(line)
	s.publishLocked(protocol.TypeChat, line)
	return nil
}

func (s *Server) cartLocked(sig protocol.CartSignal) *protocol.Error {
	if e := s.checkVariantOf(sig.ProductID, sig.VariantID); e != nil {
		return e
	}
	n := s.carts[sig.ProductID]
	if sig.Action == protocol.CartAdd {
		n.adds += sig.Qty
	} else {
		n.removes += sig.Qty
	}
	s.carts[sig.ProductID] = n
	return nil
}

// buyLocked takes every item out of stock, or none: a cart is bought whole.
// Each changed product is published once, whole.
func (s *Server) buyLocked(items []protocol.Item) *protocol.Error {
	want := make(map[string]int, len(items))
	for _, it := range items {
		want[it.VariantID] += it.Qty
	}
	for _, it := range items {
		ref, ok := s.variantAt[it.VariantID]
		if !ok {
			return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no variant %q in this show", it.VariantID))
		}
		p := s.products[ref.product]
		v := p.Variants[ref.variant]
		if v.Stock < want[it.VariantID] {
			return newError(protocol.ErrCodeOutOfStock,
				fmt.Sprintf("only %d of %s (%s) left", v.Stock, p.Name, v.Name))
		}
	}
	changed := make(map[int]bool, len(items))
	for id, qty := range want {
		ref := s.variantAt[id]
		s.products[ref.product].Variants[ref.variant].Stock -= qty
		changed[ref.product] = true
	}
	// Publish in catalog order, not map order, so the same buy always makes
	// the same events.
	for i := range s.products {
		if changed[i] {
			s.publishLocked(protocol.TypeProduct, s.products[i])
		}
	}
	return nil
}

func (s *Server) pinLocked(pin protocol.Pin) *protocol.Error {
	if e := s.checkVariantOf(pin.ProductID, pin.VariantID); e != nil {
		return e
	}
	s.pinned = &pin
	s.publishLocked(protocol.TypePin, pin)
	return nil
}

func (s *Server) unpinLocked() *protocol.Error {
	s.pinned = nil
	s.publishLocked(protocol.TypeUnpin, protocol.Unpin{})
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
