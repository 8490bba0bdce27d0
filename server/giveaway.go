package server

import (
	"fmt"
	"strconv"
	"time"

	"github.com/livecart/livecart/draw"
	"github.com/livecart/livecart/protocol"
)

// This file runs giveaways, one at a time: the host starts one on a
// variant in stock, viewers enter, and at its end (or when the host says)
// the winner is drawn the way anyone can check (giveawaydraw.go).

// countEvery spaces the giveaway events that only bring a new entrant
// count: under a storm of entries the audience gets one every 250 ms, not
// one per entry.
const countEvery = 250 * time.Millisecond

// giveaways is the server's side of giveaways. Guarded by the show's lock
// (see Server).
type giveaways struct {
	cur *giveaway // the running or last one; nil before the first
	ids uint64    // numbers giveaway IDs
	// records are the drawn giveaways' published records.
	records records
	// The timer that draws cur at its end: stop stops it, nil when none is
	// pending; gen names it, so one that fires after it was replaced does
	// nothing.
	stop func() bool
	gen  uint64
	// The timer that sends a coalesced entrant count, and when the last
	// giveaway event went out.
	countStop func() bool
	countGen  uint64
	lastSent  time.Time
	// after starts a timer. Tests replace it to fire timers themselves.
	after func(time.Duration, func()) (stop func() bool)
}

// giveaway is one giveaway with what its public state leaves out.
type giveaway struct {
	pub      protocol.Giveaway
	seed     [draw.SeedSize]byte
	entrants map[string]string // identity ID -> display name as they entered
	prize    variantRef        // the unit set aside for the winner
	base     string            // where its record is published: see linkBase
}

func newGiveaways() giveaways {
	return giveaways{
		records: newRecords(),
		after:   func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
	}
}

// open reports whether g takes entries at now.
func (g *giveaway) open(now time.Time) bool {
	return g != nil && g.pub.State == protocol.GiveawayOpen && now.Before(g.pub.EndsAt)
}

// startGiveaway is the host's start_giveaway: the seed is made before
// the show's lock is taken, since it reads the system's random source.
func startGiveaway(s *Server, c *conn, env protocol.Envelope) *protocol.Error {
	sg, err := protocol.Decode[protocol.StartGiveaway](env)
	if err != nil {
		return newError(protocol.ErrCodeBadRequest, err.Error())
	}
	seed, err := draw.NewSeed()
	if err != nil {
		s.log.Error("giveaway not started", "err", err)
		return newError(protocol.ErrCodeInternal, "the giveaway could not be started; try again")
	}
	return s.do(c, func() *protocol.Error { return s.startGiveawayLocked(sg, seed, linkBase(c)) })
}

// startGiveawayLocked opens a giveaway of one unit of a variant in stock,
// committed to seed, with its record to be published under base. The unit
// is taken out of stock at once, so the winner's prize cannot be sold
// while entries run; a giveaway nobody enters gives it back.
func (s *Server) startGiveawayLocked(sg protocol.StartGiveaway, seed [draw.SeedSize]byte, base string) *protocol.Error {
	now := s.now()
	if cur := s.give.cur; cur != nil && cur.pub.State == protocol.GiveawayOpen {
		return newError(protocol.ErrCodeForbidden, fmt.Sprintf("giveaway %s is still open: draw it before starting another", cur.pub.ID))
	}
	if e := s.checkVariantOf(sg.ProductID, sg.VariantID); e != nil {
		return e
	}
	ref := s.variantAt[sg.VariantID]
	p := &s.products[ref.product]
	v := &p.Variants[ref.variant]
	if v.Stock < 1 {
		return newError(protocol.ErrCodeOutOfStock, fmt.Sprintf("%s (%s) is sold out: a giveaway needs one in stock", p.Name, v.Name))
	}
	v.Stock--
	s.publishProductLocked(ref.product)
	s.give.ids++
	id := s.run + "-gw" + strconv.FormatUint(s.give.ids, 10)
	s.give.cur = &giveaway{
		pub: protocol.Giveaway{
			ID:         id,
			ProductID:  sg.ProductID,
			VariantID:  sg.VariantID,
			BuyersOnly: sg.BuyersOnly,
			EndsAt:     now.Add(time.Duration(sg.Seconds) * time.Second),
			State:      protocol.GiveawayOpen,
			Commitment: draw.Commit(seed, id),
		},
		seed:     seed,
		entrants: make(map[string]string),
		prize:    ref,
		base:     base,
	}
	s.publishGiveawayLocked()
	s.scheduleGiveawayLocked()
	return nil
}

// enterLocked enters c's viewer into the running giveaway. Entering again
// changes nothing but is answered all the same.
func (s *Server) enterLocked(c *conn, e protocol.Enter) *protocol.Error {
	if c.id.Role != protocol.RoleViewer {
		return newError(protocol.ErrCodeForbidden, "the host cannot enter a giveaway")
	}
	g := s.give.cur
	if g == nil || g.pub.ID != e.GiveawayID {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no giveaway %q in this show", e.GiveawayID))
	}
	if !g.open(s.now()) {
		return newError(protocol.ErrCodeForbidden, fmt.Sprintf("entries to giveaway %s have closed", g.pub.ID))
	}
	if s.mod.banned[c.id.ID] {
		return newError(protocol.ErrCodeForbidden, "a viewer the host removed cannot enter")
	}
	if _, in := g.entrants[c.id.ID]; in {
		s.hub.sendLocked(c, protocol.TypeEntered, protocol.Entered{GiveawayID: g.pub.ID})
		return nil
	}
	if g.pub.BuyersOnly {
		if _, bought := s.tally.ordered[c.id.ID]; !bought {
			return newError(protocol.ErrCodeForbidden, "this giveaway is for buyers only: place an order in this show, then enter")
		}
	}
	if len(g.entrants) >= draw.MaxEntrants { // what the draw takes, and protocol.MaxEntrants
		return newError(protocol.ErrCodeLimit, fmt.Sprintf("this giveaway is full: it takes at most %d entrants", draw.MaxEntrants))
	}
	g.entrants[c.id.ID] = c.id.Name
	g.pub.Entrants = len(g.entrants)
	for other := range s.hub.joinedLocked() {
		if other.id.ID == c.id.ID {
			s.hub.sendLocked(other, protocol.TypeEntered, protocol.Entered{GiveawayID: g.pub.ID})
		}
	}
	s.countChangedLocked()
	return nil
}

// enteredOnJoinLocked tells a viewer who joins that they are in the
// running or last giveaway, if they are.
func (s *Server) enteredOnJoinLocked(c *conn) {
	if g := s.give.cur; g != nil && c.id.Role == protocol.RoleViewer {
		if _, in := g.entrants[c.id.ID]; in {
			s.hub.sendLocked(c, protocol.TypeEntered, protocol.Entered{GiveawayID: g.pub.ID})
		}
	}
}

// welcomeGiveawayLocked is the running or last giveaway for a welcome,
// sharing no memory with the live one.
func (s *Server) welcomeGiveawayLocked() *protocol.Giveaway {
	if s.give.cur == nil {
		return s.restored.giveaway
	}
	g := s.give.cur.pub
	if g.Winner != nil {
		w := *g.Winner
		g.Winner = &w
	}
	return &g
}

// publishGiveawayLocked publishes the giveaway's state as it is now; it
// carries the entrant count, so a count update still pending is dropped.
func (s *Server) publishGiveawayLocked() {
	gv := &s.give
	gv.lastSent = s.now()
	if gv.countStop != nil && gv.countStop() {
		s.wg.Done() // the timer will never run to do it
	}
	gv.countStop = nil
	gv.countGen++
	// The value is a copy; its winner, once set, never changes.
	s.hub.publishLocked(protocol.TypeGiveaway, gv.cur.pub)
}

// countChangedLocked publishes the new entrant count now, or sets a timer
// to, so that counts go out at most once every countEvery.
func (s *Server) countChangedLocked() {
	gv := &s.give
	if gv.countStop != nil || s.hub.closedLocked() {
		return // an update is due already
	}
	wait := gv.lastSent.Add(countEvery).Sub(s.now())
	if wait <= 0 {
		s.publishGiveawayLocked()
		return
	}
	gv.countGen++
	gen := gv.countGen
	s.wg.Add(1)
	gv.countStop = gv.after(wait, func() { s.countDue(gen) })
}

// countDue publishes the coalesced entrant count.
func (s *Server) countDue(gen uint64) {
	defer s.wg.Done()
	s.hub.locked(func() {
		if s.hub.closedLocked() || gen != s.give.countGen {
			return
		}
		s.give.countStop = nil // fired: nothing left to stop
		s.publishGiveawayLocked()
	})
}

// scheduleGiveawayLocked sets the timer that draws the running giveaway
// at its end, replacing any pending one.
func (s *Server) scheduleGiveawayLocked() {
	s.stopGiveawayTimerLocked()
	g := s.give.cur
	if s.hub.closedLocked() || g == nil || g.pub.State != protocol.GiveawayOpen {
		return
	}
	s.give.gen++
	gen := s.give.gen
	s.wg.Add(1)
	s.give.stop = s.give.after(max(g.pub.EndsAt.Sub(s.now()), 0), func() { s.giveawayDue(gen) })
}

// stopGiveawayTimerLocked cancels the pending draw. One that has already
// fired is left to find its generation out of date and do nothing.
func (s *Server) stopGiveawayTimerLocked() {
	if s.give.stop != nil && s.give.stop() {
		s.wg.Done() // the timer will never run to do it
	}
	s.give.stop = nil
}

// stopGiveawayTimersLocked cancels both timers, for Close.
func (s *Server) stopGiveawayTimersLocked() {
	s.stopGiveawayTimerLocked()
	if s.give.countStop != nil && s.give.countStop() {
		s.wg.Done()
	}
	s.give.countStop = nil
}

// giveawayDue draws the running giveaway once its end has come; a timer
// that fires early is set again for what is left.
func (s *Server) giveawayDue(gen uint64) {
	defer s.wg.Done()
	var p *prize
	s.hub.locked(func() {
		if s.hub.closedLocked() || gen != s.give.gen {
			return
		}
		s.give.stop = nil // fired: nothing left to stop
		g := s.give.cur
		if g == nil || g.pub.State != protocol.GiveawayOpen {
			return
		}
		if s.now().Before(g.pub.EndsAt) {
			s.scheduleGiveawayLocked()
			return
		}
		p = s.drawLocked()
	})
	if p != nil {
		s.placePrize(*p)
	}
}
