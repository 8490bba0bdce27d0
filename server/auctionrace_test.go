package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/livecart/livecart/auction"
	"github.com/livecart/livecart/protocol"
)

// bidRounds is how many bids each bidder of the storm places.
const bidRounds = 3

// storm is one bidder of the storm, on a test's goroutine (so it returns
// errors rather than failing the test). Once release is closed it bids
// bidRounds times as a person in a bidding war does: the next amount it
// has seen, now and then a dollar or two more, or a secret maximum a bit
// above it; after each bid it reads what the server answered (up to the
// pong of a ping sent behind it) to learn the next amount. It returns the
// bids it sent, in order.
func (c *client) storm(release <-chan struct{}, auctionID string, rng *rand.Rand) ([]protocol.Bid, error) {
	<-release
	next := int64(1000)
	var sent []protocol.Bid
	for range bidRounds {
		b := protocol.Bid{AuctionID: auctionID, Amount: next + 100*rng.Int64N(3)}
		if rng.IntN(3) == 0 {
			b.Max, b.Amount = true, b.Amount+100*rng.Int64N(30)
		}
		sent = append(sent, protocol.Bid{Amount: b.Amount, Max: b.Max})
		for _, cmd := range []struct {
			typ  protocol.Type
			data any
		}{{protocol.TypeBid, b}, {protocol.TypePing, nil}} {
			frame, err := protocol.Encode(cmd.typ, 0, time.Time{}, cmd.data)
			if err != nil {
				return nil, err
			}
			if err := c.write(string(frame)); err != nil {
				return nil, err
			}
		}
		for pong := false; !pong; {
			env, err := c.read()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.welcome.You.Name, err)
			}
			switch env.Type {
			case protocol.TypePong:
				pong = true
			case protocol.TypeAuction:
				if a, err := protocol.Decode[protocol.Auction](env); err == nil {
					next = max(next, a.Next.Amount)
				}
			case protocol.TypeError:
				e, _ := protocol.Decode[protocol.Error](env)
				switch {
				case e.Code == protocol.ErrCodeRateLimited:
					return nil, errors.New("a bid was rate limited")
				case e.Min != nil:
					next = max(next, e.Min.Amount)
				}
			}
		}
	}
	return sent, nil
}

// The server alone orders bids. 200 bidders, released together, bid
// against each other over real sockets; the order the server applied
// their bids in (each bidder's in the order sent), replayed through the
// engine one by one, must give every auction event a watcher saw, in
// order, the state a late joiner's welcome shows, and the same sale.
func TestConcurrentBidsEqualASequentialReplay(t *testing.T) {
	const bidders = 200
	clk := newClock()
	s, ts := startServer(t, withClock(clk), freeBids, func(c *Config) {
		c.MaxConnsPerIP = -1 // every bidder is on loopback
		c.SendQueue = 4096   // the host and the watcher read once the storm is over
	})
	tm := auctionTimers(s)
	var applied []appliedBid // guarded by the show's lock, as the hook is called
	s.hub.mu.Lock()
	s.auctions.applied = func(b appliedBid) { applied = append(applied, b) }
	s.hub.mu.Unlock()

	host := dial(t, ts.URL, "", testToken)
	watcher := dialClient(t, ts.URL, "watcher", "client-watcher")
	cfg := auction.Config{Start: usd(1000), Duration: 15 * time.Second}
	startedAt := clk.Now()
	a := startAuction(t, host, watcher, protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 1000, Seconds: 15})
	// Within the counter-bid time of the end: the first bid extends it.
	clk.advance(10 * time.Second)

	clients := make([]*client, bidders)
	for i := range clients {
		clients[i] = dialClient(t, ts.URL, fmt.Sprintf("bidder%03d", i), fmt.Sprintf("client-%03d", i))
	}
	release := make(chan struct{})
	plans := make([][]protocol.Bid, bidders)
	errs := make([]error, bidders)
	var wg sync.WaitGroup
	for i, c := range clients {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		wg.Go(func() { plans[i], errs[i] = c.storm(release, a.ID, rng) })
	}
	close(release)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	s.hub.mu.Lock()
	order := slices.Clone(applied)
	s.hub.mu.Unlock()
	if len(order) != bidders*bidRounds {
		t.Fatalf("the server applied %d bids, want %d", len(order), bidders*bidRounds)
	}
	// Each bidder's bids in the order they sent them.
	sent := make(map[string][]protocol.Bid)
	for _, b := range order {
		sent[b.Bidder] = append(sent[b.Bidder], protocol.Bid{Amount: b.Amount, Max: b.Max})
	}
	for i, c := range clients {
		if id := c.welcome.You.ID; !slices.Equal(sent[id], plans[i]) {
			t.Fatalf("%s's bids were applied as %v, sent as %v", id, sent[id], plans[i])
		}
	}

	// The replay: the same bids, one at a time, through the engine alone.
	replay, err := auction.New(cfg, startedAt)
	if err != nil {
		t.Fatal(err)
	}
	var want []auction.State // after each bid that counted
	for _, b := range order {
		before := replay.Snapshot().Bids
		if _, err := replay.Bid(b.Bidder, b.Amount, b.Max, b.At); err == nil && replay.Snapshot().Bids != before {
			want = append(want, replay.Snapshot())
		}
	}
	var got []protocol.Auction
	for _, env := range watcher.sync() {
		if env.Type == protocol.TypeAuction {
			got = append(got, decode[protocol.Auction](t, env))
		}
	}
	if len(got) != len(want) || len(want) < 2 {
		t.Fatalf("the watcher saw %d auction events; the replay accepted %d bids", len(got), len(want))
	}
	for i := range want {
		if !sameAuction(got[i], want[i]) {
			t.Fatalf("event %d: the server published %+v, the replay has %+v", i, got[i], want[i])
		}
	}
	t.Logf("%d bids applied, %d accepted and published", len(order), len(want))
	final := want[len(want)-1]
	if final.Extensions != 1 {
		t.Errorf("%d extensions, want the first bid's", final.Extensions)
	}
	if w := dial(t, ts.URL, "late", "").welcome; w.Auction == nil || !sameAuction(*w.Auction, final) {
		t.Errorf("a welcome after the storm has %+v, the replay %+v", w.Auction, final)
	}

	// The end: the replay's leader wins at the replay's price.
	clk.advance(final.End.Sub(clk.Now()))
	tm.fire()
	sold := watcher.nextAuction()
	out, _ := replay.Close(clk.Now())
	if sold.State != protocol.AuctionSold || leaderOf(sold) != out.Winner || *sold.Price != out.Price || sold.Bids != final.Bids {
		t.Errorf("sold %+v; the replay sold to %s at %v", sold, out.Winner, out.Price)
	}
	if m := s.Metrics(); m.Bids != final.Bids {
		t.Errorf("metrics count %d bids, the replay %d", m.Bids, final.Bids)
	}
}

// sameAuction compares a published auction with the engine's state.
func sameAuction(a protocol.Auction, st auction.State) bool {
	return a.State == protocol.AuctionOpen && priceOf(a) == st.Price.Amount && leaderOf(a) == st.Leader &&
		a.Bids == st.Bids && a.Next == st.Next && a.EndsAt.Equal(st.End) && a.Extensions == st.Extensions
}
