package show_test

import (
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

func auction(id string, leader *protocol.Identity, price int64) protocol.Auction {
	a := protocol.Auction{ID: id, ProductID: "mug", VariantID: "mug-blue", Start: money.New(500, "USD"),
		Next: money.New(500, "USD"), EndsAt: time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC), CounterSeconds: 10, State: protocol.AuctionOpen}
	if leader != nil {
		p := money.New(price, "USD")
		a.Price, a.Leader, a.Next, a.Bids = &p, leader, money.New(price+100, "USD"), 1
	}
	return a
}

func TestAuctionOutbid(t *testing.T) {
	st, _ := mustWelcome(t, welcome(), 1)
	me, bo := viewer("u1", "ana"), viewer("u2", "bo")
	steps := []struct {
		a      protocol.Auction
		outbid bool
		lead   bool
	}{
		{auction("a1", nil, 0), false, false},
		{auction("a1", &bo, 500), false, false}, // someone else leads: not outbid, we never led
		{auction("a1", &me, 600), false, true},
		{auction("a1", &me, 600), false, true}, // the same state twice: still ours
		{auction("a1", &bo, 700), true, false},
		{auction("a2", &bo, 700), false, false}, // a new auction: nothing of a1 carries over
	}
	for i, step := range steps {
		ch, err := st.Apply(ev(t, protocol.TypeAuction, uint64(i+2), step.a))
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if ch.Kind != show.KindAuction || ch.Outbid != step.outbid || st.Leading() != step.lead {
			t.Errorf("step %d: kind %v outbid %v leading %v, want outbid %v leading %v", i, ch.Kind, ch.Outbid, st.Leading(), step.outbid, step.lead)
		}
	}
}

func TestMaxBidBelongsToOneAuction(t *testing.T) {
	st, _ := mustWelcome(t, welcome(), 1)
	if _, err := st.Apply(ev(t, protocol.TypeAuction, 2, auction("a1", nil, 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ev(t, protocol.TypeMaxBid, 0, protocol.MaxBid{AuctionID: "a1", Max: money.New(2000, "USD")})); err != nil {
		t.Fatal(err)
	}
	if st.MaxBid == nil || st.MaxBid.Max.Amount != 2000 {
		t.Fatalf("max bid = %+v", st.MaxBid)
	}
	if _, err := st.Apply(ev(t, protocol.TypeAuction, 3, auction("a2", nil, 0))); err != nil {
		t.Fatal(err)
	}
	if st.MaxBid != nil {
		t.Errorf("a1's max still set after a2 started: %+v", st.MaxBid)
	}
}

func TestFormatsSanitizeAndRefuse(t *testing.T) {
	w := welcome()
	w.Gifts = []protocol.GiftKind{{ID: "rose", Name: "Ro" + csiClear + "se", Amount: money.New(500, "USD")}}
	st, _ := mustWelcome(t, w, 1)
	assertClean(t, "gift name", st.Gifts[0].Name)
	if k, ok := st.GiftKind("rose"); !ok || k.Amount.Amount != 500 {
		t.Errorf("GiftKind(rose) = %+v, %v", k, ok)
	}
	evil := viewer("u9", "ev"+bidi+"il"+osc52)
	ch, err := st.Apply(ev(t, protocol.TypeGift, 2, protocol.Gift{ID: "g1", From: evil, Kind: "rose", Amount: money.New(500, "USD")}))
	if err != nil || ch.Kind != show.KindGift {
		t.Fatalf("gift: %v %v", ch.Kind, err)
	}
	assertClean(t, "gift sender", ch.Gift.From.Name)
	a := auction("a1", &evil, 900)
	if _, err := st.Apply(ev(t, protocol.TypeAuction, 3, a)); err != nil {
		t.Fatal(err)
	}
	assertClean(t, "leader", st.Auction.Leader.Name)

	bad := []protocol.Envelope{
		ev(t, protocol.TypeAuction, 4, func() protocol.Auction { a := auction("a1", nil, 0); a.State = "sold"; return a }()),
		ev(t, protocol.TypeGiveaway, 4, protocol.Giveaway{ID: "g1", ProductID: "mug", VariantID: "mug-blue", EndsAt: time.Now(), State: "open", Commitment: strings.Repeat("z", 64)}),
		ev(t, protocol.TypeGift, 4, protocol.Gift{ID: "g1", From: evil, Kind: "rose", Amount: money.New(-1, "USD")}),
	}
	for _, env := range bad {
		before := st.Auction.Bids
		if _, err := st.Apply(env); err == nil {
			t.Errorf("%s: invalid event applied", env.Type)
		}
		if st.Seq != 3 || st.Auction.Bids != before {
			t.Errorf("%s: a refused event changed the state", env.Type)
		}
	}
}

// TestOlderStateAfterWelcomeIgnored: a welcome built while an auction or
// giveaway event waited for its batch already shows what came after it;
// the event that follows must not take the mirror back, nor toast an
// outbid that did not happen.
func TestOlderStateAfterWelcomeIgnored(t *testing.T) {
	me, bo := viewer("u1", "ana"), viewer("u2", "bo")
	w := welcome()
	newer := auction("a1", &me, 700)
	newer.Bids = 3
	w.Auction = &newer
	hash := strings.Repeat("ab", 32)
	gw := protocol.Giveaway{ID: "g1", ProductID: "mug", VariantID: "mug-blue", EndsAt: newer.EndsAt, Entrants: 9, State: protocol.GiveawayOpen, Commitment: hash}
	w.Giveaway = &gw
	st, _ := mustWelcome(t, w, 10)

	older := auction("a1", &bo, 600)
	older.Bids = 2
	ch, err := st.Apply(ev(t, protocol.TypeAuction, 11, older))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Outbid || !st.Leading() || st.Auction.Bids != 3 {
		t.Errorf("an older auction event took the mirror back: outbid %v leading %v bids %d", ch.Outbid, st.Leading(), st.Auction.Bids)
	}
	fewer := gw
	fewer.Entrants = 7
	if _, err := st.Apply(ev(t, protocol.TypeGiveaway, 12, fewer)); err != nil {
		t.Fatal(err)
	}
	if st.Giveaway.Entrants != 9 {
		t.Errorf("entrants went back to %d", st.Giveaway.Entrants)
	}
	if st.Seq != 12 {
		t.Errorf("seq %d, want 12: an ignored event still counts as applied", st.Seq)
	}
	sold := newer
	sold.State = protocol.AuctionSold
	if _, err := st.Apply(ev(t, protocol.TypeAuction, 13, sold)); err != nil || st.Auction.State != protocol.AuctionSold {
		t.Errorf("the end did not apply: %v %v", st.Auction.State, err)
	}
}
