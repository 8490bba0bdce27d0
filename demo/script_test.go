package demo

import (
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/livecart/livecart/protocol"
)

var testProducts = []string{"mug", "scarf", "candle", "tote", "notebook", "planter", "socks"}

func hostActions(seed uint64, products []string, n int) []hostAction {
	s := newHostScript(seed, products)
	out := make([]hostAction, n)
	for i := range out {
		out[i] = s.next()
	}
	return out
}

func viewerActions(seed uint64, audience, n int) [][]viewerAction {
	var out [][]viewerAction
	for _, s := range audienceScripts(seed, audience) {
		acts := make([]viewerAction, n)
		for i := range acts {
			acts[i] = s.next()
		}
		out = append(out, acts)
	}
	return out
}

func TestScriptSameSeedSameShow(t *testing.T) {
	if a, b := hostActions(7, testProducts, 300), hostActions(7, testProducts, 300); !reflect.DeepEqual(a, b) {
		t.Error("host script differs for the same seed")
	}
	if a, b := viewerActions(7, 12, 300), viewerActions(7, 12, 300); !reflect.DeepEqual(a, b) {
		t.Error("audience script differs for the same seed")
	}
	if a, b := audienceNames(7, 100), audienceNames(7, 100); !slices.Equal(a, b) {
		t.Error("names differ for the same seed")
	}
}

func TestScriptOtherSeedOtherShow(t *testing.T) {
	if reflect.DeepEqual(hostActions(7, testProducts, 50), hostActions(8, testProducts, 50)) {
		t.Error("host script is the same for seeds 7 and 8")
	}
	if reflect.DeepEqual(viewerActions(7, 12, 50), viewerActions(8, 12, 50)) {
		t.Error("audience script is the same for seeds 7 and 8")
	}
	if slices.Equal(audienceNames(7, 12), audienceNames(8, 12)) {
		t.Error("names are the same for seeds 7 and 8")
	}
}

// Each viewer has its own stream: viewer 0's actions do not change when
// another viewer's would, only through the audience-wide gap.
func TestViewersHaveOwnStreams(t *testing.T) {
	acts := viewerActions(3, 8, 40)
	if reflect.DeepEqual(acts[0], acts[1]) {
		t.Error("two viewers act identically")
	}
}

// hostTimeline plays the host's script for horizon of show time and
// returns its actions with their show times.
func hostTimeline(seed uint64, products []string, horizon time.Duration) []timed {
	s := newHostScript(seed, products)
	var out []timed
	for at := time.Duration(0); ; {
		a := s.next()
		if at += a.Wait; at > horizon {
			return out
		}
		out = append(out, timed{at, a})
	}
}

func TestHostOpening(t *testing.T) {
	acts := hostTimeline(1, testProducts, openingLen)
	want := []struct {
		at   time.Duration
		kind hostKind
	}{{0, hostSay}, {openingPinAt, hostPin}, {openingHypeAt, hostSay}, {openingDealAt, hostDeal}, {openingLateAt, hostSay}}
	if len(acts) != len(want) {
		t.Fatalf("the opening has %d actions, want %d: %+v", len(acts), len(want), acts)
	}
	for i, w := range want {
		if acts[i].at != w.at || acts[i].a.Kind != w.kind {
			t.Errorf("opening action %d is a %v at %v, want a %v at %v", i, acts[i].a.Kind, acts[i].at, w.kind, w.at)
		}
	}
	if a := acts[0].a; a.Say == "" || needsPin(a.Say) {
		t.Errorf("the show opens with %q, want a greeting", a.Say)
	}
	if a := acts[1].a; !a.Low || len(a.Pin) != len(testProducts) || a.Say == "" {
		t.Errorf("opening pin = %+v, want one that asks for low stock", a)
	}
	if a := acts[3].a; a.Percent != openingDealOf || a.For != openingDeal {
		t.Errorf("opening deal = %+v", a)
	}
	// The buys must come after the pin, and the stock fall to a handful
	// while the opening deal runs.
	if openingBuys[0] <= openingPinAt || openingBuys[len(openingBuys)-1] >= openingLen {
		t.Errorf("opening buys %v are not between the pin and the end of the opening", openingBuys)
	}
}

func TestPinOrderCoversCatalog(t *testing.T) {
	for seed := range uint64(20) {
		var heads []string
		for _, a := range hostActions(seed, testProducts, 400) {
			if a.Kind != hostPin {
				continue
			}
			got := slices.Sorted(slices.Values(a.Pin))
			if want := slices.Sorted(slices.Values(testProducts)); !slices.Equal(got, want) {
				t.Fatalf("seed %d: pin candidates %v are not the catalog", seed, a.Pin)
			}
			heads = append(heads, a.Pin[0])
		}
		n := len(testProducts)
		if len(heads) < 3*n {
			t.Fatalf("seed %d: only %d pins in 400 actions", seed, len(heads))
		}
		for r := 0; r+n <= len(heads); r += n {
			round := slices.Sorted(slices.Values(heads[r : r+n]))
			if !slices.Equal(round, slices.Sorted(slices.Values(testProducts))) {
				t.Fatalf("seed %d: round %d pins %v, not every product once", seed, r/n, heads[r:r+n])
			}
		}
		for i := 1; i < len(heads); i++ {
			if heads[i] == heads[i-1] {
				t.Fatalf("seed %d: %s pinned twice running", seed, heads[i])
			}
		}
	}
}

func TestHostWithoutCatalogOnlyTalks(t *testing.T) {
	for _, a := range hostActions(1, nil, 50) {
		if len(a.Pin) != 0 {
			t.Fatalf("pin without a catalog: %+v", a)
		}
		if a.Kind == hostSay && a.Say == "" {
			t.Fatalf("silent action: %+v", a)
		}
	}
}

// Over an hour of script: pins hold 20 to 40 s, or until the deal,
// auction or giveaway they carry is over; deals come every two to four
// minutes, auctions every four to six and giveaways every six to nine, or
// a little later when another holds the pin; the first auction comes on
// the first pin after the opening and is the only one in its pin; no two
// actions running are given the same line.
func TestHostScheduleOverAnHour(t *testing.T) {
	for seed := range uint64(10) {
		acts := hostTimeline(seed, testProducts, time.Hour)
		var lastPin, lastDeal, dealEnd time.Duration
		var lastAuction, lastGiveaway time.Duration
		var prev []string
		deals, auctions, giveaways := 0, 0, 0
		segment := map[hostKind]int{} // what the current pin carries
		for _, ta := range acts {
			a := ta.a
			if a.Wait < 0 {
				t.Fatalf("seed %d: negative wait %v", seed, a.Wait)
			}
			switch a.Kind {
			case hostPin:
				if !a.Low {
					if d := ta.at - lastPin; d < pinMin || d > max(pinMax, dealLead+dealMax+dealTail) {
						t.Fatalf("seed %d: pin at %v, %v after the last", seed, ta.at, d)
					}
				}
				if ta.at < dealEnd {
					t.Fatalf("seed %d: pin at %v cuts short what runs to %v", seed, ta.at, dealEnd)
				}
				if len(segment) > 1 {
					t.Fatalf("seed %d: the pin before %v carries %v", seed, ta.at, segment)
				}
				clear(segment)
				lastPin = ta.at
			case hostAuction:
				if auctions == 0 && ta.at != openingDealAt+openingDeal+dealTail+dealLead {
					t.Fatalf("seed %d: the first auction at %v, not on the first pin after the opening", seed, ta.at)
				}
				if gap := ta.at - lastAuction; auctions > 0 && (gap < 4*time.Minute || gap > 6*time.Minute+stageMax) {
					t.Fatalf("seed %d: auction at %v, %v after the last", seed, ta.at, gap)
				}
				if a.For != auctionFor || a.Counter != auctionCounter {
					t.Fatalf("seed %d: auction %+v", seed, a)
				}
				auctions++
				segment[hostAuction]++
				lastAuction, dealEnd = ta.at, ta.at+a.For+stageTail
			case hostGiveaway:
				if giveaways == 0 && (ta.at > giveawayFirst+dealLead || a.BuyersOnly) {
					t.Fatalf("seed %d: the first giveaway at %v (buyers only %v)", seed, ta.at, a.BuyersOnly)
				}
				if gap := ta.at - lastGiveaway; giveaways > 0 && (gap < 6*time.Minute || gap > 9*time.Minute+stageMax) {
					t.Fatalf("seed %d: giveaway at %v, %v after the last", seed, ta.at, gap)
				}
				giveaways++
				segment[hostGiveaway]++
				lastGiveaway, dealEnd = ta.at, ta.at+a.For+stageTail
			case hostDeal:
				if deals > 0 {
					if gap := ta.at - lastDeal; gap < 2*time.Minute || gap > 4*time.Minute+stageMax {
						t.Fatalf("seed %d: deal at %v, %v after the last", seed, ta.at, gap)
					}
				}
				if deals > 0 {
					segment[hostDeal]++
				}
				if a.Percent < 1 || a.Percent > 90 || a.For < protocol.MinDeal || a.For > protocol.MaxDeal {
					t.Fatalf("seed %d: deal %+v out of bounds", seed, a)
				}
				deals++
				lastDeal, dealEnd = ta.at, ta.at+a.For+dealTail
			}
			lines := []string{a.Say, a.Fallback}
			for _, l := range lines {
				if l != "" && slices.Contains(prev, l) {
					t.Fatalf("seed %d: %q given to two actions running, at %v", seed, l, ta.at)
				}
			}
			if a.Kind != hostDeal {
				prev = lines
			}
		}
		if deals < 14 || auctions < 9 || giveaways < 6 {
			t.Errorf("seed %d: %d deals, %d auctions and %d giveaways in an hour", seed, deals, auctions, giveaways)
		}
	}
}

// absolute returns a viewer's actions with their show times.
func absolute(s *viewerScript, n int) []timed2 {
	at := s.Join
	out := make([]timed2, n)
	for i := range out {
		a := s.next()
		at += a.Wait
		out[i] = timed2{at, a}
		at += a.Away
	}
	return out
}

type timed2 struct {
	at time.Duration
	a  viewerAction
}

func TestOpeningBuys(t *testing.T) {
	for _, n := range []int{1, 3, 4, 8, 12, 200} {
		var buys []time.Duration
		for i, s := range audienceScripts(9, n) {
			for _, ta := range absolute(s, 60) {
				if ta.at >= openingLen {
					break
				}
				switch ta.a.Kind {
				case viewerLeave:
					t.Errorf("n=%d: viewer %d leaves at %v, in the opening", n, i, ta.at)
				case viewerBuy:
					if !slices.Contains(openingBuys, ta.at) || ta.a.Say == "" {
						t.Errorf("n=%d: viewer %d buys at %v (saying %q), not a scripted buy", n, i, ta.at, ta.a.Say)
					}
					if i >= len(openingBuys) {
						t.Errorf("n=%d: viewer %d has an opening buy", n, i)
					}
					buys = append(buys, ta.at)
				}
			}
		}
		slices.Sort(buys)
		if !slices.Equal(buys, openingBuys) {
			t.Errorf("n=%d: the audience buys at %v in the opening, want %v", n, buys, openingBuys)
		}
	}
}

func TestViewerDelaysWithinBounds(t *testing.T) {
	for _, n := range []int{1, 8, 200} {
		gap := max(minGap, time.Duration(n)*gapPerViewer)
		for i, s := range audienceScripts(5, n) {
			if i < joinAtOnce && s.Join != 0 {
				t.Errorf("n=%d: viewer %d joins at %v, want at once", n, i, s.Join)
			}
			if s.Join < 0 || s.Join > joinSpread {
				t.Errorf("n=%d: viewer %d joins at %v", n, i, s.Join)
			}
			// The random stream's actions, without the opening's buys.
			last, k := s.Join, 0
			for _, ta := range absolute(s, 200) {
				a := ta.a
				if a.Wait < 0 {
					t.Fatalf("n=%d viewer %d: negative wait", n, i)
				}
				if a.Kind == viewerBuy && slices.Contains(openingBuys, ta.at) {
					continue
				}
				lo, hi := gap*2/5, gap*8/5
				if k == 0 {
					lo, hi = 0, gap
					if i < joinAtOnce {
						hi = min(gap, firstLineMax)
					}
				}
				if d := ta.at - last; d < lo || d > hi {
					t.Fatalf("n=%d viewer %d action %d: wait %v not in [%v, %v]", n, i, k, d, lo, hi)
				}
				if a.Kind == viewerLeave && (a.Away < gap*awayMinGaps || a.Away > gap*awayMaxGaps) {
					t.Fatalf("n=%d viewer %d: away %v", n, i, a.Away)
				}
				if k == 0 && a.Kind != viewerChat {
					t.Fatalf("n=%d viewer %d opens with %v", n, i, a.Kind)
				}
				last = ta.at + a.Away
				k++
			}
		}
	}
}

func TestViewerActionMix(t *testing.T) {
	count := map[viewerKind]int{}
	total := 0
	for _, acts := range viewerActions(11, 50, 400) {
		for _, a := range acts {
			count[a.Kind]++
			total++
		}
	}
	pct := func(k viewerKind) float64 { return 100 * float64(count[k]) / float64(total) }
	if p := pct(viewerBuy); p < 2 || p > 4 {
		t.Errorf("buys are %.1f%% of actions, want about %d%%", p, buyPercent)
	}
	if p := pct(viewerLeave); p < 1 || p > 3 {
		t.Errorf("leaves are %.1f%% of actions, want about %d%%", p, leavePercent)
	}
	if p := pct(viewerChat); p < 90 {
		t.Errorf("chat is %.1f%% of actions", p)
	}
}

// chatRate plays the audience's scripts for horizon of show time at pace 1,
// taking every buy as possible, and returns the chat lines per second.
func chatRate(seed uint64, n int, horizon time.Duration) float64 {
	lines := 0
	for _, s := range audienceScripts(seed, n) {
		t := s.Join
		for {
			a := s.next()
			t += a.Wait
			if t > horizon {
				break
			}
			switch a.Kind {
			case viewerChat:
				lines++
			case viewerBuy:
				if a.Say != "" {
					lines++
				}
			case viewerLeave:
				t += a.Away
			}
		}
	}
	return float64(lines) / horizon.Seconds()
}

func TestChatRateIndependentOfAudience(t *testing.T) {
	for _, n := range []int{8, 30, 200} {
		rate := chatRate(1, n, 2*time.Hour)
		t.Logf("audience %d: %.2f lines/s", n, rate)
		if rate < 0.8 || rate > 1.2 {
			t.Errorf("audience %d says %.2f lines/s, want about 1", n, rate)
		}
	}
}

func TestAudienceNames(t *testing.T) {
	for _, n := range []int{0, 1, 8, len(viewerNames), 200} {
		names := audienceNames(2, n)
		if len(names) != n {
			t.Fatalf("%d names for %d viewers", len(names), n)
		}
		seen := map[string]bool{}
		for _, name := range names {
			if seen[name] {
				t.Errorf("n=%d: %q twice", n, name)
			}
			seen[name] = true
			if name == "" || utf8.RuneCountInString(name) > protocol.MaxNameRunes {
				t.Errorf("n=%d: bad name %q", n, name)
			}
			if name == hostName {
				t.Errorf("a viewer is called %q", hostName)
			}
		}
	}
}

func TestBackoff(t *testing.T) {
	prev := time.Duration(0)
	for n := range 40 {
		lo, hi := backoff(n, 0), backoff(n, 0.999999)
		if lo < backoffBase/2 || hi > backoffMax || lo > hi {
			t.Fatalf("attempt %d: backoff in [%v, %v]", n, lo, hi)
		}
		if lo < prev {
			t.Fatalf("attempt %d: backoff shrank from %v to %v", n, prev, lo)
		}
		prev = lo
	}
	if backoff(40, 0) != backoffMax/2 {
		t.Errorf("backoff not capped: %v", backoff(40, 0))
	}
}
