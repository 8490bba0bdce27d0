package host

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// Layout thresholds and sizes, in cells.
const (
	wideMinWidth  = 120 // from here the chat gets a column of its own
	wideMinHeight = 24
	panelRows     = 9 // the wide metrics panel's rows, below its heading
	stripRows     = 2 // the narrow metrics strip
	minStripBody  = 10
)

// frame is the screen's geometry. All size arithmetic lives in frameFor,
// so what relayout sizes and what View draws cannot disagree.
type frame struct {
	wide          bool
	body          int // rows between the header and the input line
	leftW, rightW int // the wide layout's columns
	metrics       int // rows of metrics, heading included in the wide layout
	catalog       int // product rows shown
	chatW, chatH  int
	// The live formats: the auction's and the giveaway's panels, below
	// the catalog, and the top supporters, below the metrics in the wide
	// layout (in the narrow one they are in the metrics strip).
	auction, giveaway, supporters int
}

func (m Model) frameFor() frame {
	f := frame{wide: m.Width >= wideMinWidth && m.Height >= wideMinHeight}
	f.body = max(0, m.Height-3-lipgloss.Height(m.helpView()))
	n := len(m.Show.Catalog())
	auction, giveaway := m.formatsWant(f.wide)
	if f.wide {
		f.leftW = m.Width * 11 / 20
		f.rightW = m.Width - f.leftW - 3
		// The catalog's first rows, then the auction and the giveaway,
		// then the metrics, then the supporters; the catalog's other rows
		// and the sales take what is left.
		free := max(0, f.body-4-min(n, 3))
		f.auction = min(auction, free)
		f.giveaway = min(giveaway, free-f.auction)
		free -= f.auction + f.giveaway
		f.metrics = min(1+m.panelRows(), free)
		free -= f.metrics
		if want := supportersWant(m.metrics); m.haveMetrics && want > 0 && free >= 3 {
			// The whole board, else the top three with "+N" in its heading.
			f.supporters = min(want, max(free-1, 0))
			if want > free-1 {
				f.supporters = min(want, 1+narrowSupporters, free-1)
			}
		}
		used := f.auction + f.giveaway + f.metrics
		if f.supporters > 0 {
			used += 1 + f.supporters // a blank row before it
		}
		f.catalog = min(n, max(0, f.body-4-used))
		f.chatW, f.chatH = f.rightW, max(1, f.body-1)
		return f
	}
	if f.body >= minStripBody {
		f.metrics = stripRows
		if m.haveMetrics && hasFormats(m.metrics) {
			f.metrics++
		}
	}
	rest := max(0, f.body-f.metrics-3) // two headings and the table's header
	// A row each for the auction and the giveaway (two for a drawn one),
	// leaving the catalog and the chat a row each.
	f.auction = min(auction, max(0, rest-2))
	f.giveaway = min(giveaway, max(0, rest-2-f.auction))
	rest -= f.auction + f.giveaway
	f.catalog = min(n, max(1, rest/2))
	f.chatW, f.chatH = m.Width, max(1, rest-f.catalog)
	return f
}

// formatsWant is how many rows the auction's and the giveaway's panels
// would like, none before the first of each.
func (m Model) formatsWant(wide bool) (auction, giveaway int) {
	if m.Show.Auction != nil {
		auction = auctionRowsNarrow
		if wide {
			auction = auctionRowsWide
		}
	}
	if v, ok := m.giveawayView(); ok {
		giveaway = v.wantRows(wide)
	}
	return auction, giveaway
}

// panelRows is the wide metrics panel's rows below its heading: one more
// once the show has bids or gifts.
func (m Model) panelRows() int {
	if m.haveMetrics && hasFormats(m.metrics) {
		return panelRows + 1
	}
	return panelRows
}

// relayout sizes the parts that keep state about their size.
func (m *Model) relayout() {
	m.chat.SetStyles(m.Styles)
	m.help.SetWidth(m.Width)
	f := m.frameFor()
	m.chat.SetSize(f.chatW, f.chatH)
	if m.mode == modePrompt {
		m.refreshPrompt()
		m.input.Prompt = m.prompt.text(m.Width)
	}
	m.input.SetWidth(max(1, m.Width-lipgloss.Width(m.input.Prompt)-2))
}

// View draws the whole screen.
func (m Model) View() tea.View {
	var content string
	switch m.Phase {
	case live.PhaseConnecting:
		content = m.connectingView()
	case live.PhaseFailed:
		content = m.failedView()
	case live.PhaseHungUp:
		content = m.rejectedView()
	default:
		content = m.liveView()
	}
	return m.Frame(m.Styles.App.Render(m.scrub(fitScreen(content, m.Width, m.Height))), "livecart host")
}

func (m Model) liveView() string {
	f := m.frameFor()
	var body []string
	if f.wide {
		body = m.wideBody(f)
	} else {
		body = m.narrowBody(f)
	}
	rows := []string{m.headerView()}
	rows = append(rows, body...)
	rows = append(rows, m.inputView(), m.statusView(), m.helpView())
	return strings.Join(rows, "\n")
}

func (m Model) narrowBody(f frame) []string {
	var rows []string
	if f.metrics > 0 {
		strip := metricsStrip(m.Styles, m.metrics, m.haveMetrics, m.viewersHist, m.chatHist, m.revenueHist, m.Width)
		if f.metrics > stripRows {
			strip = append(strip, formatsLine(m.Styles, m.metrics, m.Width))
		}
		for _, r := range strip {
			rows = append(rows, fit(r, m.Width))
		}
	}
	rows = append(rows, m.catalogHeading(m.Width))
	rows = append(rows, m.catalogTable(f, m.Width, false)...)
	rows = append(rows, m.formatsRows(f, m.Width, false)...)
	rows = append(rows, m.chatHeading(m.Width))
	rows = append(rows, m.chat.View())
	return block(strings.Join(rows, "\n"), m.Width, f.body)
}

func (m Model) wideBody(f frame) []string {
	left := []string{m.catalogHeading(f.leftW)}
	left = append(left, m.catalogTable(f, f.leftW, true)...)
	if p, ok := m.selected(); ok {
		left = append(left, fit(m.Styles.Subtle.Render("  variants: ")+variantsLine(m.Styles, p), f.leftW))
	}
	left = append(left, m.formatsRows(f, f.leftW, true)...)
	if f.metrics > 0 {
		left = append(left, "", heading(m.Styles, "Metrics", "last 3 minutes", false, f.leftW))
		panel := metricsPanel(m.Styles, m.metrics, m.haveMetrics, m.viewersHist, m.chatHist, m.revenueHist, f.leftW)
		left = append(left, panel[:min(len(panel), f.metrics-1)]...)
	}
	if f.supporters > 0 {
		left = append(left, "")
		left = append(left, supportersBoard(m.Styles, m.metrics, f.leftW, f.supporters)...)
	}
	if room := f.body - len(left) - 2; room > 0 {
		left = append(left, "", heading(m.Styles, "Sales", "newest first", false, f.leftW))
		left = append(left, salesRows(m.Styles, m.sales, room)...)
	}
	right := m.chatHeading(f.rightW) + "\n" + m.chat.View()
	l := block(strings.Join(left, "\n"), f.leftW, f.body)
	r := block(right, f.rightW, f.body)
	rule := m.Styles.Subtle.Render("│")
	rows := make([]string, f.body)
	for i := range rows {
		rows[i] = l[i] + " " + rule + " " + r[i]
	}
	return rows
}

// formatsRows draws the auction's and the giveaway's panels in the rows
// the frame gives them.
func (m Model) formatsRows(f frame, width int, wide bool) []string {
	var rows []string
	if v, ok := m.auctionView(); ok {
		rows = append(rows, v.rows(width, f.auction)...)
	}
	if v, ok := m.giveawayView(); ok {
		rows = append(rows, v.rows(width, f.giveaway, wide)...)
	}
	return rows
}

func (m Model) catalogTable(f frame, width int, wide bool) []string {
	pinned := ""
	if p, _, ok := m.Show.Pinned(); ok {
		pinned = p.ID
	}
	up := map[string]int{}
	for i, id := range m.metrics.UpNext {
		up[id] = i + 1
	}
	v := catalogView{
		styles: m.Styles, products: m.Show.Catalog(), sel: m.sel, focused: m.focus == paneCatalog,
		pinned: pinned, upNext: up, counts: productMetrics(m.metrics), now: m.ServerNow(), wide: wide,
	}
	return v.rows(width, f.catalog)
}

func (m Model) catalogHeading(width int) string {
	info := fmt.Sprintf("%d products", len(m.Show.Catalog()))
	if p, _, ok := m.Show.Pinned(); ok {
		info += " · pinned: " + p.Name
	}
	if q := m.metrics.UpNext; len(q) > 0 {
		names := make([]string, 0, len(q))
		for _, id := range q {
			if p, ok := m.Show.Product(id); ok {
				names = append(names, p.Name)
			}
		}
		info += " · up next: " + strings.Join(names, ", ")
	}
	return heading(m.Styles, "Catalog", info, m.focus == paneCatalog, width)
}

func (m Model) chatHeading(width int) string {
	info := slowLabel(m.metrics.SlowModeSeconds)
	if n := len(m.metrics.BlockedWords); n > 0 {
		info += fmt.Sprintf(" · %d blocked word(s)", n)
	}
	if m.focus == paneChat {
		info += " · ↑/↓ picks a line"
	}
	return heading(m.Styles, "Chat", info, m.focus == paneChat, width)
}

// heading is a section title with a rule to the end of the line; the
// focused section's is in the accent colour.
func heading(s *theme.Styles, title, info string, focused bool, width int) string {
	t := s.Subtle.Bold(true).Render("─ " + title)
	if focused {
		t = s.Accent.Bold(true).Render("━ " + title)
	}
	row := t
	if info != "" {
		row += " " + s.Subtle.Render(ansi.Truncate(info, max(0, width-cells(t)-3), "…"))
	}
	if rest := width - cells(row) - 1; rest > 0 {
		rule := s.Subtle.Render(strings.Repeat("─", rest))
		if focused {
			rule = s.Accent.Render(strings.Repeat("━", rest))
		}
		row += " " + rule
	}
	return fit(row, width)
}

func (m Model) headerView() string {
	s := m.Styles
	viewers := fmt.Sprintf("%d watching", m.Show.Viewers)
	if m.haveMetrics {
		viewers += fmt.Sprintf(" · peak %d", m.metrics.PeakViewers)
	}
	right := s.Subtle.Render(viewers) + "  " + m.LinkStatus()
	left := s.Live.Render("LIVE") + " " + s.Title.Render(m.Show.Show.Title) + s.Subtle.Render(" · you are the host")
	avail := m.Width - cells(right) - 1
	if cells(left) > avail {
		left = s.Live.Render("LIVE") + " " + s.Title.Render(ansi.Truncate(m.Show.Show.Title, max(1, avail-7), "…"))
	}
	if cells(left) > avail {
		left = "" // too narrow for both: the link's state matters more
	}
	if hint := m.watchHint(); hint != "" {
		if mid := s.Subtle.Render("viewers: ") + s.Accent.Render(hint); cells(left)+cells(mid)+cells(right)+4 <= m.Width {
			left += "  " + mid
		}
	}
	return fit(spread(left, right, m.Width), m.Width)
}

// watchHint is the command viewers run, safe to draw.
func (m Model) watchHint() string { return sanitize.Line(m.opts.WatchHint) }

func (m Model) inputView() string {
	if m.mode == modeConfirm && m.prompt.kind == promptDraw {
		return fit(m.Styles.Warn.Render("Draw the giveaway of "+m.prompt.label+" now? Entry closes for good. ")+
			m.Styles.Subtle.Render("y draws · n or esc cancels"), m.Width)
	}
	if m.mode == modeConfirm {
		l := m.prompt.line
		return fit(m.Styles.Warn.Render("Ban "+l.Author.Name+" from the show for good? ")+
			m.Styles.Subtle.Render("y bans · n or esc cancels"), m.Width)
	}
	if m.mode == modePrompt && m.prefilled {
		// The value as a selection, which the first character typed replaces.
		prompt := m.input.Styles().Focused.Prompt.Render(m.input.Prompt)
		room := max(1, m.Width-cells(prompt)-1)
		return fit(prompt+m.Styles.Selected.Render(ansi.Truncate(m.input.Value(), room, "…")), m.Width)
	}
	return fit(m.input.View(), m.Width)
}

func (m Model) statusView() string {
	s := m.Styles
	var left string
	switch {
	case m.Status.Text != "" && (m.mode != modePrompt || m.Status.Kind == live.StatusError):
		left = m.Status.Style(s).Render(m.Status.Text)
	case m.mode == modePrompt:
		left = s.Subtle.Render(m.promptHint())
	}
	right := ""
	if p := m.pendingText(); p != "" {
		right = s.Warn.Render("⋯ " + p)
	}
	if left == "" || right == "" {
		return fit(left+right, m.Width)
	}
	if cells(left)+cells(right)+2 > m.Width {
		// The answer matters more than what is still in flight.
		n, _ := m.slowOps()
		right = s.Warn.Render(fmt.Sprintf("⋯ sending %d…", n))
	}
	if cells(left)+cells(right)+2 > m.Width {
		return fit(left, m.Width)
	}
	return fit(spread(left, right, m.Width), m.Width)
}

func (m Model) helpView() string {
	h := m.help.View(m.keysNow())
	if m.help.ShowAll && m.watchHint() != "" {
		h += "\n" + m.Styles.Subtle.Render("Watch as a viewer in another terminal: ") + m.Styles.Accent.Render(m.watchHint())
	}
	// help.Model cuts a long short-help line with "…" but keeps every
	// binding when even that does not fit; clamp so it cannot wrap.
	return strings.Join(block(h, m.Width, lipgloss.Height(h)), "\n")
}

func (m Model) connectingView() string {
	s := m.Styles
	msg := m.Spin.View() + " Connecting to " + s.Accent.Render(sanitize.Line(m.opts.URL)) + " as the host…"
	return lipgloss.Place(m.Width, m.Height, lipgloss.Center, lipgloss.Center, msg+"\n\n"+s.Subtle.Render("q quits"))
}

func (m Model) failedView() string {
	s := m.Styles
	width := max(1, min(m.Width-4, 72))
	next := s.Error.Render("Gave up: this will not work by retrying.")
	if m.Link.State != live.Down {
		next = m.LinkStatus()
	}
	parts := []string{
		s.Error.Bold(true).Render("Can't reach the show"),
		"",
		lipgloss.NewStyle().Width(width).Render(live.Reason(m.Link.Err)),
		"",
		next,
		"",
		s.Subtle.Width(width).Render("Check the address and that the show server is running (livecart serve)."),
		"",
		m.help.View(m.keysNow()),
	}
	return lipgloss.Place(m.Width, m.Height, lipgloss.Center, lipgloss.Center, strings.Join(parts, "\n"))
}

// rejectedView says the token was refused, without saying the token.
func (m Model) rejectedView() string {
	s := m.Styles
	width := max(1, min(m.Width-4, 72))
	parts := []string{
		s.Error.Bold(true).Render("The server did not accept this host token"),
		"",
		s.Subtle.Width(width).Render("The show at " + sanitize.Line(m.opts.URL) +
			" let this connection in as a viewer. A viewer cannot pin, run deals or moderate, so the dashboard has hung up."),
		"",
		lipgloss.NewStyle().Width(width).Render("Check the token given by --token, LIVECART_HOST_TOKEN or host_token in the config file: it must be the one the show server was started with."),
		"",
		s.Subtle.Render("q quits"),
	}
	return lipgloss.Place(m.Width, m.Height, lipgloss.Center, lipgloss.Center, strings.Join(parts, "\n"))
}

// minScrubbed is the shortest token scrub looks for: a shorter one would
// match ordinary text.
const minScrubbed = 8

// scrub hides the host token should any text on screen carry it (a
// server echoing it in an error): the dashboard may be on a stream.
func (m Model) scrub(s string) string {
	if len(m.opts.Token) < minScrubbed {
		return s
	}
	return strings.ReplaceAll(s, m.opts.Token, "••••••")
}

// cells is how many cells s takes on screen.
func cells(s string) int { return ansi.StringWidth(s) }

// fit cuts or pads one row to exactly width cells.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if cells(s) > width {
		s = ansi.Truncate(s, width, "…")
	}
	return s + strings.Repeat(" ", max(0, width-cells(s)))
}

func padRight(s string, width int) string { return fit(s, width) }

func padLeft(s string, width int) string {
	if cells(s) >= width {
		return fit(s, width)
	}
	return strings.Repeat(" ", width-cells(s)) + s
}

// block cuts or pads text to exactly height rows of width cells.
func block(s string, width, height int) []string {
	rows := strings.Split(s, "\n")
	if len(rows) > height {
		rows = rows[:max(0, height)]
	}
	for len(rows) < height {
		rows = append(rows, "")
	}
	for i, r := range rows {
		rows[i] = fit(r, width)
	}
	return rows
}

// fitScreen makes the screen exactly width by height cells, whatever a
// part did: nothing wraps, nothing scrolls the alt screen.
func fitScreen(s string, width, height int) string {
	return strings.Join(block(s, width, height), "\n")
}

// spread puts left and right at the two ends of a line width cells wide.
func spread(left, right string, width int) string {
	gap := width - cells(left) - cells(right)
	if gap < 1 {
		return left + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}
