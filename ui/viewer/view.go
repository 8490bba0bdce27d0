package viewer

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// Layout thresholds, in cells.
const (
	wideMinWidth = 100 // from here the card and cart get a column of their own
	tallCardRows = 30  // from here the card shows its description in narrow layouts
	// The side column is sideShare of the screen, within sideMin and
	// sideMax: at sideMin a deal's countdown and limit, and a price and
	// stock beside a short variant name, fit whole; wider, names and the
	// rail of earlier products have room too, and the chat keeps the
	// rest.
	sideMin   = 48
	sideMax   = 72
	sideShare = 0.4
)

// sideWidth is the side column's width in the wide layout.
func (m *Model) sideWidth() int {
	return min(sideMax, max(sideMin, int(float64(m.Width)*sideShare)))
}

// layout recomputes the sizes of the parts that keep state about their size.
// All size arithmetic lives here and in View, so the two cannot disagree.
func (m *Model) layout() {
	m.chat.SetStyles(m.Styles)
	m.help.Styles = m.Styles.Help
	// First: the help's height at this width sets the chat's.
	m.help.SetWidth(m.Width)
	chatW, chatH := m.chatArea()
	m.chat.SetSize(chatW, chatH)
	m.input.SetWidth(max(1, m.Width-4)) // less the prompt "› " and the cursor's cell, and a cell spare
	m.maxInput.SetWidth(max(1, m.Width-2-lipgloss.Width(m.maxInput.Prompt)))
	m.maxInput.SetCursor(m.maxInput.Position()) // scrolls what is typed back into view when the row grows
}

// chatArea is the size of the chat pane in the current layout: its
// column, less the gift animation's strip when it has one.
func (m *Model) chatArea() (int, int) {
	w, h := m.chatColumn()
	if m.stripOn(w) {
		w -= stripWidth
	}
	return w, h
}

// chatColumn is the size of the chat's column in the current layout.
func (m *Model) chatColumn() (int, int) {
	body := m.bodyHeight()
	if m.wide() {
		return m.Width - m.sideWidth() - 1, body
	}
	_, card := m.cardView(m.Width)
	rest := body - card.height()
	if _, panel, ok := m.narrowCart(rest); ok {
		rest -= panel.height()
	}
	return m.Width, max(1, rest)
}

// minChatRows is how much chat the narrow layout keeps under an open cart
// when there is room for it.
const minChatRows = 3

// narrowCart is the open cart panel of the narrow layout, at its natural
// height within rest rows; ok is false when the cart is closed.
func (m Model) narrowCart(rest int) (string, block, bool) {
	if m.mode != modeCart || m.wide() {
		return "", block{}, false
	}
	limit := rest
	if rest > 2*minChatRows+2 {
		limit = rest - minChatRows
	}
	text, blk := m.cartPanel(true, m.Width, max(1, limit))
	return text, blk, true
}

func (m *Model) wide() bool { return m.Width >= wideMinWidth }

// bodyHeight is the screen less the header, input and status lines, the
// notices and help.
func (m *Model) bodyHeight() int {
	_, help := m.helpView()
	_, notices := m.noticesView()
	return max(1, m.Height-fixedRows-help.height()-notices.height())
}

// fixedRows are the header, the input and the status line.
const fixedRows = 3

// minBodyRows is how much of the card and chat the notices leave, at
// least, when there are more of them than the screen holds: a third of
// the screen.
func (m Model) minBodyRows() int { return max(3, m.Height/3) }

// View draws the whole screen.
func (m Model) View() tea.View {
	var content string
	switch m.Phase {
	case live.PhaseConnecting:
		content = m.Styles.App.Render(clampScreen(m.connectingView(), m.Width, m.Height))
	case live.PhaseFailed:
		content = m.Styles.App.Render(clampScreen(m.failedView(), m.Width, m.Height))
	case live.PhaseLive, live.PhaseHungUp:
		if m.mode == modeQR {
			content = m.qrView()
		} else {
			content = m.liveView()
		}
	default:
		content = m.liveView()
	}
	return m.Frame(content, "livecart")
}

// liveView is the show's screen, styled: header, body, input, status, the
// notices that stay until dismissed, and help.
func (m Model) liveView() string {
	c := m.frames()
	_, header := m.headerView()
	in, st := m.inputView(), m.statusView()
	_, input := c.input.get(in, equal, self(in))
	_, status := c.status.get(st, equal, self(st))
	_, notices := m.noticesView()
	_, help := m.helpView()
	parts := fitScreen([]block{header, m.bodyView(), input, status, notices, help}, m.Width, m.Height)
	if app := c.appStyle(m.Styles); app.ok {
		return compose(app, parts...)
	}
	return m.Styles.App.Render(compose(lineStyle{}, parts...))
}

// clampScreen cuts a screen drawn as one string to w by h cells: what
// lipgloss.Place centres in a box it cannot shrink.
func clampScreen(s string, w, h int) string {
	return compose(lineStyle{}, fitScreen([]block{newBlock(s)}, w, h)...)
}

// self renders a part that is already a string: its memo only measures it.
func self(s string) func() string { return func() string { return s } }

// gap is the column between the chat and the side column.
var gap = newBlock(" ")

func (m Model) bodyView() block {
	body := m.bodyHeight()
	if m.wide() {
		sideW := m.sideWidth()
		card, cardRows := m.cardView(sideW)
		var panel string
		if rest := body - cardRows.height(); rest >= 3 {
			panel, _ = m.cartPanel(m.mode == modeCart, sideW, rest)
		}
		_, side := m.frames().side.get(sideKey{card: card, cart: panel, body: body}, equal, func() string {
			col := card
			if panel != "" {
				col += "\n" + panel
			}
			return lipgloss.NewStyle().Height(body).MaxHeight(body).Render(col)
		})
		return besides(m.chatView(), gap, side)
	}
	_, card := m.cardView(m.Width)
	parts := []block{card}
	if _, panel, ok := m.narrowCart(body - card.height()); ok {
		parts = append(parts, panel)
	}
	parts = append(parts, m.chatView())
	return stack(parts...).cut(body)
}

// chatView is the chat pane's rows; a pane not sized yet is one empty row,
// as its empty View would be.
func (m Model) chatView() block {
	rows := m.chat.Rows()
	if len(rows) == 0 {
		return newBlock("")
	}
	if w, _ := m.chatColumn(); m.stripOn(w) {
		return besides(chatBlock(rows), m.giftStrip(len(rows)))
	}
	return chatBlock(rows)
}

func (m Model) cardView(width int) (string, block) {
	p, v, ok := m.chosen()
	now := m.ServerNow()
	d := cardData{product: p, variant: v, pinned: ok, serverNow: now, rail: m.rail(), auction: m.auctionCardAt(now), giveaway: m.giveawayCardAt(now)}
	tall := m.wide() || m.Height >= tallCardRows
	key := cardKey{styles: m.Styles, width: width, tall: tall, pinned: ok, product: p, variant: v, rail: d.rail, auction: d.auction, giveaway: d.giveaway}
	if ok && p.Deal.Active(now) {
		key.dealActive, key.dealSecs = true, live.Countdown(now, p.Deal.EndsAt)
	}
	return m.frames().card.get(key, sameCard, func() string { return renderCard(m.Styles, d, width, tall) })
}

func (m Model) cartPanel(focused bool, width, height int) (string, block) {
	c := m.cartData()
	key := cartKey{styles: m.Styles, cart: c, sel: m.cartSel, focused: focused, width: width, height: height}
	return m.frames().cart.get(key, sameCart, func() string {
		return renderCartPanel(m.Styles, c, m.cartSel, focused, width, height)
	})
}

func (m Model) headerView() (string, block) {
	key := headerKey{styles: m.Styles, width: m.Width, title: m.Show.Show.Title, host: m.Show.Show.Host,
		viewers: m.Show.Viewers, link: m.Link.State, attempt: m.Link.Attempt, secs: m.RetryIn()}
	if m.Link.State == live.Connecting {
		key.spinner = m.Spin.View() // the only state that draws it
	}
	return m.frames().header.get(key, equal, m.renderHeader)
}

// minTitle is the fewest cells of the show's title worth showing beside
// the viewer count in a narrow header.
const minTitle = 8

func (m Model) renderHeader() string {
	s := m.Styles
	title := m.Show.Show.Title
	if m.Show.Show.Host != "" {
		title += s.Subtle.Render(" · with ") + m.Show.Show.Host
	}
	state := m.LinkStatus()
	right := s.Subtle.Render(fmt.Sprintf("%d watching", m.Show.Viewers)) + "  " + state
	watching := "" // the count, when it shares the left with the title
	if !m.wide() {
		right = state
		watching = s.Subtle.Render(fmt.Sprintf(" · %d watching", m.Show.Viewers))
	}
	live := s.Live.Render("LIVE") + " "
	left := live + s.Title.Render(title) + watching
	avail := m.Width - lipgloss.Width(right) - 1
	// Too long: the host goes first, then the title is cut; the count
	// stays while a few letters of the title still fit beside it.
	if lipgloss.Width(left) > avail {
		room := avail - lipgloss.Width(live) - lipgloss.Width(watching)
		if room < minTitle {
			watching, room = "", avail-lipgloss.Width(live)
		}
		left = live + s.Title.Render(fit(m.Show.Show.Title, max(1, room))) + watching
	}
	if lipgloss.Width(left) > avail {
		left = "" // too narrow for both: the link's state matters more
	}
	return lipgloss.NewStyle().MaxWidth(max(1, m.Width)).Render(spread(left, right, m.Width))
}

// unsavedBadge marks the status line while a toast covers the reason the
// cart is not saved.
const unsavedBadge = "cart not saved"

// statusView is the status line: the toast, if one is up; else why the cart
// is not saved, if it is not; else, in the narrow layout with the cart
// closed, the cart's summary. While the cart is not saved a toast shares
// the line with unsavedBadge, so that state never leaves the screen.
func (m Model) statusView() string {
	s := m.Styles
	width := max(1, m.Width)
	if m.Status.Text == "" {
		switch {
		case m.unsaved != "":
			return s.Error.Render(fit("Cart not saved: "+m.unsaved, width))
		case !m.wide() && m.mode != modeCart:
			return cartSummary(s, m.cartData(), width)
		}
		return ""
	}
	style := m.Status.Style(s)
	if m.unsaved == "" {
		return style.Render(fit(m.Status.Text, width))
	}
	badge := s.Error.Render(fit(unsavedBadge, width))
	room := width - lipgloss.Width(badge) - 1
	if room < 1 {
		return badge
	}
	return spread(style.Render(fit(m.Status.Text, room)), badge, width)
}

// noticesView is the notices, newest first, each whole. When they do not
// all fit and leave the body minBodyRows, the older ones wait behind a row
// that counts them: esc takes the newest down and the next comes up.
func (m Model) noticesView() (string, block) {
	if len(m.Notices) == 0 {
		return "", block{}
	}
	_, help := m.helpView()
	room := max(1, m.Height-fixedRows-help.height()-m.minBodyRows())
	key := noticesKey{styles: m.Styles, width: m.Width, room: room, notices: m.Notices}
	return m.frames().notices.get(key, sameNotices, func() string {
		return renderNotices(m.Styles, m.Notices, m.Width, room)
	})
}

// renderNotices draws notices, newest first, in at most room rows.
func renderNotices(st *theme.Styles, notices []live.Notice, width, room int) string {
	var rows []string
	shown := 0
	for i := len(notices) - 1; i >= 0; i-- {
		r := strings.Split(notices[i].Render(st, width), "\n")
		more := min(i, 1) // a row to count those left, while any are
		if len(rows)+len(r)+more > room {
			if shown > 0 {
				break
			}
			// Not even the newest fits whole: as much of it as the
			// screen holds.
			r = r[:max(1, room-more)]
		}
		rows = append(rows, r...)
		shown++
	}
	if left := len(notices) - shown; left > 0 && len(rows) < room {
		what := "notices"
		if left == 1 {
			what = "notice"
		}
		rows = append(rows, st.Subtle.Render(fit(fmt.Sprintf("+%d more %s · esc shows the next", left, what), width)))
	}
	return strings.Join(rows, "\n")
}

// helpView is the help: the full help after ?, else the one-line help.
func (m Model) helpView() (string, block) {
	ks := m.keyState()
	key := helpKey{styles: m.Styles, width: m.Width, helpWidth: m.help.Width(), all: m.help.ShowAll, keys: ks}
	return m.frames().help.get(key, equal, func() string {
		k := m.helpKeys(ks)
		if !m.help.ShowAll {
			return shortHelp(m.help, k, m.Width)
		}
		// Clamped, so that the columns can never run past the screen and
		// wrap.
		return lipgloss.NewStyle().MaxWidth(max(1, m.Width)).Render(m.help.View(k))
	})
}

// shortKeys is what the one-line help is drawn from.
type shortKeys interface {
	ShortHelp() []key.Binding
	essential(b key.Binding) bool
}

// essential reports whether b is one of the keys the one-line help always
// keeps: those every live screen has (reconnect while the link waits,
// help, which lists the rest, and quit).
func (k KeyMap) essential(b key.Binding) bool {
	h := b.Help()
	return h == k.Retry.Help() || h == k.Help.Help() || h == k.Quit.Help()
}

// shortHelp is the one-line help, width cells wide: the keys in order
// while they fit whole, then reconnect, help and quit, always, after "…"
// when some had to go. (help.Model cuts the line after the last key that
// fits, or, when not even its "…" fits, keeps them all, and a clamped
// line then ends in the middle of a key or in a dangling separator.)
func shortHelp(h help.Model, k shortKeys, width int) string {
	st := h.Styles
	var rest, always []string
	for _, b := range k.ShortHelp() {
		if !b.Enabled() {
			continue
		}
		item := st.ShortKey.Inline(true).Render(b.Help().Key) + " " + st.ShortDesc.Inline(true).Render(b.Help().Desc)
		if k.essential(b) {
			always = append(always, item)
		} else {
			rest = append(rest, item)
		}
	}
	sep := st.ShortSeparator.Inline(true).Render(h.ShortSeparator)
	tail := strings.Join(always, sep)
	after := 0 // what the tail takes after the last key kept
	if tail != "" {
		after = lipgloss.Width(sep) + lipgloss.Width(tail)
	}
	var kept []string
	used, dropped := 0, false
	for _, item := range rest {
		w := lipgloss.Width(item)
		if len(kept) > 0 {
			w += lipgloss.Width(sep)
		}
		if used+w+after > width {
			dropped = true
			break
		}
		kept = append(kept, item)
		used += w
	}
	line := strings.Join(kept, sep)
	switch {
	case line == "":
		line = tail
	case dropped && tail != "":
		// The gap is as wide as a separator, which the sum above counted.
		line += " " + st.Ellipsis.Inline(true).Render(h.Ellipsis) + " " + tail
	case tail != "":
		line += sep + tail
	}
	return lipgloss.NewStyle().MaxWidth(max(1, width)).Render(line)
}

func (m Model) connectingView() string {
	s := m.Styles
	msg := m.Spin.View() + " Connecting to " + s.Accent.Render(m.opts.URL) + "…"
	return lipgloss.Place(m.Width, m.Height, lipgloss.Center, lipgloss.Center, msg+"\n\n"+s.Subtle.Render("q quits"))
}

func (m Model) failedView() string {
	s := m.Styles
	why := "unknown error"
	if m.Link.Err != nil {
		why = sanitize.Line(m.Link.Err.Error())
	}
	width := min(m.Width-4, 72)
	next := s.Error.Render("Gave up: this will not work by retrying.")
	if m.Link.State != live.Down {
		next = m.LinkStatus()
	}
	advice := s.Subtle.Width(width).Render("Check the address, that the show server is running (livecart serve) and that nothing blocks the connection. Or try the built-in demo: livecart demo")
	parts := []string{
		s.Error.Bold(true).Render("Can't reach the show"),
		"",
		lipgloss.NewStyle().Width(width).Render(why),
		"",
		next,
		"",
		advice,
		"",
		m.help.View(m.keysNow()),
	}
	body := strings.Join(parts, "\n")
	if lipgloss.Height(body) > m.Height {
		// A short terminal: the advice goes first, the reason and the keys
		// stay.
		body = strings.Join(append(parts[:6:6], parts[8]), "\n")
	}
	if rows := strings.Split(body, "\n"); len(rows) > m.Height {
		body = strings.Join(rows[:max(1, m.Height)], "\n")
	}
	return lipgloss.Place(m.Width, m.Height, lipgloss.Center, lipgloss.Center, body)
}
