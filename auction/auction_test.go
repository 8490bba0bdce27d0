package auction

import (
	"errors"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
)

var t0 = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)

// soon is a time well inside every test auction's first minute.
var soon = t0.Add(time.Second)

func usd(a int64) money.Money { return money.New(a, "USD") }

// start opens a one-minute auction with a 10 s counter-bid time.
func start(t *testing.T, startAmount int64) *Auction {
	t.Helper()
	a, err := New(Config{Start: usd(startAmount), Duration: time.Minute}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// bid places a bid that must be accepted.
func bid(t *testing.T, a *Auction, who string, amount int64, proxy bool, at time.Time) Result {
	t.Helper()
	r, err := a.Bid(who, amount, proxy, at)
	if err != nil {
		t.Fatalf("%s bids %d (proxy %v): %v", who, amount, proxy, err)
	}
	return r
}

// expect fails unless the auction's price and leader are as given.
func expect(t *testing.T, a *Auction, price int64, leader string) {
	t.Helper()
	s := a.Snapshot()
	if s.Price != usd(price) || s.Leader != leader {
		t.Fatalf("price %v led by %q, want %v led by %q", s.Price, s.Leader, usd(price), leader)
	}
	if want := usd(price + Increment(usd(price))); s.Next != want {
		t.Fatalf("next = %v, want %v", s.Next, want)
	}
}

func TestNewValidates(t *testing.T) {
	good := Config{Start: usd(1000), Duration: time.Minute}
	cases := []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"defaults", func(*Config) {}, true},
		{"one cent", func(c *Config) { c.Start = usd(1) }, true},
		{"zero start", func(c *Config) { c.Start = usd(0) }, false},
		{"negative start", func(c *Config) { c.Start = usd(-5) }, false},
		{"bad currency", func(c *Config) { c.Start = money.New(100, "usd") }, false},
		{"start at ceiling", func(c *Config) { c.Start = usd(Ceiling("USD")) }, true},
		{"start above ceiling", func(c *Config) { c.Start = usd(Ceiling("USD") + 1) }, false},
		{"10s", func(c *Config) { c.Duration = 10 * time.Second }, true},
		{"under 10s", func(c *Config) { c.Duration = 10*time.Second - 1 }, false},
		{"10m", func(c *Config) { c.Duration = 10 * time.Minute }, true},
		{"over 10m", func(c *Config) { c.Duration = 10*time.Minute + 1 }, false},
		{"counter 1s", func(c *Config) { c.Counter = time.Second }, true},
		{"counter under 1s", func(c *Config) { c.Counter = time.Second - 1 }, false},
		{"counter 60s", func(c *Config) { c.Counter = time.Minute }, true},
		{"counter over 60s", func(c *Config) { c.Counter = time.Minute + 1 }, false},
		{"negative counter", func(c *Config) { c.Counter = -time.Second }, false},
		{"sudden ignores counter", func(c *Config) { c.Sudden, c.Counter = true, time.Hour }, true},
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		a, err := New(cfg, t0)
		if c.ok != (err == nil) {
			t.Errorf("%s: New = %v, want ok %v", c.name, err, c.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v does not wrap ErrInvalidConfig", c.name, err)
		}
		if a != nil && !a.Snapshot().End.Equal(t0.Add(cfg.Duration)) {
			t.Errorf("%s: ends %v, want %v", c.name, a.Snapshot().End, t0.Add(cfg.Duration))
		}
	}
	a, _ := New(good, t0)
	if got := a.Snapshot().Counter; got != DefaultCounter {
		t.Errorf("zero counter became %v, want %v", got, DefaultCounter)
	}
	a, _ = New(Config{Start: usd(1000), Duration: time.Minute, Counter: time.Hour, Sudden: true}, t0)
	if got := a.Snapshot().Counter; got != 0 {
		t.Errorf("sudden death counter = %v, want 0", got)
	}
}

func TestSnapshotBeforeBids(t *testing.T) {
	a := start(t, 1000)
	s := a.Snapshot()
	want := State{Start: usd(1000), Next: usd(1000), End: t0.Add(time.Minute), Counter: DefaultCounter}
	if s != want {
		t.Fatalf("Snapshot = %+v, want %+v", s, want)
	}
}

func TestPlainBids(t *testing.T) {
	a := start(t, 1000)
	r := bid(t, a, "ann", 1000, false, soon)
	if !r.Leading || !r.LeaderChanged || r.Outbid != "" || r.Price != usd(1000) || r.Next != usd(1100) || r.Max != 0 {
		t.Fatalf("first bid: %+v", r)
	}
	expect(t, a, 1000, "ann")

	r = bid(t, a, "bob", 1100, false, soon)
	if !r.Leading || r.Outbid != "ann" || r.Leader != "bob" {
		t.Fatalf("bob's bid: %+v", r)
	}
	expect(t, a, 1100, "bob")

	// A jump bid: ann may bid above next, and pays what she bid.
	r = bid(t, a, "ann", 2950, false, soon)
	if r.Outbid != "bob" || r.Price != usd(2950) {
		t.Fatalf("jump bid: %+v", r)
	}
	expect(t, a, 2950, "ann")
	// 29.50 is under 30: next is one dollar more; 30.50 is two more.
	bid(t, a, "bob", 3050, false, soon)
	expect(t, a, 3050, "bob")

	if _, err := a.Bid("bob", 5000, false, soon); !errors.Is(err, ErrAlreadyLeading) {
		t.Fatalf("leader's plain bid: err = %v, want ErrAlreadyLeading", err)
	}
	if got := a.Snapshot().Bids; got != 4 {
		t.Fatalf("bids = %d, want 4", got)
	}
	if m, ok := a.MaxOf("ann"); !ok || m != 2950 {
		t.Fatalf("MaxOf(ann) = %d, %v; a plain bid's maximum is its amount", m, ok)
	}
	if _, ok := a.MaxOf("cat"); ok {
		t.Fatal("MaxOf a stranger reports a maximum")
	}
}

func TestTooLowCarriesNext(t *testing.T) {
	a := start(t, 1000)
	check := func(who string, amount int64, proxy bool, next int64) {
		t.Helper()
		_, err := a.Bid(who, amount, proxy, soon)
		var tl *TooLowError
		if !errors.As(err, &tl) || tl.Next != usd(next) {
			t.Fatalf("%s bids %d: err = %v, want too low with next %v", who, amount, err, usd(next))
		}
		if err.Error() != "bid at least "+usd(next).String() {
			t.Fatalf("message %q", err)
		}
	}
	check("ann", 999, false, 1000)
	check("ann", 999, true, 1000)
	check("ann", 0, false, 1000)
	check("ann", -1, true, 1000)
	bid(t, a, "ann", 4999, false, soon)
	check("bob", 5100, false, 5199)
	check("bob", 5198, true, 5199)
	if s := a.Snapshot(); s.Bids != 1 || s.Leader != "ann" {
		t.Fatalf("refusals changed the auction: %+v", s)
	}
}

func TestRefusals(t *testing.T) {
	a := start(t, 1000)
	var th *TooHighError
	if _, err := a.Bid("ann", Ceiling("USD")+1, true, soon); !errors.As(err, &th) || th.Max != usd(Ceiling("USD")) {
		t.Fatalf("bid over the ceiling: err = %v", err)
	}
	bid(t, a, "ann", Ceiling("USD"), true, soon) // the ceiling itself is fine
	if _, err := a.Bid("", 5000, false, soon); !errors.Is(err, ErrNoBidder) {
		t.Fatalf("empty bidder: err = %v", err)
	}
}

func TestMaxAgainstPlainBids(t *testing.T) {
	a := start(t, 1000)
	r := bid(t, a, "ann", 5000, true, soon)
	if r.Price != usd(1000) || !r.Leading || r.Max != 5000 {
		t.Fatalf("a maximum with no one else bids the start: %+v", r)
	}
	// Each plain bid is answered one increment over, at once.
	for _, c := range []struct{ bob, price int64 }{
		{1100, 1200},
		{3000, 3200}, // 30.00 takes a 2.00 increment
		{4900, 5000}, // 51.00 would pass ann's maximum: capped at it
	} {
		r := bid(t, a, "bob", c.bob, false, soon)
		if r.Leading || r.LeaderChanged || r.Outbid != "" || r.Leader != "ann" || r.Price != usd(c.price) {
			t.Fatalf("bob bids %d: %+v, want ann to lead at %d", c.bob, r, c.price)
		}
	}
	expect(t, a, 5000, "ann")
	r = bid(t, a, "bob", 5300, false, soon)
	if !r.Leading || r.Outbid != "ann" || r.Price != usd(5300) {
		t.Fatalf("bob passes ann's maximum: %+v", r)
	}
	if got := a.Snapshot().Bids; got != 5 {
		t.Fatalf("bids = %d, want 5: bids outbid at once still count", got)
	}
}

func TestTwoMaxes(t *testing.T) {
	a := start(t, 1000)
	bid(t, a, "ann", 10000, true, soon)
	r := bid(t, a, "bob", 7000, true, soon)
	if r.Leading || r.Price != usd(7300) {
		t.Fatalf("lower maximum: %+v, want ann at 73.00", r)
	}
	r = bid(t, a, "cat", 15000, true, soon)
	// One increment (5.00 at 100.00) over ann's maximum.
	if !r.Leading || r.Outbid != "ann" || r.Price != usd(10500) || r.Max != 15000 {
		t.Fatalf("higher maximum: %+v, want cat at 105.00", r)
	}
	// A higher maximum that only just passes the leader's pays its own
	// maximum, not a full increment over.
	r = bid(t, a, "ann", 15100, true, soon)
	if !r.Leading || r.Price != usd(15100) {
		t.Fatalf("maximum just over: %+v, want ann at 151.00", r)
	}
	if m, _ := a.MaxOf("cat"); m != 15000 {
		t.Fatalf("MaxOf(cat) = %d", m)
	}
}

func TestLowerMaxCappedAtLeadersMax(t *testing.T) {
	a := start(t, 1000)
	bid(t, a, "ann", 10000, true, soon)
	r := bid(t, a, "bob", 9900, true, soon)
	if r.Leading || r.Price != usd(10000) {
		t.Fatalf("%+v, want ann at her maximum of 100.00", r)
	}
}

func TestEqualMaxesEarlierWins(t *testing.T) {
	a := start(t, 1000)
	bid(t, a, "ann", 4000, true, soon)
	r := bid(t, a, "bob", 4000, true, soon)
	if r.Leading || r.Leader != "ann" || r.Price != usd(4000) {
		t.Fatalf("equal maximum: %+v, want ann at 40.00", r)
	}
	// A plain bid equal to a maximum loses to it too.
	a = start(t, 1000)
	bid(t, a, "ann", 4000, true, soon)
	r = bid(t, a, "bob", 4000, false, soon)
	if r.Leading || r.Price != usd(4000) {
		t.Fatalf("plain bid equal to a maximum: %+v", r)
	}
}

func TestRaiseOwnMax(t *testing.T) {
	a := start(t, 1000)
	bid(t, a, "ann", 2000, true, soon)
	end := a.Snapshot().End
	late := end.Add(-time.Second) // within the counter-bid time
	r := bid(t, a, "ann", 3000, true, late)
	if !r.Leading || r.LeaderChanged || r.Price != usd(1000) || r.Extended || r.Max != 3000 {
		t.Fatalf("raise: %+v, want the price and clock unchanged", r)
	}
	if s := a.Snapshot(); s.Bids != 1 || !s.End.Equal(end) {
		t.Fatalf("a raise counted as a bid or moved the end: %+v", s)
	}
	if m, _ := a.MaxOf("ann"); m != 3000 {
		t.Fatalf("MaxOf(ann) = %d, want 3000", m)
	}
	for _, m := range []int64{3000, 2500} {
		if _, err := a.Bid("ann", m, true, soon); !errors.Is(err, ErrMaxNotRaised) {
			t.Fatalf("raise to %d: err = %v, want ErrMaxNotRaised", m, err)
		}
	}
	// The raised maximum is what bob meets.
	r = bid(t, a, "bob", 2500, false, soon)
	if r.Leading || r.Price != usd(2600) {
		t.Fatalf("bob against the raised maximum: %+v", r)
	}
}

func TestRaiseBelowNextIsTooLow(t *testing.T) {
	a := start(t, 1000)
	bid(t, a, "ann", 1050, true, soon) // leads at 10.00, next 11.00
	_, err := a.Bid("ann", 1075, true, soon)
	var tl *TooLowError
	if !errors.As(err, &tl) || tl.Next != usd(1100) {
		t.Fatalf("raise to 10.75: err = %v, want too low (next 11.00)", err)
	}
}

func TestJPY(t *testing.T) {
	a, err := New(Config{Start: money.New(500, "JPY"), Duration: time.Minute}, t0)
	if err != nil {
		t.Fatal(err)
	}
	bid(t, a, "ann", 2000, true, soon)
	r := bid(t, a, "bob", 1000, false, soon)
	if r.Price != money.New(1020, "JPY") || r.Next != money.New(1040, "JPY") {
		t.Fatalf("JPY: %+v, want ¥1020 then ¥1040", r)
	}
}
