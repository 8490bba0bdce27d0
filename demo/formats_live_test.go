package demo

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/draw"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// formatsSeen is what an observer has noticed of a show's auctions,
// giveaways and gifts.
type formatsSeen struct {
	sold         *protocol.Auction  // the first auction sold
	leaders      map[string]bool    // who led it at some point
	paid         bool               // its winner bought its item
	giveawayOpen *protocol.Giveaway // as it opened, with its commitment
	drawn        *protocol.Giveaway
	entrants     int
	gifts        map[string]int // kind -> paid gifts seen
	hostLines    []string
}

// The live formats at a fast pace against a real server, as a plain
// viewer sees them: an auction that several viewers bid on, sold and paid
// for; a giveaway that fills and is drawn, its winner's record verifying
// with the draw package and the host saying how to check it; and gifts
// that viewers paid.
func TestFormatsOnALiveShow(t *testing.T) {
	running := showtest.Start(t, showConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := client.Dial(ctx, client.Options{URL: running.WS, Name: "observer"})
	if err != nil {
		t.Fatalf("observer: %v", err)
	}
	defer conn.Close()
	st, _ := show.FromWelcome(conn.Welcome())

	start := time.Now()
	stop := runDemo(t, Config{URL: running.WS, HostToken: "demo-test-host-token", Audience: 8, Seed: 57, Pace: 0.05})
	defer stop()

	seen := formatsSeen{gifts: map[string]int{}, leaders: map[string]bool{}}
	verified := func() bool {
		for _, l := range seen.hostLines {
			if seen.drawn != nil && strings.Contains(l, "livecart verify "+seen.drawn.Record) {
				return true
			}
		}
		return false
	}
	for !verified() || len(seen.gifts) == 0 || !seen.paid {
		select {
		case <-ctx.Done():
			t.Fatalf("after %v the observer has seen only %+v", time.Since(start), seen)
		case envs, ok := <-conn.Events():
			if !ok {
				t.Fatalf("observer lost the show: %v", conn.Err())
			}
			for _, env := range envs {
				ch, err := st.Apply(env)
				if err != nil {
					t.Fatalf("bad event %s: %v", env.Type, err)
				}
				switch ch.Kind {
				case show.KindAuction:
					a := *st.Auction
					if seen.sold != nil {
						break
					}
					if a.Leader != nil {
						seen.leaders[a.Leader.Name] = true
					}
					if a.State == protocol.AuctionSold {
						seen.sold = &a
					}
				case show.KindPurchase:
					a := seen.sold
					seen.paid = seen.paid || a != nil && ch.Purchase.Buyer == a.Leader.Name && ch.Purchase.VariantID == a.VariantID
				case show.KindGiveaway:
					g := *st.Giveaway
					switch g.State {
					case protocol.GiveawayOpen:
						if seen.giveawayOpen == nil || seen.giveawayOpen.ID != g.ID {
							seen.giveawayOpen = &g
						}
						seen.entrants = max(seen.entrants, g.Entrants)
					case protocol.GiveawayDrawn:
						seen.drawn = &g
					}
				case show.KindGift:
					seen.gifts[ch.Gift.Kind]++
				case show.KindChat:
					if ch.Line.Author.Role == protocol.RoleHost {
						seen.hostLines = append(seen.hostLines, ch.Line.Text)
					}
				}
			}
		}
	}
	t.Logf("in %v: auction %s sold to %s for %s after %d bids and %d extensions, led by %v; giveaway %s drawn with %d entrants, won by %s; gifts %v",
		time.Since(start), seen.sold.ID, seen.sold.Leader.Name, seen.sold.Price, seen.sold.Bids, seen.sold.Extensions, seen.leaders,
		seen.drawn.ID, seen.drawn.Entrants, seen.drawn.Winner.Name, seen.gifts)

	a := seen.sold
	if a.Bids < 2 || len(seen.leaders) < 2 {
		t.Errorf("auction %s sold after %d bids, led by %v", a.ID, a.Bids, seen.leaders)
	}
	if m := running.Server.Metrics(); m.Orders == 0 || m.Bids < a.Bids || m.Bidders < 2 {
		t.Errorf("metrics after the paid auction: %d orders, %d bids by %d bidders", m.Orders, m.Bids, m.Bidders)
	}
	g := seen.drawn
	if seen.giveawayOpen == nil || seen.giveawayOpen.ID != g.ID || g.Entrants < 2 {
		t.Errorf("giveaway %s drawn with %d entrants; seen open: %+v", g.ID, g.Entrants, seen.giveawayOpen)
	}
	rec := fetchRecord(t, g.Record)
	if err := rec.Verify(); err != nil {
		t.Errorf("the record of %s does not verify: %v", g.ID, err)
	}
	if rec.Commitment != seen.giveawayOpen.Commitment || rec.Winner != g.Winner.ID || len(rec.Entrants) != g.Entrants {
		t.Errorf("record %+v is not the giveaway the show ran: %+v", rec, g)
	}
}

// fetchRecord reads a giveaway's published record.
func fetchRecord(t *testing.T, url string) draw.Record {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, draw.MaxRecordBytes))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("record %s: %s %v", url, resp.Status, err)
	}
	rec, err := draw.ParseRecord(data)
	if err != nil {
		t.Fatalf("record %s: %v", url, err)
	}
	return rec
}
