package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// Auctions: the prompt that starts one on the selected product, the key
// that withdraws one nobody has bid on, and the panel that follows the
// bids. One auction runs at a time.

// suddenWord asks for a sudden-death auction in the prompt.
const suddenWord = "sudden"

// auctionPrompt asks for an auction of a unit of the selected product.
func (m Model) auctionPrompt() (prompt, error) {
	p, ok := m.selected()
	if !ok {
		return prompt{}, nil
	}
	v, ok := m.offerVariant(p)
	if !ok {
		return prompt{}, fmt.Errorf("every variant of %s is sold out · i sets stock", p.Name)
	}
	hint := "opening bid and length, e.g. " + exampleStart(p) + " 30s · add " + suddenWord + " for no extensions, or 15s for the counter-bid time (" +
		durationLabel(int(protocol.DefaultCounterBid/time.Second)) + " by default)"
	if len(p.Variants) > 1 {
		hint += " · or a variant: " + strings.ToLower(firstWord(v.Name))
	}
	return prompt{kind: promptAuction, product: p, label: "Auction of " + m.itemName(p.ID, v.ID), short: "Auction",
		lead: money.Prefix(p.Price.Currency), hint: hint}, nil
}

// exampleStart is an opening bid that suits the product's currency.
func exampleStart(p protocol.Product) string { return exampleOff(p) }

// parseAuction reads "START LENGTH [sudden | COUNTER] [VARIANT]", such as
// "$5 30s", "5 2m sudden" or "$5 30s 15s green", into a start_auction
// command for p; the variant is def unless one is named. A counter-bid
// time left out is the server's default.
func parseAuction(in string, p protocol.Product, def protocol.Variant) (protocol.StartAuction, error) {
	a := protocol.StartAuction{ProductID: p.ID, VariantID: def.ID}
	f := strings.Fields(in)
	if len(f) < 2 {
		return a, fmt.Errorf("write the opening bid and the length, like %s 30s (add %s, or 15s for the counter-bid time)", exampleStart(p), suddenWord)
	}
	start, err := parseMoney(f[0], p.Price.Currency)
	if err != nil {
		return a, fmt.Errorf("opening bid: %w", err)
	}
	if start < 1 {
		return a, fmt.Errorf("opening bid: %s is nothing; start at %s or more", money.New(start, p.Price.Currency), money.New(1, p.Price.Currency))
	}
	a.Start = start
	secs, err := parseSeconds(f[1], protocol.MinAuction, protocol.MaxAuction)
	if err != nil {
		return a, fmt.Errorf("auction length: %w", err)
	}
	a.Seconds = secs
	counter, variant := false, false
	for _, w := range f[2:] {
		switch {
		case strings.EqualFold(w, suddenWord):
			if a.Sudden || counter {
				return a, errors.New("say " + suddenWord + " or a counter-bid time, once: a sudden-death auction has no counter-bid time")
			}
			a.Sudden = true
		case isDuration(w):
			if a.Sudden || counter {
				return a, errors.New("say " + suddenWord + " or a counter-bid time, once: a sudden-death auction has no counter-bid time")
			}
			n, err := parseSeconds(w, time.Second, protocol.MaxCounterBid)
			if err != nil {
				return a, fmt.Errorf("counter-bid time: %w", err)
			}
			a.CounterSeconds, counter = n, true
		default:
			v, ok := findVariant(p, w)
			if !ok || variant {
				return a, fmt.Errorf("%q is not %s, a counter-bid time like 15s, or one variant of %s: %s",
					truncateInput(w), suddenWord, p.Name, variantNames(p))
			}
			if err := inStock(p, v); err != nil {
				return a, err
			}
			a.VariantID, variant = v.ID, true
		}
	}
	return a, a.Validate()
}

// isDuration reports whether w is meant as a duration or a number of
// seconds ("15s", "15"), not as a word: it starts with a digit.
func isDuration(w string) bool { return w != "" && w[0] >= '0' && w[0] <= '9' }

// submitAuction checks the answer to the auction prompt and starts it.
func (m Model) submitAuction(in string, p protocol.Product) (Model, tea.Cmd) {
	if a, ok := m.auctionOpen(); ok {
		return m.notify(live.StatusError, "Not sent: one auction at a time, and "+m.itemName(a.ProductID, a.VariantID)+" is up")
	}
	def, ok := m.offerVariant(p)
	if !ok {
		return m.notify(live.StatusError, "Not sent: every variant of "+p.Name+" is sold out · i sets stock")
	}
	a, err := parseAuction(in, p, def)
	if err != nil {
		return m.notify(live.StatusError, "Not sent: "+err.Error())
	}
	what := fmt.Sprintf("start an auction of %s at %s for %s", m.itemName(p.ID, a.VariantID),
		money.New(a.Start, p.Price.Currency), durationLabel(a.Seconds))
	m.closePrompt()
	return m.send(op{what: what, typ: protocol.TypeStartAuction, key: p.ID}, a)
}

// cancelAuction withdraws the running auction, which nobody has bid on.
func (m Model) cancelAuction() (Model, tea.Cmd) {
	a, ok := m.auctionOpen()
	if !ok || a.Bids > 0 {
		return m, nil
	}
	name := m.itemName(a.ProductID, a.VariantID)
	return m.send(op{what: "cancel the auction of " + name, typ: protocol.TypeCancelAuction, key: a.ID,
		names: []string{a.ID, name}}, protocol.CancelAuction{AuctionID: a.ID})
}

// auctionChanged reacts to an auction event: it answers the command that
// asked for it, and says in the chat how an auction ended. was is the
// auction before the event.
func (m *Model) auctionChanged(was *protocol.Auction) tea.Cmd {
	a := m.Show.Auction
	if a == nil {
		return nil
	}
	fresh := was == nil || was.ID != a.ID
	if a.Ended() && (fresh || !was.Ended()) {
		m.chat.AddSystem(m.auctionResult(a))
	}
	return m.confirm(func(o op) bool {
		switch o.typ {
		case protocol.TypeStartAuction:
			return fresh && o.key == a.ProductID
		case protocol.TypeCancelAuction:
			return o.key == a.ID && a.State == protocol.AuctionCancelled
		}
		return false
	})
}

// auctionResult says how an auction ended, in words.
func (m Model) auctionResult(a *protocol.Auction) string {
	name := m.itemName(a.ProductID, a.VariantID)
	switch a.State {
	case protocol.AuctionSold:
		return fmt.Sprintf("auction: %s SOLD to %s for %s", name, a.Leader.Name, a.Price)
	case protocol.AuctionUnsold:
		return "auction: " + name + " unsold, no bids"
	}
	return "auction of " + name + " cancelled"
}

// auctionView is what the auction panel needs to draw itself.
type auctionView struct {
	styles *theme.Styles
	a      protocol.Auction
	name   string    // the item, "Speckled Mug (Blue)"
	now    time.Time // server time
}

// auctionView is the panel's view of the current auction.
func (m Model) auctionView() (auctionView, bool) {
	a := m.Show.Auction
	if a == nil {
		return auctionView{}, false
	}
	return auctionView{styles: m.Styles, a: *a, name: m.itemName(a.ProductID, a.VariantID), now: m.ServerNow()}, true
}

// Rows of the auction panel in each layout.
const (
	auctionRowsWide   = 3 // heading, the bid, the clock or the result
	auctionRowsNarrow = 1
)

// rows draws the panel in n rows of width cells: a heading and two lines
// on a wide screen, one line on a narrow one.
func (v auctionView) rows(width, n int) []string {
	if n <= 0 {
		return nil
	}
	s := v.styles
	if n < auctionRowsWide {
		return []string{fit(s.Deal.Render("Auction")+" "+v.name+s.Subtle.Render(" · ")+v.state(true), width)}
	}
	out := []string{heading(s, "Auction", v.name+" · "+v.rule(), false, width)}
	a := v.a
	if a.Ended() {
		out = append(out, fit("  "+v.state(false), width),
			fit("  "+s.Subtle.Render(v.opening()+" · "+plural(a.Bids, "bid")), width))
		return out
	}
	out = append(out, fit("  "+v.bid(), width), fit("  "+v.clock()+s.Subtle.Render(" · "+v.opening()), width))
	return out
}

// rule is the auction's ending rule: sudden death or its counter-bid time.
func (v auctionView) rule() string {
	if v.a.CounterSeconds == 0 {
		return "sudden death"
	}
	return "counter-bid " + durationLabel(v.a.CounterSeconds)
}

func (v auctionView) opening() string { return "opened at " + v.a.Start.String() }

// bid is the leading bid and its bidder, or the opening bid before any.
func (v auctionView) bid() string {
	s, a := v.styles, v.a
	if a.Price == nil || a.Leader == nil {
		return s.Subtle.Render("no bids yet · opens at ") + s.Price.Render(a.Next.String()) + s.Subtle.Render(" · c cancels")
	}
	return s.Price.Render(a.Price.String()) + " " + s.Name(a.Leader.ID).Render(a.Leader.Name) + s.Subtle.Render(" leads · ") +
		plural(a.Bids, "bid") + s.Subtle.Render(" · next ") + a.Next.String()
}

// clock is the time left, and how often a late bid moved the end.
func (v auctionView) clock() string {
	s, a := v.styles, v.a
	left := s.Warn.Render("ending…")
	if v.now.Before(a.EndsAt) {
		left = s.Warn.Render(live.Left(v.now, a.EndsAt)) + s.Subtle.Render(" left")
	}
	if a.Extensions > 0 {
		left += s.Subtle.Render(" · ") + s.Deal.Render(fmt.Sprintf("extended ×%d", a.Extensions))
	}
	return left
}

// state is the auction in one phrase: the result once it has ended, else
// the bid and the clock (compact, for one line).
func (v auctionView) state(compact bool) string {
	s, a := v.styles, v.a
	switch a.State {
	case protocol.AuctionSold:
		return s.Good.Bold(true).Render("SOLD") + s.Subtle.Render(" to ") + s.Name(a.Leader.ID).Render(a.Leader.Name) +
			s.Subtle.Render(" for ") + s.Price.Render(a.Price.String())
	case protocol.AuctionUnsold:
		return s.Subtle.Render("unsold · no bids")
	case protocol.AuctionCancelled:
		return s.Subtle.Render("cancelled")
	}
	if !compact {
		return v.bid()
	}
	bid := s.Subtle.Render("opens at ") + s.Price.Render(a.Next.String())
	if a.Price != nil && a.Leader != nil {
		bid = s.Price.Render(a.Price.String()) + " " + s.Name(a.Leader.ID).Render(a.Leader.Name) + s.Subtle.Render(" · ") + plural(a.Bids, "bid")
	}
	return bid + s.Subtle.Render(" · ") + v.clock()
}

// plural is n and a noun, in the plural unless n is one.
func plural(n int, word string) string { return strconv.Itoa(n) + noun(n, word) }

// noun is " word", in the plural unless n is one.
func noun(n int, word string) string {
	if n == 1 {
		return " " + word
	}
	return " " + word + "s"
}
