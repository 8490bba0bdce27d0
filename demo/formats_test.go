package demo

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

func TestStartBid(t *testing.T) {
	cases := []struct {
		regular money.Money
		want    int64
	}{
		{usd(2400), 900},  // 40% of $24 is $9.60: whole dollars, down
		{usd(8900), 3500}, // $35.60
		{usd(199), 100},   // never below one whole unit
		{money.New(1000, "JPY"), 400},
	}
	for _, c := range cases {
		if got := startBid(c.regular); got != c.want {
			t.Errorf("startBid(%v) = %d, want %d", c.regular, got, c.want)
		}
	}
}

func TestRealSeconds(t *testing.T) {
	cases := []struct {
		d       time.Duration
		pace    float64
		lo, hi  time.Duration
		wantSec int
	}{
		{auctionFor, 1, protocol.MinAuction, protocol.MaxAuction, 30},
		{auctionFor, 0.01, protocol.MinAuction, protocol.MaxAuction, 10},
		{auctionCounter, 0.01, time.Second, protocol.MaxCounterBid, 1}, // never 0, which means the default
		{giveawayFor, 2, protocol.MinGiveaway, protocol.MaxGiveaway, 120},
	}
	for _, c := range cases {
		if got := realSeconds(c.d, c.pace, c.lo, c.hi); got != c.wantSec {
			t.Errorf("realSeconds(%v, %v) = %d, want %d", c.d, c.pace, got, c.wantSec)
		}
	}
}

var testGifts = []protocol.GiftKind{ // in no order: choose sorts by price
	{ID: "rocket", Name: "Rocket", Amount: usd(2000)},
	{ID: "heart", Name: "Heart", Amount: usd(100)},
	{ID: "rose", Name: "Rose", Amount: usd(500)},
}

// Hearts most often, rockets rarely, and never past a viewer's caps.
func TestGiftChoice(t *testing.T) {
	count := map[string]int{}
	var g giver
	for roll := range 100 {
		k, ok := g.choose(testGifts, roll)
		if !ok {
			t.Fatalf("roll %d: no gift", roll)
		}
		count[k.ID]++
	}
	if count["heart"] < 60 || count["rocket"] > 10 || count["rocket"] == 0 || count["rose"] <= count["rocket"] {
		t.Errorf("gifts by roll: %v", count)
	}
	near := giver{total: (protocol.GiftCapMajor - 3) * 100}
	if k, ok := near.choose(testGifts, 99); !ok || k.ID != "heart" {
		t.Errorf("$3 under the cap, a rocket roll gives %v %v, want a heart", k.ID, ok)
	}
	full := giver{count: protocol.MaxGiftsPerViewer}
	if _, ok := full.choose(testGifts, 0); ok {
		t.Error("a viewer at the gift count cap sends another")
	}
	if _, ok := (&giver{}).choose(nil, 0); ok {
		t.Error("a gift from a show that offers none")
	}
	for range 1000 {
		k, ok := g.choose(testGifts, 99)
		if !ok {
			break
		}
		g.sent(k)
	}
	if g.count > protocol.MaxGiftsPerViewer || g.total > protocol.GiftCapMajor*100 {
		t.Errorf("a viewer gave %d gifts for %d cents", g.count, g.total)
	}
}

// withEvent applies an event of the server to st.
func withEvent(t *testing.T, st *show.State, typ protocol.Type, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(protocol.Envelope{Type: typ, Data: raw}); err != nil {
		t.Fatal(err)
	}
}

// A viewer's part in auctions: about a third take part, each values the
// item within its bounds in whole dollars, about a third of them set a
// secret maximum once, the others bid the next amount; bidders who bid
// last bid inside the counter-bid time.
func TestBidders(t *testing.T) {
	st := testState(t, nil)
	ends := simEpoch.Add(time.Minute)
	a := protocol.Auction{ID: "a1", ProductID: "mug", VariantID: "mug-sand", Start: usd(900), Next: usd(900),
		EndsAt: ends, CounterSeconds: 10, State: protocol.AuctionOpen}
	withEvent(t, &st, protocol.TypeAuction, a)
	in, proxies, last := 0, 0, 0
	const n = 600
	for i := range uint64(n) {
		b := newBidder("v", streamRNG(1, i+1, auctionStreams))
		bid, _ := b.step(0, &st, simClock)
		p := b.p
		if bid != nil {
			t.Fatalf("bidder %d bids before a look", i)
		}
		if !p.in {
			if b.wake() != never {
				t.Fatalf("bidder %d sits out but means to bid at %v", i, b.wake())
			}
			continue
		}
		in++
		if p.value < 2400*valueMin/100/100*100 || p.value > 2400*valueMax/100 || p.value%100 != 0 {
			t.Fatalf("bidder %d values a $24 mug at %d cents", i, p.value)
		}
		w := b.wake()
		switch {
		case p.last:
			last++
			if left := time.Minute - w; left < 2*time.Second || left > 6*time.Second {
				t.Fatalf("bidder %d bids last, %v before the end", i, left)
			}
		case w < lookMin || w > lookMax:
			t.Fatalf("bidder %d looks for %v", i, w)
		}
		bid, _ = b.step(w, &st, simClock)
		switch {
		case bid == nil:
			t.Fatalf("bidder %d does not bid at %v", i, w)
		case p.proxy:
			proxies++
			if !bid.Max || bid.Amount != p.value {
				t.Fatalf("bidder %d with a maximum bids %+v, value %d", i, bid, p.value)
			}
			if b.wake() != never {
				t.Fatalf("bidder %d sets a maximum twice", i)
			}
		case bid.Max || bid.Amount != 900:
			t.Fatalf("bidder %d bids %+v, want the next amount", i, bid)
		}
	}
	pct := func(k, of int) int { return 100 * k / of }
	if p := pct(in, n); p < bidPercent-6 || p > bidPercent+6 {
		t.Errorf("%d%% take part, want about %d%%", p, bidPercent)
	}
	if p := pct(proxies, in); p < proxyPercent-10 || p > proxyPercent+10 {
		t.Errorf("%d%% of bidders set a maximum, want about %d%%", p, proxyPercent)
	}
	if last == 0 {
		t.Error("nobody bids last")
	}
}

// A bidder never bids while leading, nor past their value, and answers a
// new price after a look.
func TestBidderFollowsThePrice(t *testing.T) {
	st := testState(t, nil)
	a := protocol.Auction{ID: "a1", ProductID: "mug", VariantID: "mug-sand", Start: usd(900), Next: usd(900),
		EndsAt: simEpoch.Add(time.Hour), CounterSeconds: 10, State: protocol.AuctionOpen}
	withEvent(t, &st, protocol.TypeAuction, a)
	var b *bidder
	for i := uint64(1); ; i++ {
		b = newBidder("me", streamRNG(2, i, auctionStreams))
		if b.step(0, &st, simClock); b.p.in && !b.p.proxy && !b.p.last {
			break
		}
	}
	me, other := protocol.Identity{ID: "me", Name: "me", Role: protocol.RoleViewer}, protocol.Identity{ID: "x", Name: "x", Role: protocol.RoleViewer}
	now := b.wake()
	for price := int64(900); ; price += 100 {
		bid, _ := b.step(now, &st, simClock)
		if price > b.p.value {
			if bid != nil || b.wake() != never {
				t.Fatalf("bids %+v past its value %d", bid, b.p.value)
			}
			return
		}
		if bid == nil || bid.Amount != price {
			if b.p.done {
				return // gave up, as some do
			}
			t.Fatalf("at price %d the bid is %+v", price, bid)
		}
		// It leads: no bid.
		p := usd(price)
		a.Price, a.Leader, a.Next = &p, &me, usd(price+100)
		withEvent(t, &st, protocol.TypeAuction, a)
		if bid, _ := b.step(now, &st, simClock); bid != nil || b.wake() != never {
			t.Fatalf("bids %+v while leading", bid)
		}
		// Outbid: it looks again.
		p = usd(price + 100)
		a.Price, a.Leader, a.Next = &p, &other, usd(price+200)
		withEvent(t, &st, protocol.TypeAuction, a)
		price += 100
		if bid, _ := b.step(now, &st, simClock); bid != nil {
			t.Fatalf("bids %+v without a look", bid)
		}
		if b.p.done {
			return
		}
		if w := b.wake(); w < now+lookMin || w > now+lookMax {
			t.Fatalf("looks until %v from %v", w, now)
		}
		now = b.wake()
	}
}

// A giveaway for buyers takes none who has not bought; an open one about
// two viewers in three, each within the time it has left.
func TestEntrants(t *testing.T) {
	st := testState(t, nil)
	g := protocol.Giveaway{ID: "g1", ProductID: "candle", VariantID: "candle-s", EndsAt: simEpoch.Add(time.Minute),
		State: protocol.GiveawayOpen, Commitment: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
	for _, buyers := range []bool{false, true} {
		g.BuyersOnly = buyers
		g.ID = "g1"
		if buyers {
			g.ID = "g2"
		}
		withEvent(t, &st, protocol.TypeGiveaway, g)
		in := 0
		const n = 300
		for i := range uint64(n) {
			e := newEntrant("v", streamRNG(3, i+1, giveawayStreams))
			e.step(0, &st, simClock, false)
			w := e.wake()
			if w == never {
				continue
			}
			if buyers {
				t.Fatal("a viewer who bought nothing enters a giveaway for buyers")
			}
			in++
			if w > time.Minute*enterWindow/100 {
				t.Fatalf("enters at %v of a minute", w)
			}
			if enter, _ := e.step(w, &st, simClock, false); enter == nil || enter.GiveawayID != g.ID {
				t.Fatalf("at %v the entry is %+v", w, enter)
			}
			if enter, _ := e.step(w+time.Second, &st, simClock, false); enter != nil {
				t.Fatal("enters twice")
			}
		}
		if p := 100 * in / n; !buyers && (p < enterPercent-8 || p > enterPercent+8) {
			t.Errorf("%d%% enter, want about %d%%", p, enterPercent)
		}
	}
}

// Each family of streams is apart from the others: a viewer's auctions
// never draw from its script's stream.
func TestStreamFamiliesDiffer(t *testing.T) {
	a, b, c := streamRNG(1, 1, scriptStreams), streamRNG(1, 1, auctionStreams), streamRNG(1, 1, giveawayStreams)
	x, y, z := a.Uint64(), b.Uint64(), c.Uint64()
	if x == y || y == z || x == z {
		t.Errorf("streams start alike: %x %x %x", x, y, z)
	}
	if botRNG(1, 1).Uint64() != x {
		t.Error("a bot's script stream is not its script family's")
	}
}
