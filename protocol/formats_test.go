package protocol

import (
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
)

func TestLiveFormatsValidate(t *testing.T) {
	usd := func(a int64) money.Money { return money.New(a, "USD") }
	price := usd(1200)
	ana := Identity{ID: "u-ana", Name: "ana", Role: RoleViewer}
	end := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	hash := strings.Repeat("ab", 32)
	open := Auction{ID: "a1", ProductID: "mug", VariantID: "mug-blue", Start: usd(500), Next: usd(500), EndsAt: end, CounterSeconds: 10, State: AuctionOpen}
	sold := open
	sold.Price, sold.Leader, sold.State, sold.Bids = &price, &ana, AuctionSold, 3
	drawn := Giveaway{ID: "g1", ProductID: "mug", VariantID: "mug-blue", EndsAt: end, Entrants: 3, State: GiveawayDrawn,
		Commitment: hash, EntrantsHash: hash, Seed: hash, WinnerIndex: 2, Winner: &ana}
	cases := []struct {
		name string
		v    Validator
		ok   bool
	}{
		{"open auction", open, true},
		{"sold auction", sold, true},
		{"sold without winner", func() Auction { a := sold; a.Leader = nil; return a }(), false},
		{"auction unknown state", func() Auction { a := open; a.State = "paused"; return a }(), false},
		{"auction two currencies", func() Auction { a := sold; p := money.New(1200, "EUR"); a.Price = &p; return a }(), false},
		{"auction counter too long", func() Auction { a := open; a.CounterSeconds = 61; return a }(), false},
		{"start auction", StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 30}, true},
		{"start auction sudden", StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 30, Sudden: true}, true},
		{"start auction sudden with counter", StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 30, Sudden: true, CounterSeconds: 5}, false},
		{"start auction too short", StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 9}, false},
		{"start auction free", StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 0, Seconds: 30}, false},
		{"bid", Bid{AuctionID: "a1", Amount: 600}, true},
		{"bid zero", Bid{AuctionID: "a1"}, false},
		{"bid absurd", Bid{AuctionID: "a1", Amount: money.MaxAmount + 1}, false},
		{"won", AuctionWon{AuctionID: "a1", ProductID: "mug", VariantID: "mug-blue", Price: price, Checkout: "http://x/cart/mug-blue:1", HeldUntil: end}, true},
		{"won no link", AuctionWon{AuctionID: "a1", ProductID: "mug", VariantID: "mug-blue", Price: price, HeldUntil: end}, false},
		{"drawn giveaway", drawn, true},
		{"drawn without seed", func() Giveaway { g := drawn; g.Seed = ""; return g }(), false},
		{"winner index out of range", func() Giveaway { g := drawn; g.WinnerIndex = 3; return g }(), false},
		{"commitment upper case", func() Giveaway { g := drawn; g.Commitment = strings.ToUpper(hash); return g }(), false},
		{"commitment short", func() Giveaway { g := drawn; g.Commitment = hash[:62]; return g }(), false},
		{"start giveaway", StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 300}, true},
		{"start giveaway too long", StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 301}, false},
		{"gift", Gift{ID: "gift1", From: ana, Kind: "rose", Amount: usd(500)}, true},
		{"gift bad kind", Gift{ID: "gift1", From: ana, Kind: "ro se", Amount: usd(500)}, false},
		{"gift kind free", GiftKind{ID: "heart", Name: "Heart", Amount: usd(0)}, false},
		{"gift link", GiftLink{GiftID: "gift1", Kind: "rose", Amount: usd(500), Checkout: "http://x/gift/gift1"}, true},
		{"error with min", Error{Code: ErrCodeBidTooLow, Message: "bid at least $13.00", Min: &price}, true},
		{"error with bad min", Error{Code: ErrCodeBidTooLow, Message: "x", Min: &money.Money{Amount: 1, Currency: "usd"}}, false},
		{"metrics supporters", Metrics{Supporters: []Supporter{{ID: "u-ana", Name: "ana", Gifts: 2, Amount: usd(600)}}}, true},
		{"metrics supporter nameless", Metrics{Supporters: []Supporter{{ID: "u-ana", Amount: usd(600)}}}, false},
	}
	for _, c := range cases {
		err := c.v.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
