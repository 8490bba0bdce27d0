package host

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/theme"
)

// Gifts: the top supporters board in the metrics area, and a line in the
// chat for each paid gift.

// narrowSupporters is how many supporters the narrow strip names at most.
const narrowSupporters = 3

// supporters is the board, most given first (the server's order, kept
// when two gave the same), and at most MaxSupporters long.
func supporters(mt protocol.Metrics) []protocol.Supporter {
	out := slices.Clone(mt.Supporters)
	slices.SortStableFunc(out, func(a, b protocol.Supporter) int {
		if a.Amount.Currency == b.Amount.Currency && a.Amount.Amount != b.Amount.Amount {
			if a.Amount.Amount > b.Amount.Amount {
				return -1
			}
			return 1
		}
		return 0
	})
	return out[:min(len(out), protocol.MaxSupporters)]
}

// hasFormats reports whether the metrics have anything of the live
// formats to show: bids, gifts or supporters.
func hasFormats(mt protocol.Metrics) bool {
	return mt.Bids > 0 || mt.Gifts > 0 || len(mt.Supporters) > 0
}

// giftTotals is the show's gifts and what they brought in.
func giftTotals(s *theme.Styles, mt protocol.Metrics) string {
	t := s.Title.Render(strconv.Itoa(mt.Gifts)) + s.Subtle.Render(noun(mt.Gifts, "gift"))
	if mt.GiftRevenue.Currency != "" {
		t += s.Subtle.Render(" · ") + s.Price.Render(mt.GiftRevenue.String())
	}
	return t
}

// bidTotals is the show's bids and bidders.
func bidTotals(s *theme.Styles, mt protocol.Metrics) string {
	return s.Title.Render(strconv.Itoa(mt.Bids)) + s.Subtle.Render(noun(mt.Bids, "bid")+" from ") +
		s.Title.Render(strconv.Itoa(mt.Bidders)) + s.Subtle.Render(noun(mt.Bidders, "bidder"))
}

// formatsTotals is the show's bids and gifts, those it has had.
func formatsTotals(s *theme.Styles, mt protocol.Metrics) string {
	var parts []string
	if mt.Bids > 0 {
		parts = append(parts, bidTotals(s, mt))
	}
	if mt.Gifts > 0 || len(mt.Supporters) > 0 {
		parts = append(parts, giftTotals(s, mt))
	}
	return strings.Join(parts, s.Subtle.Render(" · "))
}

// formatsLine is the narrow strip's third row: bids, gifts and the top
// supporters, as many as fit in width with "+N" for the rest.
func formatsLine(s *theme.Styles, mt protocol.Metrics, width int) string {
	head := formatsTotals(s, mt)
	board := supporters(mt)
	if len(board) == 0 {
		return head
	}
	if head != "" {
		head += s.Subtle.Render(" · ")
	}
	for k := min(narrowSupporters, len(board)); k >= 0; k-- {
		line := head + s.Subtle.Render("top ") + supportersInline(s, board, k)
		if k == 0 {
			line = head + s.Subtle.Render(fmt.Sprintf("+%d supporters", len(board)))
		}
		if cells(line) <= width || k == 0 {
			return line
		}
	}
	return head
}

// supportersInline names the first k supporters with what they gave, and
// "+N" for the rest of the board.
func supportersInline(s *theme.Styles, board []protocol.Supporter, k int) string {
	names := make([]string, 0, k)
	for _, sp := range board[:k] {
		names = append(names, s.Name(sp.ID).Render(sp.Name)+" "+s.Price.Render(sp.Amount.String()))
	}
	out := strings.Join(names, s.Subtle.Render(" · "))
	if rest := len(board) - k; rest > 0 {
		out += s.Subtle.Render(fmt.Sprintf(" +%d", rest))
	}
	return out
}

// supportersWant is how many rows the wide board would like: a heading
// and a row each, or nothing before the first gift.
func supportersWant(mt protocol.Metrics) int {
	if !hasFormats(mt) || mt.Gifts == 0 && len(mt.Supporters) == 0 {
		return 0
	}
	return 1 + max(1, len(supporters(mt)))
}

// supportersBoard draws the wide board in n rows: the heading with the
// totals, then a row per supporter, the top ones first; those that do not
// fit are counted in the heading as "+N".
func supportersBoard(s *theme.Styles, mt protocol.Metrics, width, n int) []string {
	if n <= 0 {
		return nil
	}
	board := supporters(mt)
	shown := min(len(board), n-1)
	info := plural(mt.Gifts, "gift")
	if mt.GiftRevenue.Currency != "" {
		info += " · " + mt.GiftRevenue.String()
	}
	if rest := len(board) - shown; rest > 0 {
		if shown == 0 && len(board) > 0 {
			info += " · top " + board[0].Name + " " + board[0].Amount.String()
			rest--
		}
		if rest > 0 {
			info += fmt.Sprintf(" · +%d more", rest)
		}
	}
	out := []string{heading(s, "Top supporters", info, false, width)}
	if len(board) == 0 {
		return append(out, fit(s.Subtle.Render("  No gifts yet."), width))[:min(n, 2)]
	}
	const rankW, giftsW = 4, 9
	amountW, nameW := 0, 0
	for _, sp := range board[:shown] {
		amountW = max(amountW, cells(sp.Amount.String()))
		nameW = max(nameW, cells(sp.Name))
	}
	nameW = max(4, min(nameW, width-rankW-giftsW-amountW-2))
	for i, sp := range board[:shown] {
		row := s.Subtle.Render(padLeft(strconv.Itoa(i+1)+".", rankW-1)) + " " +
			padRight(s.Name(sp.ID).Render(sp.Name), nameW) + " " +
			s.Subtle.Render(padLeft(plural(sp.Gifts, "gift"), giftsW)) + " " +
			padLeft(s.Price.Render(sp.Amount.String()), amountW)
		out = append(out, fit(row, width))
	}
	return out
}

// addGift puts a paid gift in the chat, named as the show names its kind.
func (m *Model) addGift(g protocol.Gift) {
	name := g.Kind
	if k, ok := m.Show.GiftKind(g.Kind); ok {
		name = k.Name
	}
	m.chat.AddStyled(chat.GiftLine(g, sanitizeWord(name)))
}

// sanitizeWord makes an ID the server sent safe to draw when the show does
// not name it.
func sanitizeWord(s string) string { return truncateInput(s) }
