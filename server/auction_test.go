package server

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// auctionTimers makes s's auction timers fake ones, fired by the test.
func auctionTimers(s *Server) *timers {
	ts := &timers{}
	s.hub.mu.Lock()
	s.auctions.after = ts.after
	s.hub.mu.Unlock()
	return ts
}

// freeBids turns the command and bid rates off, for tests that bid fast
// on purpose.
func freeBids(c *Config) {
	c.BidRate = Rate{PerSecond: math.Inf(1)}
	c.CommandRate = Rate{PerSecond: math.Inf(1)}
}

func usd(amount int64) money.Money { return money.New(amount, "USD") }

// mugAuction is a 30 s auction of one blue mug from $12.
var mugAuction = protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 1200, Seconds: 30}

// startAuction has host start st and returns the auction as watcher first
// sees it.
func startAuction(t *testing.T, host, watcher *client, st protocol.StartAuction) protocol.Auction {
	t.Helper()
	host.send(protocol.TypeStartAuction, st)
	return watcher.nextAuction()
}

// nextAuction reads up to the next auction event.
func (c *client) nextAuction() protocol.Auction {
	c.t.Helper()
	return decode[protocol.Auction](c.t, c.nextOf(protocol.TypeAuction))
}

// nextAuctionOf reads the next auction event of every client, which must
// agree, and returns it.
func nextAuctionOf(clients ...*client) protocol.Auction {
	var first protocol.Auction
	for i, c := range clients {
		c.t.Helper()
		a := c.nextAuction()
		if i == 0 {
			first = a
		} else if a.ID != first.ID || a.Bids != first.Bids || priceOf(a) != priceOf(first) || leaderOf(a) != leaderOf(first) {
			c.t.Fatalf("%s saw %+v, %s saw %+v", clients[0].welcome.You.Name, first, c.welcome.You.Name, a)
		}
	}
	return first
}

func (c *client) bid(auctionID string, amount int64, max bool) {
	c.t.Helper()
	c.send(protocol.TypeBid, protocol.Bid{AuctionID: auctionID, Amount: amount, Max: max})
}

// leaderOf is the ID of an auction's leader, or "".
func leaderOf(a protocol.Auction) string {
	if a.Leader == nil {
		return ""
	}
	return a.Leader.ID
}

// priceOf is an auction's price in minor units, or 0 before the first bid.
func priceOf(a protocol.Auction) int64 {
	if a.Price == nil {
		return 0
	}
	return a.Price.Amount
}

func TestAuctionIncrementsAndTooLow(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	auctionTimers(s)
	fastMetrics(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")

	host.send(protocol.TypeStartAuction, mugAuction)
	if p := decode[protocol.Product](t, ana.nextOf(protocol.TypeProduct)); p.Variants[0].Stock != 4 {
		t.Fatalf("the unit up for auction is still in stock: %+v", p.Variants)
	}
	a := ana.nextAuction()
	bo.nextAuction()
	want := protocol.Auction{ID: a.ID, ProductID: "mug", VariantID: "mug-blue", Start: usd(1200), Next: usd(1200),
		EndsAt: clk.Now().Add(30 * time.Second), CounterSeconds: 10, State: protocol.AuctionOpen}
	if !strings.HasPrefix(a.ID, s.Epoch()+"-a") || a.Price != nil || a.Leader != nil || a.Bids != 0 ||
		a.Start != want.Start || a.Next != want.Next || !a.EndsAt.Equal(want.EndsAt) || a.CounterSeconds != 10 || a.State != protocol.AuctionOpen {
		t.Fatalf("auction at the start = %+v, want %+v", a, want)
	}

	// Below the start: refused with the least that would do.
	ana.bid(a.ID, 1100, false)
	if e := ana.expectError(protocol.ErrCodeBidTooLow); e.Min == nil || *e.Min != usd(1200) || e.Message != "bid at least $12.00" {
		t.Fatalf("bid below the start: %+v (min %v)", e, e.Min)
	}
	ana.bid(a.ID, 1200, false)
	if a = nextAuctionOf(ana, bo); priceOf(a) != 1200 || leaderOf(a) != ana.welcome.You.ID || a.Leader.Name != "ana" || a.Next != usd(1300) || a.Bids != 1 {
		t.Fatalf("after ana's $12: %+v", a)
	}
	// Under $30 the increment is $1.
	bo.bid(a.ID, 1250, false)
	if e := bo.expectError(protocol.ErrCodeBidTooLow); e.Min == nil || *e.Min != usd(1300) || e.Message != "bid at least $13.00" {
		t.Fatalf("bid under the increment: %+v (min %v)", e, e.Min)
	}
	bo.bid(a.ID, 3000, false)
	if a = nextAuctionOf(ana, bo); priceOf(a) != 3000 || leaderOf(a) != bo.welcome.You.ID || a.Next != usd(3200) || a.Bids != 2 {
		t.Fatalf("after bo's $30 (increment $2 from $30): %+v", a)
	}
	ana.bid(a.ID, 10000, false)
	if a = nextAuctionOf(ana, bo); a.Next != usd(10500) {
		t.Fatalf("after $100 the increment is $5: %+v", a)
	}

	// Refusals that are not about the amount.
	ana.bid(a.ID, 20000, false)
	if e := ana.expectError(protocol.ErrCodeForbidden); e.Message != "you already lead" {
		t.Errorf("the leader outbidding herself: %+v", e)
	}
	host.bid(a.ID, 20000, false)
	if e := host.expectError(protocol.ErrCodeForbidden); e.Message != "the host cannot bid" {
		t.Errorf("the host bidding: %+v", e)
	}
	anon := dial(t, ts.URL, "anon", "")
	anon.bid(a.ID, 20000, false)
	anon.expectError(protocol.ErrCodeForbidden)
	bo.bid("nope", 20000, false)
	bo.expectError(protocol.ErrCodeNotFound)
	bo.sync()

	if m := s.Metrics(); m.Bids != 3 || m.Bidders != 2 {
		t.Errorf("metrics count %d bids by %d bidders, want 3 by 2", m.Bids, m.Bidders)
	}
	if m := host.awaitMetrics(func(m protocol.Metrics) bool { return m.Bids == 3 }); m.Bidders != 2 {
		t.Errorf("host's metrics: %d bidders", m.Bidders)
	}

	// A welcome carries the auction as it is, resumed or full.
	back := resume(t, ts.URL, "ana", "", protocol.Resume{Epoch: s.Epoch(), Seq: ana.last})
	if w := back.welcome; !w.Resumed || w.Auction == nil || priceOf(*w.Auction) != 10000 || w.Auction.Bids != 3 {
		t.Errorf("a resumed welcome has auction %+v (resumed %v)", w.Auction, w.Resumed)
	}
	if w := dial(t, ts.URL, "late", "").welcome; w.Auction == nil || priceOf(*w.Auction) != 10000 || w.Auction.State != protocol.AuctionOpen {
		t.Errorf("a full welcome has auction %+v", w.Auction)
	}
}

func TestAuctionCounterBidExtends(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	timers := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")
	a := startAuction(t, host, ana, mugAuction)
	host.sync()
	if got := timers.armed(); !slices.Equal(got, []time.Duration{30 * time.Second}) {
		t.Fatalf("timers armed at the start: %v", got)
	}

	// With 15 s left, more than the counter-bid time: no extension.
	clk.advance(15 * time.Second)
	ana.bid(a.ID, 1200, false)
	if a = ana.nextAuction(); !a.EndsAt.Equal(clk.Now().Add(15*time.Second)) || a.Extensions != 0 {
		t.Fatalf("an early bid moved the end: %+v", a)
	}
	// With 4 s left, a bid sets the end 10 s ahead, and the timer with it.
	clk.advance(11 * time.Second)
	bo.bid(a.ID, 1300, false)
	if a = ana.nextAuction(); !a.EndsAt.Equal(clk.Now().Add(10*time.Second)) || a.Extensions != 1 {
		t.Fatalf("a late bid: %+v, want the end at %v", a, clk.Now().Add(10*time.Second))
	}
	bo.sync()
	if got := timers.armed(); !slices.Equal(got, []time.Duration{10 * time.Second}) {
		t.Fatalf("timers armed after the extension: %v", got)
	}
	// The old end passes: the auction is still open and takes bids.
	clk.advance(6 * time.Second)
	ana.bid(a.ID, 1400, false)
	if a = bo.nextAuction(); a.State != protocol.AuctionOpen || !a.EndsAt.Equal(clk.Now().Add(10*time.Second)) || a.Extensions != 2 {
		t.Fatalf("a bid after the first end: %+v", a)
	}
	clk.advance(10 * time.Second)
	timers.fire()
	if a = bo.nextAuction(); a.State != protocol.AuctionSold || leaderOf(a) != ana.welcome.You.ID || priceOf(a) != 1400 {
		t.Fatalf("the end: %+v", a)
	}
}

func TestSuddenDeathNeverExtends(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	timers := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	st := mugAuction
	st.Sudden = true
	a := startAuction(t, host, ana, st)
	end := a.EndsAt
	if a.CounterSeconds != 0 {
		t.Fatalf("a sudden-death auction with a counter-bid time: %+v", a)
	}
	clk.advance(29 * time.Second)
	ana.bid(a.ID, 1200, false)
	if a = ana.nextAuction(); !a.EndsAt.Equal(end) || a.Extensions != 0 {
		t.Fatalf("a last-second bid moved a sudden-death end: %+v", a)
	}
	clk.advance(time.Second)
	ana.bid(a.ID, 5000, true)
	if e := ana.expectError(protocol.ErrCodeForbidden); e.Message != "the auction has ended" {
		t.Fatalf("a bid at the end: %+v", e)
	}
	timers.fire()
	if a = ana.nextAuction(); a.State != protocol.AuctionSold || priceOf(a) != 1200 {
		t.Fatalf("the end: %+v", a)
	}
}

// The max a viewer sets is theirs alone: the server bids for them, and
// nobody else ever sees it, neither as a max_bid nor as an amount.
func TestProxyBiddingKeepsTheMaxSecret(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	anaPhone := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")
	cy := dialClient(t, ts.URL, "cy", "client-cy")
	a := startAuction(t, host, cy, mugAuction)

	// Nothing bo and cy get before the maximums meet is a max_bid or
	// shows ana's maximum.
	var leaks []string
	watch := func(c *client) {
		for _, env := range c.sync() {
			if env.Type == protocol.TypeMaxBid {
				leaks = append(leaks, string(env.Data))
			}
			if env.Type != protocol.TypeAuction {
				continue
			}
			a := decode[protocol.Auction](t, env)
			if amounts := []int64{priceOf(a), a.Next.Amount, a.Start.Amount}; slices.Contains(amounts, 4700) || slices.Contains(amounts, 4800) {
				leaks = append(leaks, string(env.Data))
			}
		}
	}

	ana.bid(a.ID, 4700, true)
	for _, c := range []*client{ana, anaPhone} {
		if m := decode[protocol.MaxBid](t, c.nextOf(protocol.TypeMaxBid)); m.AuctionID != a.ID || m.Max != usd(4700) {
			t.Fatalf("ana's max_bid: %+v", m)
		}
	}
	if a = cy.nextAuction(); priceOf(a) != 1200 || leaderOf(a) != ana.welcome.You.ID {
		t.Fatalf("a maximum opens at the start: %+v", a)
	}
	// bo's plain bid is answered at once, one increment over it.
	bo.bid(a.ID, 2000, false)
	if a = cy.nextAuction(); priceOf(a) != 2100 || leaderOf(a) != ana.welcome.You.ID || a.Bids != 2 {
		t.Fatalf("ana's maximum answers bo's $20: %+v", a)
	}
	// Her maximum raised in secret: no event, no bid counted.
	ana.bid(a.ID, 4800, true)
	if m := decode[protocol.MaxBid](t, ana.nextOf(protocol.TypeMaxBid)); m.Max != usd(4800) {
		t.Fatalf("raised max: %+v", m)
	}
	watch(bo)
	watch(cy)
	if len(leaks) > 0 {
		t.Errorf("ana's maximum reached others: %s", leaks)
	}

	// A new viewer of ana's gets her maximum after the welcome; nobody
	// else does.
	anaAgain := dialClient(t, ts.URL, "ana", "client-ana")
	if m := decode[protocol.MaxBid](t, anaAgain.nextOf(protocol.TypeMaxBid)); m.Max != usd(4800) {
		t.Fatalf("ana's max after she rejoined: %+v", m)
	}
	if w := dialClient(t, ts.URL, "bo", "client-bo"); slices.ContainsFunc(w.sync(), func(e protocol.Envelope) bool { return e.Type == protocol.TypeMaxBid }) {
		t.Errorf("bo, who set no maximum, got one when he rejoined")
	}

	// Equal maximums: the one set first wins, at that maximum.
	bo.bid(a.ID, 4800, true)
	if m := decode[protocol.MaxBid](t, bo.nextOf(protocol.TypeMaxBid)); m.Max != usd(4800) {
		t.Fatalf("bo's max_bid: %+v", m)
	}
	if a = cy.nextAuction(); priceOf(a) != 4800 || leaderOf(a) != ana.welcome.You.ID {
		t.Fatalf("equal maximums: %+v, want ana at $48", a)
	}
	// A higher one wins, one increment over the other.
	bo.bid(a.ID, 6000, true)
	if a = cy.nextAuction(); priceOf(a) != 5000 || leaderOf(a) != bo.welcome.You.ID {
		t.Fatalf("a higher maximum: %+v, want bo at $50, one increment over ana's $48", a)
	}
	for _, env := range slices.Concat(ana.sync(), cy.sync()) {
		if env.Type == protocol.TypeMaxBid {
			t.Errorf("someone else got bo's max_bid: %s", env.Data)
		}
	}
}

func TestCancelAuctionOnlyBeforeABid(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")

	a := startAuction(t, host, ana, mugAuction)
	ana.send(protocol.TypeCancelAuction, protocol.CancelAuction{AuctionID: a.ID})
	ana.expectError(protocol.ErrCodeForbidden)
	host.send(protocol.TypeStartAuction, protocol.StartAuction{ProductID: "tote", VariantID: "tote-natural", Start: 500, Seconds: 60})
	if e := host.expectError(protocol.ErrCodeForbidden); !strings.Contains(e.Message, "still running") {
		t.Errorf("a second auction at once: %+v", e)
	}
	host.send(protocol.TypeCancelAuction, protocol.CancelAuction{AuctionID: a.ID})
	if a = ana.nextAuction(); a.State != protocol.AuctionCancelled {
		t.Fatalf("cancelled: %+v", a)
	}
	if p := decode[protocol.Product](t, ana.nextOf(protocol.TypeProduct)); p.Variants[0].Stock != 5 {
		t.Fatalf("the unit did not come back: %+v", p.Variants)
	}
	if w := dial(t, ts.URL, "late", "").welcome; w.Auction == nil || w.Auction.State != protocol.AuctionCancelled {
		t.Errorf("a welcome after the cancel has auction %+v", w.Auction)
	}

	a = startAuction(t, host, ana, mugAuction)
	ana.bid(a.ID, 1200, false)
	ana.nextAuction()
	host.send(protocol.TypeCancelAuction, protocol.CancelAuction{AuctionID: a.ID})
	if e := host.expectError(protocol.ErrCodeForbidden); !strings.Contains(e.Message, "a bid is in") {
		t.Errorf("cancel after a bid: %+v", e)
	}
	host.send(protocol.TypeCancelAuction, protocol.CancelAuction{AuctionID: "nope"})
	host.expectError(protocol.ErrCodeNotFound)
	if n, _ := s.Stock("mug-blue"); n != 4 {
		t.Errorf("stock %d while the auction runs, want 4", n)
	}

}

func TestStartAuctionChecksTheVariant(t *testing.T) {
	s, ts := startServer(t, freeBids)
	auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	for _, c := range []struct {
		st   protocol.StartAuction
		code string
	}{
		{protocol.StartAuction{ProductID: "candle", VariantID: "candle-large", Start: 500, Seconds: 60}, protocol.ErrCodeOutOfStock},
		{protocol.StartAuction{ProductID: "mug", VariantID: "tote-natural", Start: 500, Seconds: 60}, protocol.ErrCodeNotFound},
		{protocol.StartAuction{ProductID: "nope", VariantID: "mug-blue", Start: 500, Seconds: 60}, protocol.ErrCodeNotFound},
		{protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 500, Seconds: 5}, protocol.ErrCodeBadRequest},
	} {
		host.send(protocol.TypeStartAuction, c.st)
		host.expectError(c.code)
	}
	if w := dial(t, ts.URL, "late", "").welcome; w.Auction != nil {
		t.Errorf("a refused start left an auction: %+v", w.Auction)
	}
}

func TestNoBidAfterTheEnd(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	timers := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")
	a := startAuction(t, host, bo, mugAuction)
	ana.bid(a.ID, 1500, false)
	bo.nextAuction()

	// The end has come but its timer has not fired: bids are refused all
	// the same.
	clk.advance(30 * time.Second)
	bo.bid(a.ID, 2000, false)
	if e := bo.expectError(protocol.ErrCodeForbidden); e.Message != "the auction has ended" {
		t.Fatalf("a bid at the end: %+v", e)
	}
	bo.bid(a.ID, 9000, true)
	bo.expectError(protocol.ErrCodeForbidden)
	timers.fire()
	if a = bo.nextAuction(); a.State != protocol.AuctionSold || priceOf(a) != 1500 || leaderOf(a) != ana.welcome.You.ID || a.Bids != 1 {
		t.Fatalf("sold: %+v", a)
	}
	if c := decode[protocol.Chat](t, bo.nextOf(protocol.TypeChat)); c.Author.Role != protocol.RoleHost || c.Text != "ana won Speckled Mug (Blue) for $15.00" {
		t.Errorf("the announcement: %+v", c)
	}
	bo.bid(a.ID, 2000, false)
	bo.expectError(protocol.ErrCodeForbidden)
	for _, env := range bo.sync() {
		if env.Type == protocol.TypeAuction {
			t.Errorf("a bid after the end was published: %s", env.Data)
		}
	}
	if m := s.Metrics(); m.Bids != 1 {
		t.Errorf("metrics count %d bids, want 1", m.Bids)
	}
	// Over: another auction may start.
	host.send(protocol.TypeStartAuction, protocol.StartAuction{ProductID: "tote", VariantID: "tote-natural", Start: 500, Seconds: 60})
	if next := bo.nextAuction(); next.ID == a.ID || next.State != protocol.AuctionOpen {
		t.Fatalf("the next auction: %+v", next)
	}
}

// An auction nobody bid on ends unsold and gives its unit back.
func TestUnsoldAuctionGivesTheUnitBack(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk))
	timers := auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	startAuction(t, host, ana, mugAuction)
	clk.advance(30 * time.Second)
	timers.fire()
	if a := ana.nextAuction(); a.State != protocol.AuctionUnsold || a.Leader != nil {
		t.Fatalf("unsold: %+v", a)
	}
	if p := decode[protocol.Product](t, ana.nextOf(protocol.TypeProduct)); p.Variants[0].Stock != 5 {
		t.Fatalf("the unit did not come back: %+v", p.Variants)
	}
	for _, env := range ana.sync() {
		if env.Type == protocol.TypeAuctionWon || env.Type == protocol.TypeChat {
			t.Errorf("an unsold auction sent %s", env.Type)
		}
	}
	if got := timers.armed(); len(got) != 0 {
		t.Errorf("timers armed with nothing to end: %v", got)
	}
}

// The host's moderation reaches bids: a timed-out viewer cannot bid until
// the timeout is over.
func TestTimedOutViewerCannotBid(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids)
	auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	a := startAuction(t, host, ana, protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 1200, Seconds: 600})
	host.send(protocol.TypeTimeout, protocol.Timeout{UserID: ana.welcome.You.ID, Seconds: 60})
	ana.nextOf(protocol.TypeNotice)
	ana.bid(a.ID, 1200, false)
	if e := ana.expectError(protocol.ErrCodeForbidden); e.Message != "you are timed out for 1m" {
		t.Fatalf("a timed-out bid: %+v", e)
	}
	clk.advance(time.Minute)
	ana.bid(a.ID, 1200, false)
	if a = ana.nextAuction(); leaderOf(a) != ana.welcome.You.ID {
		t.Fatalf("after the timeout: %+v", a)
	}
}

func TestBidsAreRateLimited(t *testing.T) {
	s, ts := startServer(t, func(c *Config) { c.BidRate = Rate{PerSecond: 1e-9, Burst: 2} })
	auctionTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	a := startAuction(t, host, ana, mugAuction)
	for _, amount := range []int64{1200, 1300, 1400} {
		ana.bid(a.ID, amount, true)
	}
	e := ana.expectError(protocol.ErrCodeRateLimited)
	if !strings.Contains(e.Message, "bids a second") {
		t.Errorf("rate limited: %+v", e)
	}
	// Chat has its own bucket.
	ana.send(protocol.TypeSay, protocol.Say{Text: "still here"})
	ana.nextOf(protocol.TypeChat)
}

func TestAuctionHoldConfig(t *testing.T) {
	for _, d := range []time.Duration{time.Second, 25 * time.Hour, -time.Minute} {
		if _, err := New(Config{Catalog: testCatalog(t), AuctionHold: d}); err == nil {
			t.Errorf("New took an auction hold of %s", d)
		}
	}
	s, err := New(Config{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.auctions.holdFor != DefaultAuctionHold {
		t.Errorf("default hold %s", s.auctions.holdFor)
	}
}
