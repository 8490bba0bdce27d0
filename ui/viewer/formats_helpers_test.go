package viewer

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// The shows of the live formats' tests: testWelcome with gifts, an
// auction of the green mug and a giveaway of the candle.

var me = uitest.Viewer("u-me", "me")

// testGifts are the show's gifts.
func testGifts() []protocol.GiftKind {
	return []protocol.GiftKind{
		{ID: "heart", Name: "Heart", Amount: usd(100)},
		{ID: "rose", Name: "Rose", Amount: usd(500)},
		{ID: "rocket", Name: "Rocket", Amount: usd(2000)},
	}
}

// giftShow is testWelcome with gifts.
func giftShow() protocol.Welcome {
	w := testWelcome()
	w.Gifts = testGifts()
	return w
}

// testAuction is an auction of the green mug that opened at T0 with 45 s
// to go, no bid yet.
func testAuction() protocol.Auction {
	return protocol.Auction{
		ID: "a1", ProductID: "mug", VariantID: "mug-green", Start: usd(1000), Next: usd(1000),
		EndsAt: uitest.T0.Add(45 * time.Second), CounterSeconds: 10, State: protocol.AuctionOpen,
	}
}

// bidOn is a after who's bid of cents was accepted.
func bidOn(a protocol.Auction, who protocol.Identity, cents int64) protocol.Auction {
	price := usd(cents)
	a.Price, a.Leader, a.Next = &price, &who, usd(cents+100)
	a.Bids++
	return a
}

// testGiveaway is a giveaway of the candle, open at T0 for 60 s.
func testGiveaway() protocol.Giveaway {
	return protocol.Giveaway{
		ID: "g1", ProductID: "candle", VariantID: "candle-fig", EndsAt: uitest.T0.Add(time.Minute), Entrants: 11,
		State: protocol.GiveawayOpen, Commitment: "3f2a9c1b" + "0123456789abcdef0123456789abcdef0123456789abcdef01234567",
	}
}

// drawn is g drawn: winner won, the record published.
func drawn(g protocol.Giveaway, winner protocol.Identity) protocol.Giveaway {
	g.State, g.Winner, g.WinnerIndex = protocol.GiveawayDrawn, &winner, 3
	g.EntrantsHash = "aa" + g.Commitment[2:]
	g.Seed = "bb" + g.Commitment[2:]
	g.Record = "http://127.0.0.1:7420/draws/g1"
	return g
}

func env(t *testing.T, typ protocol.Type, data any) protocol.Envelope {
	t.Helper()
	return uitest.Env(t, typ, 0, data)
}

// sentOf returns what was sent of type typ, in order.
func sentOf[T any](s *uitest.Session, typ protocol.Type) []T {
	var out []T
	for _, c := range s.Sent() {
		if c.Type == typ {
			out = append(out, c.Data.(T))
		}
	}
	return out
}

// ticks returns the ticks scheduled so far whose message is a T, to fire.
func ticks[T tea.Msg](tk *uitest.Ticker) []func(time.Time) tea.Msg {
	var out []func(time.Time) tea.Msg
	for _, f := range tk.Fns {
		if _, ok := f(time.Time{}).(T); ok {
			out = append(out, f)
		}
	}
	return out
}

// serverError is the show's error event.
func serverError(t *testing.T, e protocol.Error) protocol.Envelope {
	t.Helper()
	return env(t, protocol.TypeError, e)
}
