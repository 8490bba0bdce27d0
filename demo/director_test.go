package demo

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/show"
)

// simEvent is one thing that happened in a simulated show.
type simEvent struct {
	At time.Duration
	// pin, say, deal, buy, stock (by the host), chat and gift (by a
	// viewer); auction, bid, auction_end, giveaway, giveaway_end.
	Kind    string
	Variant string
	Stock   int // the variant's stock after the event
	Text    string
}

// simShow is a show run in show time and in memory, for the director's
// policy over an hour in a moment: the director and the audience's scripts
// act on one mirror, which changes as the server would change it and which
// the director sees at once. The server itself is tested against the demo
// in show_test.go and opening_test.go.
type simShow struct {
	t        *testing.T
	st       show.State
	seq      uint64
	now      time.Duration
	dealEnds map[string]time.Duration
	events   []simEvent
	facts    []string // host lines that state something the show does not hold

	auction             *simAuction
	giveaway            *simGiveaway
	auctions, giveaways int               // started so far, for their IDs
	names               map[string]string // viewer identity ID -> name
	bought              map[string]bool   // viewers who bought
}

var simEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// simClock is the simulated server's clock: show time zero at simEpoch,
// at pace 1.
var simClock = clock{zero: simEpoch, pace: 1}

func newSimShow(t *testing.T) *simShow {
	t.Helper()
	cat, err := server.ParseCatalog(Catalog())
	if err != nil {
		t.Fatal(err)
	}
	w := protocol.Welcome{
		Version: protocol.Version,
		You:     protocol.Identity{ID: "h", Name: cat.Show.Host, Role: protocol.RoleHost},
		Show:    cat.Show,
		Catalog: cat.Products,
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	st, _ := show.FromWelcome(w, 0)
	return &simShow{t: t, st: st, dealEnds: map[string]time.Duration{}, names: map[string]string{}, bought: map[string]bool{}}
}

func (s *simShow) emit(typ protocol.Type, data any) {
	s.t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		s.t.Fatal(err)
	}
	s.seq++
	if _, err := s.st.Apply(protocol.Envelope{Type: typ, Seq: s.seq, Data: raw}); err != nil {
		s.t.Fatalf("at %v: %s: %v", s.now, typ, err)
	}
}

func (s *simShow) log(kind, variant string, stock int, text string) {
	s.events = append(s.events, simEvent{s.now, kind, variant, stock, text})
}

// setStock changes a variant's stock as the server does: the whole
// product goes out again.
func (s *simShow) setStock(id string, stock int) protocol.Product {
	p, ok := s.st.ProductOfVariant(id)
	if !ok {
		s.t.Fatalf("no variant %s", id)
	}
	p.Variants = slices.Clone(p.Variants)
	for i := range p.Variants {
		if p.Variants[i].ID == id {
			p.Variants[i].Stock = stock
		}
	}
	s.emit(protocol.TypeProduct, p)
	return p
}

// exec carries out one of the host's commands.
func (s *simShow) exec(c command) {
	s.t.Helper()
	switch d := c.Data.(type) {
	case protocol.Pin:
		p, ok := s.st.Product(d.ProductID)
		v, vok := p.Variant(d.VariantID)
		if !ok || !vok {
			s.t.Fatalf("at %v: pin of unknown %+v", s.now, d)
		}
		s.emit(protocol.TypePin, d)
		s.log("pin", v.ID, v.Stock, p.Name)
	case protocol.Unpin:
		s.emit(protocol.TypeUnpin, d)
	case protocol.Say:
		if bad := s.check(d.Text); bad != "" {
			s.facts = append(s.facts, fmt.Sprintf("at %v: %q: %s", s.now, d.Text, bad))
		}
		s.log("say", "", 0, d.Text)
	case protocol.SetStock:
		s.setStock(d.VariantID, d.Stock)
		s.log("stock", d.VariantID, d.Stock, "")
	case protocol.StartDeal:
		p, _ := s.st.Product(d.ProductID)
		price := p.Price
		price.Amount = (price.Amount*int64(100-d.Percent) + 50) / 100
		end := s.now + time.Duration(d.Seconds)*time.Second
		p.Deal = &protocol.Deal{Price: price, Percent: d.Percent, EndsAt: simEpoch.Add(end)}
		s.dealEnds[p.ID] = end
		s.emit(protocol.TypeProduct, p)
		s.log("deal", p.ID, d.Seconds, "")
	case protocol.StartAuction:
		s.startAuction(d)
	case protocol.StartGiveaway:
		s.startGiveaway(d)
	default:
		s.t.Fatalf("at %v: unexpected command %s %T", s.now, c.Type, c.Data)
	}
}

// buy buys one of the pinned variant for a viewer, as a buy command does.
func (s *simShow) buy(viewer string) {
	_, v, ok := s.st.Pinned()
	if !ok || v.Stock == 0 {
		return
	}
	s.bought[viewer] = true
	s.setStock(v.ID, v.Stock-1)
	s.log("buy", v.ID, v.Stock-1, "")
}

// endDeals ends the deals whose time is up.
func (s *simShow) endDeals() {
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range s.dealEnds {
			if !yield(id) {
				return
			}
		}
	}) {
		if s.dealEnds[id] <= s.now {
			delete(s.dealEnds, id)
			p, _ := s.st.Product(id)
			p.Deal = nil
			s.emit(protocol.TypeProduct, p)
		}
	}
}

// check returns what a host line states that the show does not hold at
// the moment it is said: a count is the stock of the variant it names, a
// price and a deal those of the product it names.
func (s *simShow) check(line string) string {
	bad, line := s.checkFormats(line)
	if bad != "" {
		return bad
	}
	for _, p := range s.st.Catalog() {
		var named []protocol.Variant
		for _, v := range p.Variants {
			if strings.Contains(line, inVariant(nounOf(v.Name))) {
				named = append(named, v)
			}
		}
		if len(named) == 0 && strings.Contains(line, p.Name) {
			if countRE.MatchString(line) || strings.Contains(strings.ToLower(line), "sold out") {
				return "a count or a sell-out without its variant"
			}
			named = p.Variants[:1] // for the prices alone
		}
		for _, v := range named {
			l := liveOf(p, v, "")
			if p.Deal != nil {
				l.DealFor = s.dealEnds[p.ID] - s.now
			}
			if bad := checkFacts(line, l); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// simViewer is a viewer's script with the show time of its next action,
// and its part in auctions and giveaways.
type simViewer struct {
	s       *viewerScript
	a       viewerAction
	at      time.Duration
	id      protocol.Identity
	back    time.Duration // when a viewer who left is back
	bids    *bidder
	entries *entrant
	gifts   giver
}

// react lets a viewer who is there bid and enter; it reports whether it
// did anything.
func (v *simViewer) react(s *simShow) bool {
	if s.now < v.back {
		return false
	}
	bid, said := v.bids.step(s.now, &s.st, simClock)
	if bid != nil {
		s.bid(v.id, *bid)
	}
	enter, said2 := v.entries.step(s.now, &s.st, simClock, s.bought[v.id.ID])
	if enter != nil {
		s.enter(v.id, *enter)
	}
	for _, l := range []string{said, said2} {
		if l != "" {
			s.log("chat", "", 0, l)
		}
	}
	return bid != nil || enter != nil
}

// wake is when a viewer who is there next bids or enters.
func (v *simViewer) wake() time.Duration {
	return max(v.back, min(v.bids.wake(), v.entries.wake()))
}

// simulate runs the demo catalog's show for horizon of show time with the
// given audience, at pace 1.
func simulate(t *testing.T, seed uint64, audience int, horizon time.Duration) *simShow {
	t.Helper()
	s := newSimShow(t)
	d := newDirector(seed, &s.st, simClock)
	var viewers []*simViewer
	for i, vs := range audienceScripts(seed, audience) {
		a := vs.next()
		id := protocol.Identity{ID: fmt.Sprintf("v%d", i+1), Name: vs.Name, Role: protocol.RoleViewer}
		s.names[id.ID] = id.Name
		viewers = append(viewers, &simViewer{
			s: vs, a: a, at: vs.Join + a.Wait, id: id, back: vs.Join,
			bids:    newBidder(id.ID, streamRNG(seed, uint64(i)+1, auctionStreams)),
			entries: newEntrant(id.ID, streamRNG(seed, uint64(i)+1, giveawayStreams)),
		})
	}
	gifts := []protocol.GiftKind{{ID: "heart", Name: "Heart", Amount: usd(100)}, {ID: "rose", Name: "Rose", Amount: usd(500)}, {ID: "rocket", Name: "Rocket", Amount: usd(2000)}}
	stuck := 0
	for {
		next := min(d.wake(), s.formatWake())
		for _, v := range viewers {
			next = min(next, v.at, v.wake())
		}
		for _, end := range s.dealEnds {
			next = min(next, end)
		}
		if next > horizon {
			return s
		}
		if next <= s.now {
			if stuck++; stuck > 100 {
				t.Fatalf("at %v the show stands still", s.now)
			}
		} else {
			stuck = 0
		}
		s.now = max(s.now, next)
		s.endDeals()
		s.endFormats()
		for _, v := range viewers {
			for v.at <= s.now {
				switch v.a.Kind {
				case viewerBuy:
					s.buy(v.id.ID)
				case viewerChat:
					s.log("chat", "", 0, v.a.Say)
				case viewerGift:
					if k, ok := v.gifts.choose(gifts, v.a.Roll); ok {
						v.gifts.sent(k)
						s.log("gift", "", int(k.Amount.Amount), k.ID)
					}
				case viewerLeave:
					v.back = v.at + v.a.Away
				}
				away := v.a.Away
				v.a = v.s.next()
				v.at += away + v.a.Wait
			}
		}
		// The director is stepped again after its own commands, as the
		// live host is by their echo, and the audience answers each.
		for {
			cmds := d.step(s.now, &s.st)
			for _, c := range cmds {
				s.exec(c)
			}
			acted := false
			for _, v := range viewers {
				acted = v.react(s) || acted
			}
			if len(cmds) == 0 && !acted {
				break
			}
		}
	}
}

// An hour of show: deals every two to four minutes, no host line twice
// running, every sell-out restocked within three minutes, and every count
// and price the host says true when it says it; auctions and giveaways
// too, as checkFormatsOverAnHour says.
func TestDirectorOverAnHour(t *testing.T) {
	const restockWithin = 3 * time.Minute
	for _, seed := range []uint64{1, 2, 3} {
		s := simulate(t, seed, 12, time.Hour)
		var deals []time.Duration
		var lastLine string
		soldAt := map[string]time.Duration{}
		restocks, sellouts, lows := 0, 0, 0
		for _, e := range s.events {
			switch e.Kind {
			case "deal":
				deals = append(deals, e.At)
			case "say":
				if e.Text == lastLine {
					t.Errorf("seed %d: at %v the host says %q twice running", seed, e.At, e.Text)
				}
				lastLine = e.Text
				if onlyRE.MatchString(e.Text) {
					lows++
				}
			case "buy":
				if e.Stock == 0 {
					soldAt[e.Variant] = e.At
					sellouts++
				}
			case "stock":
				if at, ok := soldAt[e.Variant]; ok {
					if e.At-at > restockWithin {
						t.Errorf("seed %d: %s restocked %v after it sold out", seed, e.Variant, e.At-at)
					}
					delete(soldAt, e.Variant)
					restocks++
				}
			}
		}
		for id, at := range soldAt {
			if time.Hour-at > restockWithin {
				t.Errorf("seed %d: %s sold out at %v and was never restocked", seed, id, at)
			}
		}
		for _, f := range s.facts {
			t.Errorf("seed %d: %s", seed, f)
		}
		if len(deals) < 14 || deals[0] != openingDealAt {
			t.Errorf("seed %d: deals at %v", seed, deals)
		}
		// Every two to four minutes, or a little later when an auction or
		// a giveaway holds the pin the deal fell due in.
		for i := 1; i < len(deals); i++ {
			if gap := deals[i] - deals[i-1]; gap < 2*time.Minute || gap > 4*time.Minute+stageMax {
				t.Errorf("seed %d: deal at %v comes %v after the last", seed, deals[i], gap)
			}
		}
		if sellouts == 0 || restocks == 0 || lows == 0 {
			t.Errorf("seed %d: %d sell-outs, %d restocks, %d low-stock lines in an hour", seed, sellouts, restocks, lows)
		}
		t.Logf("seed %d: %d events, %d deals, %d sell-outs, %d restocks, %d low-stock lines",
			seed, len(s.events), len(deals), sellouts, restocks, lows)
		f := summarize(s)
		checkFormatsOverAnHour(t, seed, s, f)
		t.Logf("seed %d: auctions at %v ended at %v: %d sold, %d bids by %d bidders, %d extensions; giveaways at %v, %d drawn, %d entrants; gifts %v; %d results, %d winners said",
			seed, f.auctions, f.auctionEnds, f.sold, f.bids, len(f.bidders), f.extensions, f.giveaways, f.drawn, f.entrants, f.gifts, f.results, f.winners)
	}
}

// The opening, in the simulated show: every beat the issue asks for lands
// in the first half minute.
func TestDirectorOpening(t *testing.T) {
	for _, audience := range []int{4, 12} {
		s := simulate(t, 5, audience, openingLen)
		var pinned string
		chat, buys, low := 0, 0, 0
		var deal, lowLine bool
		for _, e := range s.events {
			switch e.Kind {
			case "pin":
				pinned = e.Variant
			case "chat":
				chat++
			case "deal":
				deal = true
			case "buy":
				buys++
				if e.Variant == pinned && e.Stock <= lowStock {
					low++
				}
			case "say":
				lowLine = lowLine || onlyRE.MatchString(e.Text)
			}
		}
		if pinned == "" || !deal || buys != len(openingBuys) || low == 0 || !lowLine || chat < 15 {
			t.Errorf("audience %d: opening with pin %q, deal %v, %d buys, %d at low stock, low-stock line %v, %d chat lines",
				audience, pinned, deal, buys, low, lowLine, chat)
		}
	}
}

// The same seed plays the same show; another seed, another show.
func TestSimulatedShowFollowsSeed(t *testing.T) {
	a, b := simulate(t, 7, 12, 10*time.Minute), simulate(t, 7, 12, 10*time.Minute)
	if !reflect.DeepEqual(a.events, b.events) {
		t.Error("two shows of seed 7 differ")
	}
	if c := simulate(t, 8, 12, 10*time.Minute); reflect.DeepEqual(a.events, c.events) {
		t.Error("seeds 7 and 8 play the same show")
	}
}

func TestDealSeconds(t *testing.T) {
	cases := []struct {
		d    time.Duration
		pace float64
		want int
	}{
		{60 * time.Second, 1, 60},
		{75 * time.Second, 0.5, 38},
		{60 * time.Second, 0.01, int(protocol.MinDeal / time.Second)},
		{time.Hour, 1, int(protocol.MaxDeal / time.Second)},
	}
	for _, c := range cases {
		if got := dealSeconds(c.d, c.pace); got != c.want {
			t.Errorf("dealSeconds(%v, %v) = %d, want %d", c.d, c.pace, got, c.want)
		}
	}
}

// A reaction never repeats the host's last line, and a deal of an amount
// off is not announced with a percent it does not have.
func TestComposeAvoidsLastLineAndMissingPercent(t *testing.T) {
	st := testState(t, nil)
	d := newDirector(1, &st, simClock)
	l := sampleLive
	for i := range hostLowLines {
		d.lastLine = fill(prefill(hostLowLines[i], "", emoji[i%len(emoji)]), l)
		if got := d.compose(hostLowLines, i, l); got == d.lastLine || got == "" {
			t.Errorf("compose from %d = %q after %q", i, got, d.lastLine)
		}
	}
	l.Percent = 0
	for i := range hostDealLines {
		if got := d.compose(hostDealLines, i, l); strings.Contains(got, "{") || strings.Contains(got, "%") {
			t.Errorf("compose from %d with no percent = %q", i, got)
		}
	}
}

// After an outage the script goes on from where it stopped instead of
// playing everything it missed at once, and a lost pin is restored.
func TestDirectorAfterAnOutage(t *testing.T) {
	s := newSimShow(t)
	d := newDirector(3, &s.st, simClock)
	for _, c := range d.step(openingPinAt, &s.st) {
		s.exec(c)
	}
	if _, _, ok := s.st.Pinned(); !ok {
		t.Fatal("nothing pinned after the opening pin")
	}
	s.emit(protocol.TypeUnpin, protocol.Unpin{}) // a restarted server forgot it
	if cmds := d.resume(&s.st); len(cmds) != 1 || cmds[0].Type != protocol.TypePin {
		t.Fatalf("resume = %+v, want the pin back", cmds)
	}
	pins, lines := 0, 0
	for _, c := range d.step(10*time.Minute, &s.st) {
		switch c.Type {
		case protocol.TypePin:
			pins++
		case protocol.TypeSay:
			lines++
		}
	}
	if pins > 1 || lines > 2 {
		t.Errorf("after ten minutes away the host pins %d times and says %d lines at once", pins, lines)
	}
	if w := d.wake(); w <= 10*time.Minute {
		t.Errorf("next step at %v, not after the outage", w)
	}
}
