package demo

import (
	"math/rand/v2"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// The audience in a giveaway, at pace 1.
const (
	// enterPercent of the viewers who see a giveaway open enter it, when
	// they may: one for buyers only takes those who bought in this show.
	enterPercent = 65
	// A viewer enters after enterMin and within enterWindow percent of the
	// time the giveaway has left, so entrants keep coming while it runs.
	enterMin    = time.Second
	enterWindow = 80
	// A viewer says something with enterChatPercent of their entries,
	// after luckyChatPercent of their wins and congratsPercent of the
	// others' wins.
	enterChatPercent = 20
	luckyChatPercent = 90
	congratsPercent  = 8
)

// entrant is one viewer's part in giveaways: pure, like the bidder. Each
// giveaway it meets draws its own random stream from the viewer's
// giveaway stream.
type entrant struct {
	me     string
	stream *rand.Rand
	p      *entryPlan
}

// entryPlan is what a viewer means to do in one giveaway.
type entryPlan struct {
	id   string
	rng  *rand.Rand
	in   bool
	at   time.Duration // when to enter; -1 once entered or out
	sent bool
	told bool
}

func newEntrant(me string, stream *rand.Rand) *entrant {
	return &entrant{me: me, stream: stream}
}

// step returns what the viewer does at now about the giveaway in st: an
// entry to send, or nil, and a line to say, or "". bought says whether the
// viewer has bought in this show.
func (e *entrant) step(now time.Duration, st *show.State, c clock, bought bool) (*protocol.Enter, string) {
	g := st.Giveaway
	if g == nil {
		return nil, ""
	}
	if e.p == nil || e.p.id != g.ID {
		if g.State != protocol.GiveawayOpen {
			return nil, ""
		}
		rng := rand.New(rand.NewPCG(e.stream.Uint64(), e.stream.Uint64()))
		p := &entryPlan{id: g.ID, rng: rng, at: -1}
		p.in = rng.IntN(100) < enterPercent && (!g.BuyersOnly || bought)
		if p.in {
			window := max(c.at(g.EndsAt)-now, 0) * enterWindow / 100
			p.at = now + between(rng, min(enterMin, window/2), window)
		}
		e.p = p
	}
	p := e.p
	switch {
	case g.State == protocol.GiveawayDrawn:
		p.at = -1
		return nil, p.farewell(g, e.me)
	case g.State != protocol.GiveawayOpen:
		p.at = -1
		return nil, ""
	case p.at < 0 || now < p.at:
		return nil, ""
	}
	p.at, p.sent = -1, true
	var say string
	if p.rng.IntN(100) < enterChatPercent {
		say = line(p.rng, enterLines)
	}
	return &protocol.Enter{GiveawayID: g.ID}, say
}

// farewell is what the viewer says about a drawn giveaway: joy at its own
// win, now and then a word for the winner.
func (p *entryPlan) farewell(g *protocol.Giveaway, me string) string {
	if p.told || g.Winner == nil {
		return ""
	}
	p.told = true
	switch {
	case g.Winner.ID == me:
		if p.rng.IntN(100) < luckyChatPercent {
			return line(p.rng, luckyLines)
		}
	case p.sent && p.rng.IntN(100) < congratsPercent:
		return line(p.rng, congratsLines)
	}
	return ""
}

// wake returns the show time of the viewer's entry, if nothing else comes
// first.
func (e *entrant) wake() time.Duration {
	if e.p == nil || e.p.at < 0 {
		return never
	}
	return e.p.at
}
