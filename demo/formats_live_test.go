package demo

import (
	"context"
	"io"
	"net/http"
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
	giveawayOpen *protocol.Giveaway // as it opened, with its commitment
	drawn        *protocol.Giveaway
	entrants     int
	gifts        map[string]int // kind -> paid gifts seen
	hostLines    []string
}

// The live formats at a fast pace against a real server, as a plain
// viewer sees them: a giveaway that fills and is drawn, its winner's
// record verifying with the draw package, and gifts that viewers paid.
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
	stop := runDemo(t, Config{URL: running.WS, HostToken: "demo-test-host-token", Audience: 8, Seed: 42, Pace: 0.05})
	defer stop()

	seen := formatsSeen{gifts: map[string]int{}}
	for seen.drawn == nil || len(seen.gifts) == 0 {
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
	t.Logf("in %v: giveaway %s drawn with %d entrants, won by %s; gifts %v", time.Since(start),
		seen.drawn.ID, seen.drawn.Entrants, seen.drawn.Winner.Name, seen.gifts)

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
