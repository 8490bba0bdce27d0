package host

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/theme"
)

// series keeps the last sampleCount samples of one metric, one per metrics
// event. A fixed array, so copying the model copies it.
type series struct {
	vals [sampleCount]int64
	head int // index of the oldest sample
	n    int
}

func (s *series) push(v int64) {
	if s.n < sampleCount {
		s.vals[(s.head+s.n)%sampleCount] = v
		s.n++
		return
	}
	s.vals[s.head] = v
	s.head = (s.head + 1) % sampleCount
}

// last returns the newest k samples, oldest first.
func (s series) last(k int) []int64 {
	k = min(k, s.n)
	out := make([]int64, 0, max(k, 0))
	for i := s.n - k; i < s.n; i++ {
		out = append(out, s.vals[(s.head+i)%sampleCount])
	}
	return out
}

var sparkBars = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the newest samples in width cells, newest on the right,
// scaled from zero to the largest shown. Missing samples are blank.
func sparkline(s series, width int) string {
	if width <= 0 {
		return ""
	}
	vals := s.last(width)
	var top int64
	for _, v := range vals {
		top = max(top, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(vals)))
	for _, v := range vals {
		i := 0
		if top > 0 && v > 0 {
			i = int(v * int64(len(sparkBars)-1) / top)
		}
		b.WriteRune(sparkBars[i])
	}
	return b.String()
}

// percent is n of d in whole percent, or "–" when d is zero.
func percent(n, d int) string {
	if d <= 0 {
		return "–"
	}
	return strconv.Itoa((n*100+d/2)/d) + "%"
}

// revenueText is the show's revenue, or "unknown" when viewers check out
// on a real store whose orders the show does not see.
func revenueText(m protocol.Metrics) string {
	if m.OrdersUnknown {
		return "unknown"
	}
	return m.Revenue.String()
}

// countText is n, a count of orders or units, or "unknown" as revenueText.
func countText(m protocol.Metrics, n int) string {
	if m.OrdersUnknown {
		return "unknown"
	}
	return strconv.Itoa(n)
}

// metricsStrip is the metrics in two rows, for narrow screens.
func metricsStrip(s *theme.Styles, m protocol.Metrics, have bool, viewers, chat, revenue series, width int) []string {
	if !have {
		return []string{s.Subtle.Render("waiting for the show's metrics (once a second)…"), ""}
	}
	num := s.Title.Render
	lab := s.Subtle.Render
	parts := []string{
		lab("viewers ") + num(strconv.Itoa(m.Viewers)) + lab(" peak ") + num(strconv.Itoa(m.PeakViewers)),
		lab("chat ") + num(strconv.Itoa(m.ChatPerMinute)) + lab("/min") + heldNote(s, m, " held "),
		lab("revenue ") + s.Price.Render(revenueText(m)),
	}
	used := 0
	for _, p := range parts {
		used += cells(p) + 1 // a space before each sparkline
	}
	used += 2 * (len(parts) - 1) // the gaps between parts
	spark := max(0, (width-used)/len(parts))
	if spark < 4 {
		spark = 0
	}
	hists := []series{viewers, chat, revenue}
	var row strings.Builder
	for i, p := range parts {
		if i > 0 {
			row.WriteString("  ")
		}
		row.WriteString(p)
		if spark > 0 {
			row.WriteString(" " + s.Accent.Render(sparkline(hists[i], spark)))
		}
	}
	f := m.Funnel
	funnel := lab("funnel ") + num(strconv.Itoa(f.Viewers)) +
		lab(" → ") + num(strconv.Itoa(f.AddedToCart)) + lab(" carted ") + percent(f.AddedToCart, f.Viewers) +
		lab(" → ") + num(strconv.Itoa(f.CheckedOut)) + lab(" bought ") + percent(f.CheckedOut, f.Viewers) +
		lab(" · checkouts ") + num(strconv.Itoa(m.CheckoutsStarted)) +
		lab(" · orders ") + num(countText(m, m.Orders)) +
		lab(" · units ") + num(countText(m, m.UnitsSold))
	return []string{row.String(), funnel}
}

// metricsPanel is the metrics with a sparkline per series and the funnel
// as bars, for wide screens.
func metricsPanel(s *theme.Styles, m protocol.Metrics, have bool, viewers, chat, revenue series, width int) []string {
	if !have {
		return []string{s.Subtle.Render("waiting for the show's metrics (once a second)…")}
	}
	const labelW, valueW = 9, 17
	lab := func(t string) string { return s.Subtle.Render(padRight(t, labelW)) }
	sparkW := max(0, width-labelW-valueW-1)
	line := func(label, value string, h series) string {
		return lab(label) + padRight(value, valueW) + " " + s.Accent.Render(sparkline(h, sparkW))
	}
	num := s.Title.Render
	rows := []string{
		line("Viewers", num(strconv.Itoa(m.Viewers))+s.Subtle.Render(" peak ")+num(strconv.Itoa(m.PeakViewers)), viewers),
		line("Chat", num(strconv.Itoa(m.ChatPerMinute))+s.Subtle.Render(" a minute"), chat),
		line("Revenue", s.Price.Render(revenueText(m)), revenue),
		lab("Orders") + num(countText(m, m.Orders)) + s.Subtle.Render(" · units sold ") + num(countText(m, m.UnitsSold)) +
			s.Subtle.Render(" · checkouts started ") + num(strconv.Itoa(m.CheckoutsStarted)),
	}
	if hasFormats(m) {
		// An auction's sale is in the orders and the revenue once paid.
		label := "Gifts"
		if m.Bids > 0 {
			label = "Bids"
		}
		rows = append(rows, lab(label)+formatsTotals(s, m))
	}
	rows = append(rows,
		// Blank unless the chat cap is holding lines back, so the panel
		// keeps its height either way.
		lab("")+heldNote(s, m, "held by the chat cap (seen by their authors only): "),
		lab("Funnel")+s.Subtle.Render("people since the show began"),
	)
	f := m.Funnel
	steps := []struct {
		name string
		n    int
	}{{"viewers", f.Viewers}, {"added to cart", f.AddedToCart}, {"checked out", f.CheckedOut}}
	const nameW, countW, pctW = 14, 7, 5
	barW := max(0, width-2-nameW-countW-1-1-pctW)
	for _, st := range steps {
		bar := 0
		if f.Viewers > 0 {
			bar = min(barW, st.n*barW/f.Viewers)
		}
		rows = append(rows, "  "+padRight(st.name, nameW)+padLeft(num(strconv.Itoa(st.n)), countW)+" "+
			s.Deal.Render(strings.Repeat("█", bar))+strings.Repeat(" ", barW-bar)+" "+padLeft(percent(st.n, f.Viewers), pctW))
	}
	return rows
}

// heldNote says how many chat lines the show's chat cap has held back, or
// nothing while it has held none.
func heldNote(s *theme.Styles, m protocol.Metrics, label string) string {
	if m.ChatHeld <= 0 {
		return ""
	}
	return s.Subtle.Render(label) + s.Title.Render(strconv.Itoa(m.ChatHeld))
}

// productMetrics returns each product's counts by ID.
func productMetrics(m protocol.Metrics) map[string]protocol.ProductMetrics {
	out := make(map[string]protocol.ProductMetrics, len(m.Products))
	for _, p := range m.Products {
		out[p.ProductID] = p
	}
	return out
}

// slowLabel says the slow mode in words.
func slowLabel(secs int) string {
	if secs <= 0 {
		return "slow mode off"
	}
	return fmt.Sprintf("slow mode %s", durationLabel(secs))
}

// durationLabel says a number of seconds the short way: 45s, 5m, 1m30s, 2h.
func durationLabel(secs int) string {
	h, mins, s := secs/3600, secs%3600/60, secs%60
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if mins > 0 {
		fmt.Fprintf(&b, "%dm", mins)
	}
	if s > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}
