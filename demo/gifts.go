package demo

import (
	"slices"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// giftPercent of a viewer's actions after the opening are a gift: rare, so
// a gift stands out when it comes.
const giftPercent = 2

// giver keeps what one viewer has given in this show, so it stays under
// the show's caps whatever its reconnects.
type giver struct {
	count int
	total int64 // minor units of the show's currency
}

// choose returns the kind of gift a viewer sends for roll, a number in
// [0, 100) from its script: the cheaper a kind, the likelier, each three
// times as likely as the next dearer one, so the cheapest (a heart) comes
// most often and the dearest (a rocket) rarely. A kind that would pass the
// viewer's caps gives way to a cheaper one; ok is false when none is left.
func (g *giver) choose(kinds []protocol.GiftKind, roll int) (protocol.GiftKind, bool) {
	if len(kinds) == 0 || g.count >= protocol.MaxGiftsPerViewer {
		return protocol.GiftKind{}, false
	}
	byPrice := slices.Clone(kinds)
	slices.SortStableFunc(byPrice, func(a, b protocol.GiftKind) int {
		switch {
		case a.Amount.Amount < b.Amount.Amount:
			return -1
		case a.Amount.Amount > b.Amount.Amount:
			return 1
		}
		return 0
	})
	weights := make([]int, len(byPrice))
	sum, w := 0, 1
	for i := len(weights) - 1; i >= 0; i-- {
		weights[i] = w
		sum += w
		w = min(w*3, 1<<20)
	}
	at := roll * sum / 100
	i := 0
	for ; i < len(weights)-1 && at >= weights[i]; i++ {
		at -= weights[i]
	}
	for ; i >= 0; i-- {
		k := byPrice[i]
		if g.total+k.Amount.Amount <= protocol.GiftCapMajor*money.MajorUnit(k.Amount.Currency) {
			return k, true
		}
	}
	return protocol.GiftKind{}, false
}

// sent counts a gift the viewer asked for. It is counted when asked, not
// when paid, so a payment that fails errs on the side of the caps.
func (g *giver) sent(k protocol.GiftKind) {
	g.count++
	g.total += k.Amount.Amount
}
