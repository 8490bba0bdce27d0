package viewer

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
)

// The viewer's side of an auction. The mirror (show.State) holds the
// auction as the show last said it; this screen adds what it has asked
// for and not yet heard back about, and what it keeps on screen a little
// longer than the show does: the end, and an extension's flash.

// How long things stay on the card, by the show's clock.
const (
	auctionLinger = 8 * time.Second // an ended auction, so its outcome can be read
	flashFor      = 3 * time.Second // "+10s" after a late bid extends the auction
)

// maxBidRunes bounds what the maximum's prompt takes: "USD 1,000,000.00"
// and then some.
const maxBidRunes = 20

// auctionUI is what the screen adds to the running auction.
type auctionUI struct {
	id         string      // the auction the rest belongs to
	ask        bidAsk      // a bid or maximum sent and not yet answered
	min        money.Money // the least the show last said it takes (bid_too_low), while above Next
	extensions int         // the auction's extensions as last seen, to tell a new one
	flashUntil time.Time   // the latest extension flashes until then
	flashSecs  int         // by how many seconds it moved the end
	ended      bool        // its end has been seen
	shownUntil time.Time   // an ended auction stays on the card until then
}

// bidAsk is a bid or maximum in flight.
type bidAsk struct {
	amount money.Money
	max    bool
}

func (a bidAsk) pending() bool { return a.amount.Amount > 0 }

// auctionShown reports whether the card shows the auction now: while it
// takes bids, and for auctionLinger after its end.
func (m Model) auctionShown(now time.Time) bool {
	a := m.Show.Auction
	if a == nil {
		return false
	}
	return !a.Ended() || a.ID == m.auc.id && now.Before(m.auc.shownUntil)
}

// auctionOpen returns the auction if it takes bids.
func (m Model) auctionOpen() (*protocol.Auction, bool) {
	a := m.Show.Auction
	return a, a != nil && !a.Ended()
}

// nextBid is what b bids: the auction's next amount, or more when the show
// has said it takes no less (bid_too_low) and no event has caught up.
func (m Model) nextBid() money.Money {
	a := m.Show.Auction
	next := a.Next
	if m.auc.id == a.ID && m.auc.min.Currency == next.Currency && m.auc.min.Amount > next.Amount {
		next = m.auc.min
	}
	return next
}

// bidNextText is b's amount while b applies; "" when it does not.
func (m Model) bidNextText() string {
	if m.whyNoBid() != "" {
		return ""
	}
	return m.nextBid().String()
}

// whyNoMax says why m does nothing now; "" when it sets a maximum.
func (m Model) whyNoMax() string {
	a := m.Show.Auction
	switch {
	case a == nil:
		return "No auction is running"
	case a.Ended():
		return "The auction has ended"
	}
	return ""
}

// whyNoBid says why b does nothing now; "" when it bids. The leader's own
// plain bid the show refuses: only a higher maximum raises it.
func (m Model) whyNoBid() string {
	if why := m.whyNoMax(); why != "" {
		return why
	}
	if m.Show.Leading() {
		if max := m.myMax(); max != "" {
			return "You lead, with your maximum of " + max + " · m raises it"
		}
		return "You lead already · m sets a secret maximum the show bids up to for you"
	}
	return ""
}

// leastMax is the least maximum the show takes now: the next bid, or more
// than the leader's own maximum.
func (m Model) leastMax() (least money.Money, above bool) {
	if mb := m.Show.MaxBid; m.Show.Leading() && m.myMax() != "" {
		return mb.Max, true
	}
	return m.nextBid(), false
}

// productName names an auction's or a giveaway's item: the product, and
// the variant when there is more than one.
func (m Model) productName(productID, variantID string) string {
	p, ok := m.Show.Product(productID)
	if !ok {
		return "an item"
	}
	if v, ok := p.Variant(variantID); ok && len(p.Variants) > 1 {
		return p.Name + " (" + v.Name + ")"
	}
	return p.Name
}

// bid bids the next amount at once. The card says "bidding $13.00…" until
// the show answers, with the auction's next state or an error.
func (m Model) bid() (Model, tea.Cmd) {
	if why := m.whyNoBid(); why != "" {
		return m.notify(live.StatusInfo, why)
	}
	if m.auc.ask.pending() {
		return m.notify(live.StatusInfo, "Your bid of "+m.auc.ask.amount.String()+" is on its way")
	}
	if m.Link.State != live.Up {
		return m.notify(live.StatusError, "Offline · no bid was placed")
	}
	a, amount := m.Show.Auction, m.nextBid()
	m.auc.ask = bidAsk{amount: amount}
	m.layout()
	return m, send(m.Session(), whatBid, protocol.TypeBid, protocol.Bid{AuctionID: a.ID, Amount: amount.Amount})
}

// openMaxBid opens the prompt for a secret maximum.
func (m Model) openMaxBid() (Model, tea.Cmd) {
	if why := m.whyNoMax(); why != "" {
		return m.notify(live.StatusInfo, why)
	}
	m.mode = modeMaxBid
	m.maxInput.Reset()
	m.setMaxPrompt()
	m.layout()
	return m, m.maxInput.Focus()
}

// setMaxPrompt says in the prompt what the maximum must at least be.
func (m *Model) setMaxPrompt() {
	least, above := m.leastMax()
	m.maxInput.Prompt = "your max (at least " + least.String() + ") › "
	if above {
		m.maxInput.Prompt = "your max (more than " + least.String() + ") › "
	}
	m.maxInput.Placeholder = "the most you would pay · enter sets it · esc cancels"
	m.layout()
}

// closeMaxBid leaves the prompt.
func (m *Model) closeMaxBid() {
	m.mode = modeShow
	m.maxInput.Blur()
	m.maxInput.Reset()
	m.layout()
}

func (m Model) handleMaxBidKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	switch {
	case matches(msg, k.Leave):
		m.closeMaxBid()
		return m, nil
	case matches(msg, k.Send):
		return m.setMaxBid()
	}
	var cmd tea.Cmd
	m.maxInput, cmd = m.maxInput.Update(msg)
	return m, cmd
}

// setMaxBid sends the maximum typed, once it reads as an amount of the
// auction's currency and is at least the next bid; otherwise the prompt
// stays open and the status line says why.
func (m Model) setMaxBid() (Model, tea.Cmd) {
	if why := m.whyNoMax(); why != "" {
		m.closeMaxBid()
		return m.notify(live.StatusInfo, why)
	}
	a := m.Show.Auction
	least, above := m.leastMax()
	amount, err := money.Parse(strings.TrimSpace(m.maxInput.Value()), least.Currency)
	switch {
	case err != nil:
		return m.notify(live.StatusError, "Not a maximum: "+err.Error())
	case above && amount.Amount <= least.Amount:
		return m.notify(live.StatusError, "Your maximum is "+least.String()+" already: a new one must be more")
	case amount.Amount < least.Amount:
		return m.notify(live.StatusError, "Your maximum must be at least the next bid, "+least.String())
	case m.auc.ask.pending():
		return m.notify(live.StatusInfo, "Wait for your bid of "+m.auc.ask.amount.String()+" to be answered")
	case m.Link.State != live.Up:
		return m.notify(live.StatusError, "Offline · no maximum was set")
	}
	m.closeMaxBid()
	m.auc.ask = bidAsk{amount: amount, max: true}
	return m, send(m.Session(), whatMaxBid, protocol.TypeBid, protocol.Bid{AuctionID: a.ID, Amount: amount.Amount, Max: true})
}

// auctionChanged follows the auction's new state: a new auction, a bid
// in flight answered, an extension, the lead lost, the end.
func (m *Model) auctionChanged(ch show.Change) tea.Cmd {
	a, now := m.Show.Auction, m.ServerNow()
	var cmds []tea.Cmd
	if a.ID != m.auc.id {
		m.auc = auctionUI{id: a.ID, extensions: a.Extensions}
		if !a.Ended() {
			cmds = append(cmds, m.Notify(live.StatusInfo, fmt.Sprintf("Auction: %s · starting bid %s · b bids",
				m.productName(a.ProductID, a.VariantID), a.Start)))
		}
	}
	if a.Extensions > m.auc.extensions {
		m.auc.flashUntil, m.auc.flashSecs = now.Add(flashFor), max(1, a.CounterSeconds)
		cmds = append(cmds, m.CountDownTo(m.auc.flashUntil))
	}
	m.auc.extensions = a.Extensions
	if m.auc.min.Amount > 0 && m.auc.min.Amount <= a.Next.Amount {
		m.auc.min = money.Money{}
	}
	if ask := m.auc.ask; ask.pending() && !ask.max && (a.Ended() || a.Price != nil && a.Price.Amount >= ask.amount.Amount) {
		m.auc.ask = bidAsk{}
		if m.Show.Leading() && !a.Ended() {
			cmds = append(cmds, m.Notify(live.StatusGood, "You lead at "+a.Price.String()))
		}
	}
	switch {
	case a.Ended() && !m.auc.ended:
		m.auc.ended, m.auc.ask = true, bidAsk{}
		m.auc.shownUntil = now.Add(auctionLinger)
		if m.mode == modeMaxBid {
			m.closeMaxBid()
		}
		cmds = append(cmds, m.CountDownTo(m.auc.shownUntil), m.auctionEnded(a))
	case ch.Outbid && a.Leader != nil && a.Price != nil:
		cmds = append(cmds, m.Notify(live.StatusError, fmt.Sprintf("Outbid: %s leads at %s · b to bid %s", a.Leader.Name, a.Price, m.nextBid())))
	}
	if m.mode == modeMaxBid {
		m.setMaxPrompt()
	}
	m.layout()
	return tea.Batch(cmds...)
}

// auctionEnded tells how an auction ended, on the status line and, but
// for a sale, which the host's own line tells, in the chat, where it
// stays. A win of the viewer's own is told by its own event (auctionWon),
// with the link to pay.
func (m *Model) auctionEnded(a *protocol.Auction) tea.Cmd {
	what := m.productName(a.ProductID, a.VariantID)
	var text string
	switch a.State {
	case protocol.AuctionSold:
		who := a.Leader.Name
		if m.Show.Leading() {
			who = "you"
		}
		text = fmt.Sprintf("SOLD: %s to %s for %s", what, who, a.Price)
	case protocol.AuctionUnsold:
		text = "No bids · " + what + " unsold"
	default:
		text = "The auction of " + what + " was withdrawn"
	}
	if a.State != protocol.AuctionSold {
		// A sale the show says in the chat itself, from the host.
		m.chat.AddSystem(text)
	}
	if m.Show.Leading() {
		return nil
	}
	return m.Notify(live.StatusInfo, text)
}

// auctionWon puts the win up until it is dismissed: what, for how much,
// until when it is held, and the link to pay at, to open (p), copy (y)
// or scan (o).
func (m *Model) auctionWon() tea.Cmd {
	w := m.Show.Won
	by := m.LocalTime(w.HeldUntil).In(m.opts.Location).Format("15:04")
	ways := "open, copy (y) or scan (o) this link"
	if m.opts.OpenBrowser {
		ways = "p opens this link, y copies it, o scans it"
	}
	text := fmt.Sprintf("You won %s for %s — pay by %s: %s", m.productName(w.ProductID, w.VariantID), w.Price, by, ways)
	m.Stick(live.Notice{Key: noticeWonPref + w.AuctionID, Kind: live.StatusGood, Text: text, Link: w.Checkout})
	m.layout()
	return m.Notify(live.StatusGood, "You won the auction!")
}

// wonOrder reports whether an order is the payment of the viewer's win:
// the one unit won, at the price won.
func (m Model) wonOrder(o protocol.Order) bool {
	w := m.Show.Won
	if w == nil || len(o.Lines) != 1 {
		return false
	}
	l := o.Lines[0]
	return l.VariantID == w.VariantID && l.Unit == w.Price && l.Qty == 1
}

// wonPaid confirms the payment of a win in place of its notice. The
// cart is left as it is: the unit won was never in it.
func (m *Model) wonPaid(o protocol.Order) tea.Cmd {
	m.Unstick(noticeWonPref + m.Show.Won.AuctionID)
	m.chat.AddSystem(fmt.Sprintf("order %s placed · %s", o.ID, o.Total))
	m.expectPurchases(o)
	m.orderNotice(o)
	m.layout()
	return nil
}

// maxBidSet confirms the viewer's secret maximum, which the card shows
// from now on.
func (m *Model) maxBidSet() tea.Cmd {
	mb := m.Show.MaxBid
	if a := m.Show.Auction; a == nil || mb.AuctionID != a.ID {
		return nil
	}
	if m.auc.ask.max {
		m.auc.ask = bidAsk{}
	}
	m.layout()
	return m.Notify(live.StatusGood, "Your maximum of "+mb.Max.String()+" is set · the show bids for you up to it")
}

// myMax is the viewer's maximum on the running auction, as the show
// holds it.
func (m Model) myMax() string {
	mb, a := m.Show.MaxBid, m.Show.Auction
	if mb == nil || a == nil || mb.AuctionID != a.ID {
		return ""
	}
	return mb.Max.String()
}

// bidRefused answers an error as the reply to the bid or maximum in
// flight: too low (the least the show takes is offered again), too late,
// or anything else the show said.
func (m *Model) bidRefused(e protocol.Error) tea.Cmd {
	ask := m.auc.ask
	m.auc.ask = bidAsk{}
	what, again := "Bid", "b bids it"
	if ask.max {
		what, again = "Maximum", "m sets another"
	}
	a := m.Show.Auction
	m.layout()
	switch {
	case e.Code == protocol.ErrCodeBidTooLow && e.Min != nil && a != nil && !a.Ended():
		m.auc.min = *e.Min
		return m.Notify(live.StatusError, fmt.Sprintf("%s too low: the least now is %s · %s", what, e.Min, again))
	case a == nil || a.Ended() || !m.ServerNow().Before(a.EndsAt) || e.Code == protocol.ErrCodeNotFound:
		return m.Notify(live.StatusError, "Too late: the auction has ended · "+strings.ToLower(what)+" not placed")
	}
	return m.Notify(live.StatusError, what+" not placed: "+serverText(e))
}
