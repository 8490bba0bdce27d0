package server

import (
	"fmt"
	"slices"
	"strconv"

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

// join makes c part of the show: from here on it receives every event.
// The hub queues its welcome, built here from the show as it is at the seq
// c joins at, and for a resume the events c missed. Slow mode, which the
// welcome has no field for, follows it as a settings event without a seq;
// a host also gets its first metrics at once. It returns why c cannot
// join: it was closed while it said hello, or it was banned.
func (s *Server) join(c *conn, resume *protocol.Resume) *ending {
	var refused *ending
	s.hub.locked(func() {
		if c.ended {
			refused = &ending{reason: "closed before joining"}
			return
		}
		if c.id.Role == protocol.RoleViewer && s.mod.banned[c.id.ID] {
			refused = &ending{code: protocol.CloseBanned, reason: banReason, linger: true}
			return
		}
		resumed, replayed, ok := s.hub.joinLocked(c, resume, func(resumed bool) any {
			s.countJoinLocked(c)
			return s.welcomeLocked(c, resumed)
		})
		if !ok {
			refused = &ending{reason: "could not build the welcome"}
			return
		}
		if s.mod.slowMode > 0 {
			s.hub.sendLocked(c, protocol.TypeSettings, s.settingsLocked())
		}
		s.enteredOnJoinLocked(c)
		if c.id.Role == protocol.RoleHost {
			s.hub.sendLocked(c, protocol.TypeMetrics, s.metricsLocked())
			s.startMetricsLocked()
		}
		s.auctionJoinedLocked(c)
		if c.ended {
			refused = &ending{reason: "evicted while joining"}
			return
		}
		if resumed {
			after := resume.Seq
			s.hub.later(func() {
				s.log.Info("resumed", "id", c.id.ID, "after", after, "replayed", replayed)
			})
		}
	})
	return refused
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
		Viewers:  s.hub.viewersLocked(),
		Checkout: s.welcomeCheckout(c),
		Auction:  s.auctionLocked(),
	}
	switch {
	case c.onEdge():
		w.Alternates = c.far.link.Alternates()
	case s.alternates != nil:
		w.Alternates = s.alternates()
	}
	if resumed {
		return w
	}
	w.Catalog = clone(s.products)
	w.Gifts = slices.Clone(s.gifts.kinds)
	w.Giveaway = s.welcomeGiveawayLocked()
	w.Chat = s.chat.list()
	if s.pinned != nil {
		pin := *s.pinned
		w.Pinned = &pin
	}
	return w
}

// do runs one command of c's with the show's lock held and returns the
// error to send back, if any. Commands from a connection that has already
// been closed (an evicted client's last frames) are dropped.
func (s *Server) do(c *conn, fn func() *protocol.Error) *protocol.Error {
	var e *protocol.Error
	s.hub.locked(func() {
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
	line := protocol.Chat{ID: s.run + "-c" + strconv.FormatUint(s.chatIDs, 10), Author: author, Text: text}
	if author.Role == protocol.RoleViewer && !s.chatCap.AllowN(now, 1) {
		s.tally.chatHeld++
		s.hub.stormLocked()
		if from != nil {
			s.hub.sendLocked(from, protocol.TypeChat, line)
		}
		return nil
	}
	s.hub.publishLazyLocked(protocol.TypeChat, line)
	return nil
}

// publishProductLocked publishes product i as it is when its batch goes
// out: a product changed twice before then goes out once.
func (s *Server) publishProductLocked(i int) {
	s.hub.publishStateLocked(i, protocol.TypeProduct, &s.products[i])
}

// sentLocked follows the show's events as the hub numbers them, in seq
// order, and keeps the recent chat that a welcome at that seq shows.
func (s *Server) sentLocked(typ protocol.Type, data any) {
	switch typ {
	case protocol.TypeChat:
		s.chat.add(data.(protocol.Chat))
	case protocol.TypeChatDeleted:
		// A line deleted while it waited for its batch is in the recent
		// chat only from the step above.
		for _, id := range data.(protocol.ChatDeleted).IDs {
			s.chat.remove(id)
		}
	}
}

func (s *Server) cartLocked(who protocol.Identity, sig protocol.CartSignal) *protocol.Error {
	if sig.Action == protocol.CartCheckout {
		// A demo show counts its checkout pages as they are served, so
		// only a show whose checkout is a real store's, which the server
		// never sees, counts the viewer's word for it.
		if s.storeURL != "" {
			s.tally.checkoutStarted(who)
		}
		return nil
	}
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
