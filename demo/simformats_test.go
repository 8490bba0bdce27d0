package demo

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/auction"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// The simulated show's auctions and giveaways, run as the server runs
// them: one of each at a time, late bids extending the clock, secret
// maximums bidding for their owners, a draw among the entrants.

// simAuction is the running or last auction of a simulated show, run by
// the server's own engine.
type simAuction struct {
	pub     protocol.Auction
	engine  *auction.Auction
	started time.Duration
}

// simGiveaway is the running or last giveaway of a simulated show.
type simGiveaway struct {
	pub      protocol.Giveaway
	end      time.Duration
	entrants []protocol.Identity
	started  time.Duration
}

func (s *simShow) startAuction(c protocol.StartAuction) {
	if a := s.auction; a != nil && a.pub.State == protocol.AuctionOpen {
		s.t.Errorf("at %v: an auction starts while %s is open", s.now, a.pub.ID)
		return
	}
	p, ok := s.st.Product(c.ProductID)
	v, vok := p.Variant(c.VariantID)
	if !ok || !vok || v.Stock == 0 {
		s.t.Errorf("at %v: auction of %s/%s, not in stock", s.now, c.ProductID, c.VariantID)
		return
	}
	if err := c.Validate(); err != nil {
		s.t.Errorf("at %v: %v", s.now, err)
		return
	}
	engine, err := auction.New(auction.Config{
		Start:    money.New(c.Start, p.Price.Currency),
		Duration: time.Duration(c.Seconds) * time.Second,
		Counter:  time.Duration(c.CounterSeconds) * time.Second,
	}, simEpoch.Add(s.now))
	if err != nil {
		s.t.Errorf("at %v: %v", s.now, err)
		return
	}
	s.auctions++
	s.auction = &simAuction{
		pub:    protocol.Auction{ID: fmt.Sprintf("a%d", s.auctions), ProductID: p.ID, VariantID: v.ID, State: protocol.AuctionOpen},
		engine: engine, started: s.now,
	}
	s.setStock(v.ID, v.Stock-1) // set aside for the winner, as the server does
	s.publishAuction()
	s.log("auction", v.ID, 0, s.auction.pub.ID)
}

// publishAuction sends the auction's state as the engine has it.
func (s *simShow) publishAuction() {
	a := s.auction
	st := a.engine.Snapshot()
	a.pub.Start, a.pub.Next, a.pub.Bids, a.pub.EndsAt = st.Start, st.Next, st.Bids, st.End
	a.pub.CounterSeconds, a.pub.Extensions = int(st.Counter/time.Second), st.Extensions
	if st.Leader != "" {
		price, leader := st.Price, s.identity(st.Leader)
		a.pub.Price, a.pub.Leader = &price, &leader
	}
	switch {
	case st.Ended && st.Leader != "":
		a.pub.State = protocol.AuctionSold
	case st.Ended:
		a.pub.State = protocol.AuctionUnsold
	}
	s.emit(protocol.TypeAuction, a.pub)
}

// bid places a viewer's bid through the engine; a refused bid changes
// nothing, as the server's error does, but a bid the viewer should have
// known better than to send fails the test.
func (s *simShow) bid(who protocol.Identity, b protocol.Bid) {
	a := s.auction
	if a == nil || a.pub.ID != b.AuctionID {
		s.t.Errorf("at %v: %s bids on %s, not the running auction", s.now, who.Name, b.AuctionID)
		return
	}
	r, err := a.engine.Bid(who.ID, b.Amount, b.Max, simEpoch.Add(s.now))
	var low *auction.TooLowError
	switch {
	case errors.As(err, &low):
		return // someone bid first
	case err != nil:
		s.t.Errorf("at %v: %s's bid %+v: %v", s.now, who.Name, b, err)
		return
	}
	s.publishAuction()
	s.log("bid", a.pub.VariantID, int(r.Price.Amount), who.Name)
}

func (s *simShow) startGiveaway(c protocol.StartGiveaway) {
	if g := s.giveaway; g != nil && g.pub.State == protocol.GiveawayOpen {
		s.t.Errorf("at %v: a giveaway starts while %s is open", s.now, g.pub.ID)
		return
	}
	if err := c.Validate(); err != nil {
		s.t.Errorf("at %v: %v", s.now, err)
		return
	}
	p, _ := s.st.Product(c.ProductID)
	v, ok := p.Variant(c.VariantID)
	if !ok || v.Stock == 0 {
		s.t.Errorf("at %v: giveaway of %s/%s, not in stock", s.now, c.ProductID, c.VariantID)
		return
	}
	s.setStock(v.ID, v.Stock-1) // set aside for the winner, as the server does
	s.giveaways++
	end := s.now + time.Duration(c.Seconds)*time.Second
	s.giveaway = &simGiveaway{
		pub: protocol.Giveaway{
			ID: fmt.Sprintf("g%d", s.giveaways), ProductID: c.ProductID, VariantID: c.VariantID, BuyersOnly: c.BuyersOnly,
			EndsAt: simEpoch.Add(end), State: protocol.GiveawayOpen, Commitment: strings.Repeat("c", protocol.DrawHashHexLen),
		},
		end: end, started: s.now,
	}
	s.emit(protocol.TypeGiveaway, s.giveaway.pub)
	s.log("giveaway", c.VariantID, 0, s.giveaway.pub.ID)
}

func (s *simShow) enter(who protocol.Identity, e protocol.Enter) {
	g := s.giveaway
	if g == nil || g.pub.ID != e.GiveawayID || g.pub.State != protocol.GiveawayOpen {
		return
	}
	if g.pub.BuyersOnly && !s.bought[who.ID] {
		s.t.Errorf("at %v: %s enters a giveaway for buyers without having bought", s.now, who.Name)
		return
	}
	for _, in := range g.entrants {
		if in.ID == who.ID {
			s.t.Errorf("at %v: %s enters twice", s.now, who.Name)
			return
		}
	}
	g.entrants = append(g.entrants, who)
	g.pub.Entrants = len(g.entrants)
	s.emit(protocol.TypeGiveaway, g.pub)
}

// endFormats ends the auction and the giveaway whose time is up. Their
// units were set aside at the start: the winners get them, and without a
// winner they go back to stock.
func (s *simShow) endFormats() {
	if a := s.auction; a != nil && a.pub.State == protocol.AuctionOpen && s.closeAuction(a) {
		s.log("auction_end", a.pub.VariantID, a.pub.Extensions, a.pub.State)
		if a.pub.State == protocol.AuctionUnsold {
			s.giveBack(a.pub.VariantID)
		}
	}
	if g := s.giveaway; g != nil && g.pub.State == protocol.GiveawayOpen && s.now >= g.end {
		g.pub.State = protocol.GiveawayVoid
		g.pub.EntrantsHash = strings.Repeat("e", protocol.DrawHashHexLen)
		if n := len(g.entrants); n > 0 {
			g.pub.State, g.pub.Seed = protocol.GiveawayDrawn, strings.Repeat("5", protocol.DrawHashHexLen)
			g.pub.WinnerIndex = int(s.seq) % n
			g.pub.Winner = &g.entrants[g.pub.WinnerIndex]
			g.pub.Record = "http://127.0.0.1:7420/giveaways/" + g.pub.ID
		}
		s.emit(protocol.TypeGiveaway, g.pub)
		s.log("giveaway_end", g.pub.VariantID, g.pub.Entrants, g.pub.State)
		if g.pub.State == protocol.GiveawayVoid {
			s.giveBack(g.pub.VariantID)
		}
	}
}

// closeAuction ends a if its time is up and publishes how it ended.
func (s *simShow) closeAuction(a *simAuction) bool {
	if _, ended := a.engine.Close(simEpoch.Add(s.now)); !ended {
		return false
	}
	s.publishAuction()
	return true
}

// giveBack puts back the unit of an auction or a giveaway without a
// winner.
func (s *simShow) giveBack(variantID string) {
	p, _ := s.st.ProductOfVariant(variantID)
	v, _ := p.Variant(variantID)
	s.setStock(v.ID, v.Stock+1)
}

// formatWake is when the running auction or giveaway ends.
func (s *simShow) formatWake() time.Duration {
	w := never
	if a := s.auction; a != nil && a.pub.State == protocol.AuctionOpen {
		w = min(w, a.engine.Snapshot().End.Sub(simEpoch))
	}
	if g := s.giveaway; g != nil && g.pub.State == protocol.GiveawayOpen {
		w = min(w, g.end)
	}
	return w
}

func (s *simShow) identity(id string) protocol.Identity {
	return protocol.Identity{ID: id, Name: s.names[id], Role: protocol.RoleViewer}
}

var (
	wholeRE  = regexp.MustCompile(`\$(\d+)(\.\d\d)?`)
	verifyRE = regexp.MustCompile(`livecart verify (\S+)`)
	timeRE   = regexp.MustCompile(`\d+ seconds?|a minute|\d+ minutes`)
)

// checkFormats returns what a host line states about an auction or a
// giveaway that the show does not hold, and the line without the time it
// gives them, for the checks of products.
func (s *simShow) checkFormats(line string) (bad, rest string) {
	a, g := s.auction, s.giveaway
	auctionOpen := a != nil && a.pub.State == protocol.AuctionOpen
	giveawayOpen := g != nil && g.pub.State == protocol.GiveawayOpen
	rest = line
	if strings.Contains(line, "press b") || strings.Contains(line, "press e") || strings.Contains(line, "Press b") || strings.Contains(line, "Press e") {
		auctionLine := strings.Contains(strings.ToLower(line), "press b")
		switch {
		case auctionLine && !auctionOpen:
			return "bidding with no auction open", rest
		case !auctionLine && !giveawayOpen:
			return "entering with no giveaway open", rest
		}
		if m := timeRE.FindString(line); m != "" {
			end := simClock.at(a.pub.EndsAt)
			if !auctionLine {
				end = g.end
			}
			if want := spoken(end - s.now); m != want {
				return fmt.Sprintf("%q left with %s to go", m, want), rest
			}
			rest = strings.Replace(line, m, "", 1)
		}
	}
	for _, m := range wholeRE.FindAllStringSubmatch(line, -1) {
		if m[2] != "" {
			continue // a price with cents: a product's, checked with it
		}
		if a == nil || !(m[0] == whole(a.pub.Start) && a.pub.Bids == 0 || a.pub.Price != nil && m[0] == whole(*a.pub.Price)) {
			return fmt.Sprintf("%s is not the auction's opening bid or price", m[0]), rest
		}
	}
	if m := verifyRE.FindStringSubmatch(line); m != nil && (g == nil || g.pub.State != protocol.GiveawayDrawn || m[1] != g.pub.Record) {
		return fmt.Sprintf("a record %s that is not the last draw's", m[1]), rest
	}
	for id, name := range s.names {
		if !strings.Contains(line, name) || !nameRE(name).MatchString(line) {
			continue
		}
		won := a != nil && a.pub.State == protocol.AuctionSold && a.pub.Leader.ID == id ||
			g != nil && g.pub.State == protocol.GiveawayDrawn && g.pub.Winner.ID == id
		if !won {
			return fmt.Sprintf("%s named, who has won nothing just now", name), rest
		}
	}
	return "", rest
}

var nameREs = map[string]*regexp.Regexp{}

// nameRE matches a name as a word of its own.
func nameRE(name string) *regexp.Regexp {
	re, ok := nameREs[name]
	if !ok {
		re = regexp.MustCompile(`(^|[^\pL])` + regexp.QuoteMeta(name) + `([^\pL]|$)`)
		nameREs[name] = re
	}
	return re
}

// formatsOf sums up the auctions, giveaways and gifts of a simulated show.
type formatsSummary struct {
	auctions, giveaways []time.Duration // when each started
	auctionEnds         []time.Duration
	sold, extensions    int
	bids                int
	bidders             map[string]bool
	drawn, entrants     int
	gifts               map[string]int
	results, winners    int // host lines saying an auction's result, a giveaway's winner
}

func summarize(s *simShow) formatsSummary {
	f := formatsSummary{bidders: map[string]bool{}, gifts: map[string]int{}}
	for _, e := range s.events {
		switch e.Kind {
		case "auction":
			f.auctions = append(f.auctions, e.At)
		case "auction_end":
			f.auctionEnds = append(f.auctionEnds, e.At)
			if e.Text == protocol.AuctionSold {
				f.sold++
			}
			f.extensions += e.Stock
		case "bid":
			f.bids++
			f.bidders[e.Text] = true
		case "giveaway":
			f.giveaways = append(f.giveaways, e.At)
		case "giveaway_end":
			f.entrants += e.Stock
			if e.Text == protocol.GiveawayDrawn {
				f.drawn++
			}
		case "gift":
			f.gifts[e.Text]++
		case "say":
			if strings.Contains(e.Text, "SOLD") || strings.Contains(e.Text, "'s for $") || strings.Contains(e.Text, "No bids") || strings.Contains(e.Text, "without a bid") {
				f.results++
			}
			if strings.Contains(e.Text, "livecart verify") {
				f.winners++
			}
		}
	}
	return f
}

// stageMax bounds how much later than due a deal, an auction or a giveaway
// may come when another holds the pin it fell due in: a giveaway's segment
// or a deal's, with a lead and a tail, and an extended auction's.
const stageMax = dealLead + dealMax + dealTail

// checkFormatsOverAnHour checks the auctions, giveaways and gifts of an
// hour of simulated show: the first auction before 2:00 and the first
// giveaway before 4:00, one of each at a time (simShow fails the test
// otherwise), no deal while an auction runs, each result said, and a show
// that stays lively: bids from several viewers, sales, late bids that
// extend the clock, entrants and winners, gifts mostly small.
func checkFormatsOverAnHour(t *testing.T, seed uint64, s *simShow, f formatsSummary) {
	t.Helper()
	if len(f.auctions) < 9 || f.auctions[0] >= 2*time.Minute {
		t.Errorf("seed %d: auctions at %v, want the first before 2:00 and one every four to six minutes", seed, f.auctions)
	}
	for i := 1; i < len(f.auctions); i++ {
		if gap := f.auctions[i] - f.auctions[i-1]; gap < 4*time.Minute || gap > 6*time.Minute+stageMax {
			t.Errorf("seed %d: auction at %v comes %v after the last", seed, f.auctions[i], gap)
		}
	}
	if len(f.giveaways) < 5 || f.giveaways[0] >= 4*time.Minute {
		t.Errorf("seed %d: giveaways at %v, want the first before 4:00 and one every six to nine minutes", seed, f.giveaways)
	}
	for i := 1; i < len(f.giveaways); i++ {
		if gap := f.giveaways[i] - f.giveaways[i-1]; gap < 6*time.Minute || gap > 9*time.Minute+stageMax {
			t.Errorf("seed %d: giveaway at %v comes %v after the last", seed, f.giveaways[i], gap)
		}
	}
	// No deal runs while an auction does.
	var dealAt []time.Duration
	var dealFor []int
	for _, e := range s.events {
		if e.Kind == "deal" {
			dealAt, dealFor = append(dealAt, e.At), append(dealFor, e.Stock)
		}
	}
	for i, at := range f.auctions {
		end := time.Duration(1<<62 - 1)
		if i < len(f.auctionEnds) {
			end = f.auctionEnds[i]
		}
		for k, d := range dealAt {
			if d < end && d+time.Duration(dealFor[k])*time.Second > at {
				t.Errorf("seed %d: the deal at %v runs into the auction from %v to %v", seed, d, at, end)
			}
		}
	}
	if f.sold < len(f.auctionEnds)/2 || f.extensions == 0 || len(f.bidders) < 4 || f.bids < 3*len(f.auctionEnds) {
		t.Errorf("seed %d: %d of %d auctions sold, %d extensions, %d bids by %d bidders", seed, f.sold, len(f.auctionEnds), f.extensions, f.bids, len(f.bidders))
	}
	if f.results != len(f.auctionEnds) {
		t.Errorf("seed %d: %d auctions ended and the host gave %d results", seed, len(f.auctionEnds), f.results)
	}
	if f.drawn == 0 || f.winners != f.drawn || f.entrants < 3*len(f.giveaways) {
		t.Errorf("seed %d: %d giveaways, %d drawn with %d entrants in all, %d winners said with their record", seed, len(f.giveaways), f.drawn, f.entrants, f.winners)
	}
	if f.gifts["heart"] == 0 || f.gifts["heart"] <= f.gifts["rose"] || f.gifts["rose"] < f.gifts["rocket"] {
		t.Errorf("seed %d: gifts %v, want hearts most and rockets least", seed, f.gifts)
	}
}
