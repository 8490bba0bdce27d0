package demo

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// The first half minute of `go run .`, against a real server on loopback,
// as a viewer who was there from the start sees it: a pin, lively chat, a
// flash deal with its end time, a purchase, the pinned stock down to a
// handful and the host saying how many are left, with the right number.
func TestOpeningOnALiveShow(t *testing.T) {
	const pace = 0.1 // the half minute takes three seconds
	running := showtest.Start(t, showConfig(t))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := client.Dial(ctx, client.Options{URL: running.WS, Name: "observer"})
	if err != nil {
		t.Fatalf("observer: %v", err)
	}
	defer conn.Close()
	st, _ := show.FromWelcome(conn.Welcome())

	start := time.Now()
	stop := runDemo(t, Config{URL: running.WS, HostToken: "demo-test-host-token", Audience: 12, Seed: 42, Pace: pace})
	defer stop()
	end := time.NewTimer(time.Duration(float64(openingLen) * pace))
	defer end.Stop()

	only := regexp.MustCompile(`only (\d+) left`)
	var (
		pin, deal, low, purchase bool
		chat                     int
		hostSaid                 []string // the host's "only N left" lines that were true when they came
		hostWrong                []string // and those that were not
	)
	for done := false; !done; {
		select {
		case <-end.C:
			done = true
		case <-ctx.Done():
			t.Fatal("the observer's time ran out")
		case envs, ok := <-conn.Events():
			if !ok {
				t.Fatalf("observer lost the show: %v", conn.Err())
			}
			for _, env := range envs {
				ch, err := st.Apply(env)
				if err != nil {
					t.Fatalf("bad event %s: %v", env.Type, err)
				}
				p, v, pinned := st.Pinned()
				switch ch.Kind {
				case show.KindPin:
					pin = pin || pinned
				case show.KindChat:
					chat++
					if ch.Line.Author.Role != protocol.RoleHost {
						break
					}
					if m := only.FindStringSubmatch(ch.Line.Text); m != nil {
						if n, _ := strconv.Atoi(m[1]); pinned && n == v.Stock {
							hostSaid = append(hostSaid, ch.Line.Text)
						} else {
							hostWrong = append(hostWrong, ch.Line.Text+" with "+strconv.Itoa(v.Stock)+" left")
						}
					}
				case show.KindPurchase:
					purchase = true
				case show.KindProduct:
					if !pinned || ch.ProductID != p.ID {
						break
					}
					deal = deal || p.Deal != nil && !p.Deal.EndsAt.IsZero()
					low = low || v.Stock <= lowStock
				}
			}
		}
	}
	t.Logf("in %v: pin %v, %d chat lines, deal %v, purchase %v, low stock %v, host said %q",
		time.Since(start), pin, chat, deal, purchase, low, hostSaid)
	if !pin || chat < 15 || !deal || !purchase || !low || len(hostSaid) == 0 {
		t.Errorf("the first 30 s lack a beat: pin %v, %d chat lines (want 15), deal %v, purchase %v, pinned stock at %d or fewer %v, host's count %q",
			pin, chat, deal, purchase, lowStock, low, hostSaid)
	}
	if len(hostWrong) > 0 {
		t.Errorf("the host miscounts: %q", hostWrong)
	}
}
