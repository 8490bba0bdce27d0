package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// The audience in an auction, at pace 1.
const (
	// bidPercent of the viewers who see an auction open take part.
	bidPercent = 35
	// A bidder values the item at valueMin to valueMax percent of its
	// regular price, and never bids past that.
	valueMin = 60
	valueMax = 120
	// proxyPercent of bidders set a secret maximum of their valuation
	// once, and let the server bid for them; the others bid the next
	// amount themselves, each time they are not leading.
	proxyPercent = 30
	// lastPercent of the bidders who bid themselves wait for the last
	// seconds of the clock, so late bids extend it.
	lastPercent = 30
	// A bidder takes lookMin to lookMax to answer a new price.
	lookMin = time.Second
	lookMax = 3 * time.Second
	// A bid that goes unanswered (lost on the way) is tried again after
	// retryAfter.
	retryAfter = 2 * lookMax
	// A bidder who bids themselves gives up giveUpPercent of the times
	// the price moves past their bid, as people tire of a bidding war, so
	// late bids extend the clock now and then rather than for ever.
	giveUpPercent = 20
	// A bidder says something with bidChatPercent of their bids, after
	// outbidChatPercent of the times they lose the lead, and after
	// wonChatPercent of their wins.
	bidChatPercent    = 20
	outbidChatPercent = 35
	wonChatPercent    = 70
	// payMin to payMax after a win or a gift link, the viewer has paid.
	payMin = 2 * time.Second
	payMax = 8 * time.Second
)

// never is a wake time that does not come.
const never = time.Duration(math.MaxInt64)

// bidder is one viewer's part in auctions. Like the director it does no
// I/O and reads no clock: given the show time and the viewer's mirror it
// says what to bid and what to say. Each auction it meets draws its own
// random stream from the viewer's auction stream, so what the viewer does
// in one auction does not change its choices in the next; the price it
// meets, and so whether it bids again, depends on the live show.
type bidder struct {
	me     string     // the viewer's identity ID, to tell whether it leads
	stream *rand.Rand // the viewer's auction stream: two draws per auction met
	p      *bidPlan
	paid   string // the last auction whose win is being paid
}

// bidPlan is what a viewer means to do in one auction.
type bidPlan struct {
	id    string
	rng   *rand.Rand
	in    bool  // takes part
	value int64 // the most it bids, in minor units
	proxy bool  // sets a secret maximum once
	last  bool  // bids in the last seconds only
	at    time.Duration
	// next and ends are the auction's next amount and end when at was
	// set: when either moves, the viewer takes a fresh look.
	next int64
	ends time.Time
	led  bool // led at the last step
	bid  bool // has bid
	done bool // has set its maximum, or the price passed its value
	told bool // has said its last word on the auction
}

func newBidder(me string, stream *rand.Rand) *bidder {
	return &bidder{me: me, stream: stream}
}

// step returns what the viewer does at now about the auction in st: a bid
// to send, or nil, and a line to say, or "".
func (b *bidder) step(now time.Duration, st *show.State, c clock) (*protocol.Bid, string) {
	a := st.Auction
	if a == nil {
		return nil, ""
	}
	if b.p == nil || b.p.id != a.ID {
		if a.State != protocol.AuctionOpen {
			return nil, "" // over before the viewer saw it
		}
		b.p = b.plan(st, a)
	}
	p := b.p
	leads := a.Leader != nil && a.Leader.ID == b.me
	if a.State != protocol.AuctionOpen {
		p.at = -1
		return nil, p.farewell(a, leads)
	}
	var say string
	if p.led && !leads && p.rng.IntN(100) < outbidChatPercent {
		say = line(p.rng, outbidLines)
	}
	p.led = leads
	if !p.in || p.done || leads {
		p.at = -1
		return nil, say
	}
	if a.Next.Amount > p.value {
		p.done = true // too rich: the price only goes up
		return nil, say
	}
	if p.at < 0 || a.Next.Amount != p.next || !a.EndsAt.Equal(p.ends) {
		if p.bid && a.Next.Amount != p.next && p.rng.IntN(100) < giveUpPercent {
			p.done = true
			return nil, say
		}
		p.at, p.next, p.ends = p.when(now, a, c), a.Next.Amount, a.EndsAt
	}
	if now < p.at {
		return nil, say
	}
	p.at, p.bid = now+retryAfter, true
	bid := &protocol.Bid{AuctionID: a.ID, Amount: a.Next.Amount}
	if p.proxy {
		bid.Amount, bid.Max, p.done, p.at = p.value, true, true, -1
	}
	if say == "" && p.rng.IntN(100) < bidChatPercent {
		say = line(p.rng, bidLines)
	}
	return bid, say
}

// plan decides, from the viewer's auction stream, whether and how it takes
// part in auction a.
func (b *bidder) plan(st *show.State, a *protocol.Auction) *bidPlan {
	rng := rand.New(rand.NewPCG(b.stream.Uint64(), b.stream.Uint64()))
	p := &bidPlan{id: a.ID, rng: rng, at: -1}
	p.in = rng.IntN(100) < bidPercent
	regular := a.Start.Amount * 100 / startPercent
	if prod, ok := st.Product(a.ProductID); ok {
		regular = prod.RegularOf(a.VariantID).Amount
	}
	// In whole major units, as people think of what they would pay, so
	// maximums and bids, and so prices, stay whole.
	unit := money.MajorUnit(a.Start.Currency)
	p.value = regular * int64(valueMin+rng.IntN(valueMax-valueMin+1)) / 100 / unit * unit
	p.proxy = rng.IntN(100) < proxyPercent
	p.last = !p.proxy && rng.IntN(100) < lastPercent
	return p
}

// when is the show time of the viewer's next bid: a look at the new price
// away, or for one who bids last, a moment before the clock runs out,
// inside the counter-bid time so the bid extends it.
func (p *bidPlan) when(now time.Duration, a *protocol.Auction, c clock) time.Duration {
	look := now + between(p.rng, lookMin, lookMax)
	if !p.last {
		return look
	}
	counter := c.span(time.Duration(a.CounterSeconds) * time.Second)
	if counter <= 0 {
		counter = c.span(time.Second) // sudden death: the very end
	}
	return max(now, c.at(a.EndsAt)-between(p.rng, counter/5, counter*3/5))
}

// farewell is what a viewer who took part says once the auction is over.
func (p *bidPlan) farewell(a *protocol.Auction, won bool) string {
	if p.told || !p.in || a.State != protocol.AuctionSold {
		return ""
	}
	p.told = true
	if won && p.rng.IntN(100) < wonChatPercent {
		return line(p.rng, wonLines)
	}
	return ""
}

// won returns the pause before the viewer pays for win w, and false when
// it is already paying for it.
func (b *bidder) won(w protocol.AuctionWon) (time.Duration, bool) {
	if w.AuctionID == b.paid {
		return 0, false
	}
	b.paid = w.AuctionID
	rng := b.stream
	if b.p != nil && b.p.id == w.AuctionID {
		rng = b.p.rng
	}
	return between(rng, payMin, payMax), true
}

// wake returns the show time of the viewer's next bid, if nothing else
// comes first.
func (b *bidder) wake() time.Duration {
	if b.p == nil || b.p.at < 0 {
		return never
	}
	return b.p.at
}
