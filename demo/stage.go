package demo

import (
	"math"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// clock turns the server's times into show time. The server runs auctions
// and giveaways by its own clock, in real seconds; the bots plan in show
// time, which the pace stretches or shrinks.
type clock struct {
	zero time.Time // the server's time at show time zero
	pace float64
}

// at is the show time of server time t.
func (c clock) at(t time.Time) time.Duration {
	return time.Duration(float64(t.Sub(c.zero)) / c.pace)
}

// span is the show time that real duration d lasts.
func (c clock) span(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.pace)
}

// realSeconds is how many whole seconds the server runs something that
// lasts d of show time at pace: scaled, within [lo, hi].
func realSeconds(d time.Duration, pace float64, lo, hi time.Duration) int {
	secs := int(math.Round(d.Seconds() * pace))
	return min(max(secs, int(lo/time.Second)), int(hi/time.Second))
}

// stageTail is how long the pin holds after an auction or a giveaway is
// over, so its result is said while the product is still on show.
// closeGrace is how long past its end, in real time, an auction or a
// giveaway may still be open before the host takes it as over: the host
// does not wait for ever on a server that failed to close it.
const (
	stageTail  = 6 * time.Second
	closeGrace = 2 * time.Second
)

// stage keeps the pin while an auction or a giveaway runs on it: the
// script plans their length at pace 1, but late bids extend an auction,
// and at a fast pace the server's minimum lengths outlast the plan. What
// holds is the next pin, deal, auction or giveaway; lines go on.
type stage struct {
	ended map[string]time.Duration // "a:" or "g:" and the ID -> when the host saw it end
}

// note records when the host first sees an auction or a giveaway over.
func (s *stage) note(now time.Duration, st *show.State) {
	if s.ended == nil {
		s.ended = map[string]time.Duration{}
	}
	if a := st.Auction; a != nil && a.State != protocol.AuctionOpen {
		if _, ok := s.ended["a:"+a.ID]; !ok {
			s.ended["a:"+a.ID] = now
		}
	}
	if g := st.Giveaway; g != nil && g.State != protocol.GiveawayOpen {
		if _, ok := s.ended["g:"+g.ID]; !ok {
			s.ended["g:"+g.ID] = now
		}
	}
}

// busy reports whether an auction or a giveaway holds the stage at now,
// and until when at the latest if nothing else comes: the end of an open
// one and its grace (its result, an event, wakes the host sooner) or the
// end of the tail after it.
func (s *stage) busy(now time.Duration, st *show.State, c clock) (until time.Duration, ok bool) {
	hold := func(key string, open bool, ends time.Time) {
		end := c.at(ends) + max(stageTail, c.span(closeGrace))
		if !open {
			end = s.ended[key] + stageTail
		}
		if now < end {
			until, ok = max(until, end), true
		}
	}
	if a := st.Auction; a != nil {
		hold("a:"+a.ID, a.State == protocol.AuctionOpen, a.EndsAt)
	}
	if g := st.Giveaway; g != nil {
		hold("g:"+g.ID, g.State == protocol.GiveawayOpen, g.EndsAt)
	}
	return until, ok
}

// holds reports whether an action waits for the stage to be free.
func holds(k hostKind) bool {
	return k == hostPin || k == hostDeal || k == hostAuction || k == hostGiveaway
}
