package viewer

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// The live formats, routed: auctions (auction.go, card_auction.go),
// giveaways (giveaway.go) and gifts (gifts.go, giftanim.go).

// applyFormat routes a change of the live formats; ok is false for any
// other change.
func (m *Model) applyFormat(ch show.Change) (cmd tea.Cmd, ok bool) {
	switch ch.Kind {
	case show.KindAuction:
		return m.auctionChanged(ch), true
	case show.KindAuctionWon:
		return m.auctionWon(), true
	case show.KindMaxBid:
		return m.maxBidSet(), true
	case show.KindGiveaway:
		return m.giveawayChanged(), true
	case show.KindEntered:
		return m.entered(), true
	case show.KindGift:
		return m.giftReceived(ch.Gift), true
	case show.KindGiftLink:
		return m.giftLink(ch.GiftLink), true
	}
	return nil, false
}

// formatRefused takes an error as the answer to the live formats' command
// in flight, if one is: a bid or maximum, an entry, a gift asked for. The
// error does not say what it answers; its code does, or else it answers
// what is in flight. A refusal of the kind a chat line gets is left to
// the chat line in flight (lineRefused).
func (m *Model) formatRefused(e protocol.Error) (tea.Cmd, bool) {
	switch {
	case e.Code == protocol.ErrCodeBidTooLow:
		return m.bidRefused(e), true
	case e.Code == protocol.ErrCodeLimit && m.gifts.asking != "":
		return m.giftRefused(e), true
	case chatRefusal(e) && len(m.inFlight) > 0:
		return nil, false
	case m.auc.ask.pending():
		return m.bidRefused(e), true
	case m.give.entering:
		return m.enterRefused(e), true
	case m.gifts.asking != "":
		return m.giftRefused(e), true
	}
	return nil, false
}

// forgetAsks drops what was in flight: after a new snapshot (or the end
// of the session) no answer to it will come.
func (m *Model) forgetAsks() {
	m.auc.ask = bidAsk{}
	m.give.entering = false
	m.gifts.asking = ""
}

// syncFormats takes a snapshot's auction and giveaway as seen: what the
// screen learns from a welcome is not news of a start, an extension or an
// end. A prompt or a picker that no longer applies closes.
func (m *Model) syncFormats() {
	if a := m.Show.Auction; a != nil {
		if a.ID != m.auc.id {
			m.auc = auctionUI{id: a.ID}
		}
		m.auc.extensions, m.auc.ended = a.Extensions, m.auc.ended || a.Ended()
	}
	if g := m.Show.Giveaway; g != nil {
		if g.ID != m.give.id {
			m.give = giveawayUI{id: g.ID}
		}
		m.give.ended = m.give.ended || g.State != protocol.GiveawayOpen
	}
	switch {
	case m.mode == modeMaxBid && m.whyNoMax() != "":
		m.closeMaxBid()
	case m.mode == modeGift && len(m.Show.Gifts) == 0:
		m.mode = modeShow
	}
}

// notSent drops a command of the live formats that could not be sent.
func (m *Model) notSent(what string) {
	switch what {
	case whatBid, whatMaxBid:
		m.auc.ask = bidAsk{}
	case whatEnter:
		m.give.entering = false
	case whatGift:
		m.gifts.asking = ""
	}
	m.layout()
}

// handleFormatKey answers the keys of the live formats, with the cart
// open or closed; ok is false for any other key. Like the shop's keys
// (handleShopKey), they are matched as declared and say why when they do
// not apply.
func (m Model) handleFormatKey(msg tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	var next Model
	var cmd tea.Cmd
	switch k := m.keys; {
	case matches(msg, k.Bid):
		next, cmd = m.bid()
	case matches(msg, k.MaxBid):
		next, cmd = m.openMaxBid()
	case matches(msg, k.Enter):
		next, cmd = m.enter()
	case matches(msg, k.Gift):
		next, cmd = m.openGifts()
	case matches(msg, k.OpenLink):
		next, cmd = m.openWon()
	default:
		return m, nil, false
	}
	return next, cmd, true
}

// openWon opens the link of an auction won, when it is the link on top,
// in the browser.
func (m Model) openWon() (Model, tea.Cmd) {
	n, ok := m.linkNotice()
	if !ok || !strings.HasPrefix(n.Key, noticeWonPref) || !m.opts.OpenBrowser {
		return m, nil
	}
	return m, openLink(m.opts.Opener, n, "The page to pay for what you won opened in your browser")
}
