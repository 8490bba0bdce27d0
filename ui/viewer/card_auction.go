package viewer

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// The card's rows for an auction and a giveaway. Each is drawn from a
// plain value (auctionCard, giveawayCard) that holds everything it shows,
// the countdown included, so that the card's memo can tell by comparing
// it whether to draw again.

// maxLeaderCells bounds a leader's name on the card, so a long one never
// pushes the price or the count out.
const maxLeaderCells = 16

// urgentSecs is when a countdown turns urgent.
const urgentSecs = 10

// auctionCard is what the card shows of an auction.
type auctionCard struct {
	on           bool   // the card shows an auction
	item         string // its product (and variant)
	state        string
	price, start string // the leading bid ("" before the first) and the opening one
	next         string // what b bids
	leader       string
	you          bool // the viewer leads, or won
	bids         int
	secs         int // left, by the show's clock
	sudden       bool
	extensions   int
	flash        int    // seconds the latest extension added, while it flashes
	max          string // the viewer's secret maximum, as the show holds it
	asking       string // the viewer's bid or maximum in flight
	askingMax    bool
}

// auctionCardAt is the auction as the card shows it at the show's time now.
func (m Model) auctionCardAt(now time.Time) auctionCard {
	if !m.auctionShown(now) {
		return auctionCard{}
	}
	a := m.Show.Auction
	c := auctionCard{
		on: true, item: m.productName(a.ProductID, a.VariantID), state: a.State,
		start: a.Start.String(), next: m.nextBid().String(), you: m.Show.Leading(), bids: a.Bids,
		secs: live.Countdown(now, a.EndsAt), sudden: a.CounterSeconds == 0, extensions: a.Extensions, max: m.myMax(),
	}
	if a.Price != nil {
		c.price = a.Price.String()
	}
	if a.Leader != nil {
		c.leader = a.Leader.Name
	}
	if m.auc.id == a.ID && now.Before(m.auc.flashUntil) {
		c.flash = m.auc.flashSecs
	}
	if ask := m.auc.ask; ask.pending() && !a.Ended() {
		c.asking, c.askingMax = ask.amount.String(), ask.max
	}
	return c
}

// auctionRows draws an auction in w cells: what is up, the bid and the
// time left, and what b bids; or, once it ended, how.
func auctionRows(s *theme.Styles, a auctionCard, w int) []string {
	badge := s.Deal.Render("AUCTION")
	rows := []string{badge + " " + s.Title.Render(fit(a.item, max(1, w-lipgloss.Width(badge)-1)))}
	switch a.state {
	case protocol.AuctionSold:
		if a.you {
			return append(rows, s.Good.Bold(true).Render(fit("SOLD to you for "+a.price, w)))
		}
		return append(rows, row([]string{s.Deal.Render("SOLD") + " to " + fit(a.leader, maxLeaderCells) + " for " + s.Price.Render(a.price)}, "", w))
	case protocol.AuctionUnsold:
		return append(rows, s.Subtle.Render(fit("No bids — unsold", w)))
	case protocol.AuctionCancelled:
		return append(rows, s.Subtle.Render(fit("Auction withdrawn", w)))
	}
	sep := s.Subtle.Render(" · ")
	var bid []string
	switch {
	case a.price == "":
		bid = []string{s.Subtle.Render("starting bid ") + s.Price.Render(a.start), sep + s.Subtle.Render("no bids yet")}
	case a.you:
		bid = []string{s.Price.Render(a.price) + sep + s.Good.Bold(true).Render("you lead"), sep + s.Subtle.Render(bidCount(a.bids))}
	default:
		bid = []string{s.Price.Render(a.price) + sep + s.Title.Render(fit(a.leader, maxLeaderCells)) + s.Subtle.Render(" leads"), sep + s.Subtle.Render(bidCount(a.bids))}
	}
	rows = append(rows, row(bid, clockText(s, a.secs, "closing…"), w))

	key := s.Accent.Bold(true).Render
	var act []string
	switch {
	case a.asking != "" && a.askingMax:
		act = append(act, s.Warn.Render("setting your max "+a.asking+"…"))
	case a.asking != "":
		act = append(act, s.Warn.Render("bidding "+a.asking+"…"))
	case a.you && a.max != "":
		act = append(act, s.Good.Render("your max "+a.max), sep+key("m")+s.Subtle.Render(" raises it"))
	case a.you:
		act = append(act, key("m")+s.Subtle.Render(" sets a secret max"))
	default:
		act = append(act, key("b")+s.Subtle.Render(" bids ")+s.Price.Render(a.next))
	}
	if a.max != "" && !a.you {
		act = append(act, sep+s.Good.Render("your max "+a.max))
	}
	var notes []string
	if a.flash > 0 {
		notes = append(notes, s.Warn.Render(fmt.Sprintf("+%ds", a.flash)))
	}
	switch {
	case a.sudden:
		notes = append(notes, s.Deal.Render("sudden death"))
	case a.extensions > 0:
		notes = append(notes, s.Subtle.Render(fmt.Sprintf("extended ×%d", a.extensions)))
	}
	return append(rows, row(act, strings.Join(notes, sep), w))
}

// clockText is a countdown of secs as m:ss left, urgent in its last
// seconds; at 0, what happens then.
func clockText(s *theme.Styles, secs int, then string) string {
	if secs <= 0 {
		return s.Warn.Render(then)
	}
	text := fmt.Sprintf("%d:%02d left", secs/60, secs%60)
	if secs <= urgentSecs {
		return s.Warn.Render(text)
	}
	return s.Accent.Render(text)
}

func bidCount(n int) string {
	if n == 1 {
		return "1 bid"
	}
	return fmt.Sprintf("%d bids", n)
}

// giveawayCard is what the card shows of a giveaway.
type giveawayCard struct {
	on         bool // the card shows a giveaway
	item       string
	state      string
	secs       int
	entrants   int
	entered    bool // the viewer is in
	entering   bool // the viewer's entry is on its way
	buyersOnly bool
	bought     bool // the viewer has bought in this show, as far as this screen knows
	winner     string
	you        bool // the viewer won
	commitment string
	record     string
}

// giveawayCardAt is the giveaway as the card shows it at the show's time
// now.
func (m Model) giveawayCardAt(now time.Time) giveawayCard {
	if !m.giveawayShown(now) {
		return giveawayCard{}
	}
	g := m.Show.Giveaway
	c := giveawayCard{
		on: true, item: m.productName(g.ProductID, g.VariantID), state: g.State, secs: live.Countdown(now, g.EndsAt),
		entrants: g.Entrants, entered: m.Show.Entered == g.ID, entering: m.give.id == g.ID && m.give.entering,
		buyersOnly: g.BuyersOnly, bought: m.ordered, commitment: shortCommitment(g.Commitment), record: recordURL(g),
	}
	if g.Winner != nil {
		c.winner, c.you = g.Winner.Name, g.Winner.ID == m.Show.You.ID
	}
	return c
}

// giveawayRows draws a giveaway in w cells: what is given, the time left,
// who is in and how to enter; or, once drawn, who won and how to check
// the draw.
func giveawayRows(s *theme.Styles, g giveawayCard, w int) []string {
	badge := s.Accent.Bold(true).Render("GIVEAWAY") + " "
	sep := s.Subtle.Render(" · ")
	switch g.state {
	case protocol.GiveawayDrawn:
		won := []string{badge + s.Title.Render(fit(g.winner, maxLeaderCells)) + s.Subtle.Render(" won ") + g.item}
		if g.you {
			won = []string{badge + s.Good.Bold(true).Render("You won "+g.item+"!")}
		}
		check := "commitment " + g.commitment
		if g.record != "" {
			check += " · verify: livecart verify " + g.record
		}
		return []string{row(won, "", w), s.Subtle.Render(fit(check, w))}
	case protocol.GiveawayVoid:
		return []string{row([]string{badge + s.Title.Render(g.item)}, "", w), s.Subtle.Render(fit(voidText(g.entrants), w))}
	}
	clock := clockText(s, g.secs, "drawing…")
	var act string
	switch {
	case g.entered:
		act = s.Good.Bold(true).Render("you're in ✓")
	case g.entering:
		act = s.Warn.Render("entering…")
	case g.buyersOnly && !g.bought:
		act = s.Warn.Render("buyers only")
	default:
		act = s.Accent.Bold(true).Render("e") + s.Subtle.Render(" to enter")
	}
	parts := []string{act, sep + s.Subtle.Render(fmt.Sprintf("%d entered", g.entrants))}
	if g.buyersOnly && (g.bought || g.entered || g.entering) {
		parts = append(parts, sep+s.Subtle.Render("buyers only"))
	}
	return []string{row([]string{badge + s.Title.Render(g.item)}, clock, w), row(parts, "", w)}
}

// pinnedRow is the pinned product in a row of its own, under an auction:
// what a adds, at its price.
func pinnedRow(s *theme.Styles, d cardData, w int) string {
	p, v := d.product, d.variant
	name := p.Name
	if len(p.Variants) > 1 {
		name += " (" + v.Name + ")"
	}
	price := s.Price.Render(p.RegularOf(v.ID).String())
	if deal, on := p.DealOf(v.ID, d.serverNow); on {
		price = s.Deal.Render(deal.String())
	}
	if v.Stock <= 0 {
		price = s.Error.Bold(true).Render("SOLD OUT")
	}
	return row([]string{s.Accent.Bold(true).Render("PINNED") + " " + s.Title.Render(name)}, price, w)
}

// minLeftCells is the least of a row's left part worth keeping beside its
// right part; with less room the right part goes.
const minLeftCells = 8

// row lays out a row w cells wide: left's parts one after the other and
// right at the end. What does not fit goes in this order: left's parts
// from the last (the first stays), then the first is cut, then right.
func row(left []string, right string, w int) string {
	rw := lipgloss.Width(right)
	for n := len(left); n >= 1; n-- {
		l := strings.Join(left[:n], "")
		lw := lipgloss.Width(l)
		switch {
		case right == "" && lw <= w:
			return l
		case right != "" && lw+1+rw <= w:
			return spread(l, right, w)
		}
	}
	if right != "" && rw+1+minLeftCells <= w {
		return spread(fit(left[0], w-rw-1), right, w)
	}
	return fit(left[0], w)
}

// voidText says why a void giveaway drew nothing: no one entered, or, with
// entrants, its server restarted while it was open.
func voidText(entrants int) string {
	if entrants > 0 {
		return "nothing drawn"
	}
	return "no entrants · nothing drawn"
}
