package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/link"
)

// Layout thresholds, in cells.
const (
	wideMinWidth = 100 // from here the card and cart get a column of their own
	sideWidth    = 42  // that column's width
	tallCardRows = 30  // from here the card shows its description in narrow layouts
)

// layout recomputes the sizes of the parts that keep state about their size.
// All size arithmetic lives here and in View, so the two cannot disagree.
func (m *Model) layout() {
	chatW, chatH := m.chatArea()
	m.chat.SetSize(chatW, chatH)
	m.input.SetWidth(max(1, m.width-4))
	m.help.SetWidth(m.width)
}

// chatArea is the size of the chat pane in the current layout.
func (m *Model) chatArea() (int, int) {
	body := m.bodyHeight()
	if m.wide() {
		return m.width - sideWidth - 1, body
	}
	rest := body - lipgloss.Height(m.cardView(m.width))
	if panel := m.narrowCart(rest); panel != "" {
		rest -= lipgloss.Height(panel)
	}
	return m.width, max(1, rest)
}

// minChatRows is how much chat the narrow layout keeps under an open cart
// when there is room for it.
const minChatRows = 3

// narrowCart is the open cart panel of the narrow layout, at its natural
// height within rest rows, or "" when the cart is closed.
func (m *Model) narrowCart(rest int) string {
	if m.mode != modeCart || m.wide() {
		return ""
	}
	limit := rest
	if rest > 2*minChatRows+2 {
		limit = rest - minChatRows
	}
	return renderCartPanel(m.styles, m.cart, m.cartSel, true, m.width, max(1, limit))
}

func (m *Model) wide() bool { return m.width >= wideMinWidth }

// bodyHeight is the screen less the header, input, status and help lines.
func (m *Model) bodyHeight() int {
	fixed := 1 + 1 + 1 + lipgloss.Height(m.helpView())
	if m.linkURL != "" {
		fixed += lipgloss.Height(m.linkView())
	}
	return max(1, m.height-fixed)
}

// View draws the whole screen.
func (m Model) View() tea.View {
	var content string
	switch m.phase {
	case phaseConnecting:
		content = m.connectingView()
	case phaseFailed:
		content = m.failedView()
	default:
		content = m.liveView()
	}
	v := tea.NewView(m.styles.App.Render(content))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "livecart"
	if m.phase == phaseLive && m.show.Show.Title != "" {
		v.WindowTitle = "livecart · " + m.show.Show.Title
	}
	return v
}

func (m Model) liveView() string {
	parts := []string{m.headerView(), m.bodyView(), m.input.View(), m.statusView()}
	if m.linkURL != "" {
		parts = append(parts, m.linkView())
	}
	parts = append(parts, m.helpView())
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

func (m Model) bodyView() string {
	body := m.bodyHeight()
	cartOpen := m.mode == modeCart
	if m.wide() {
		card := m.cardView(sideWidth)
		side := card
		rest := body - lipgloss.Height(card)
		if rest >= 3 {
			side += "\n" + renderCartPanel(m.styles, m.cart, m.cartSel, cartOpen, sideWidth, rest)
		}
		side = lipgloss.NewStyle().Height(body).MaxHeight(body).Render(side)
		return lipgloss.JoinHorizontal(lipgloss.Top, m.chat.View(), " ", side)
	}
	card := m.cardView(m.width)
	parts := []string{card}
	if panel := m.narrowCart(body - lipgloss.Height(card)); panel != "" {
		parts = append(parts, panel)
	}
	parts = append(parts, m.chat.View())
	return lipgloss.NewStyle().MaxHeight(body).Render(strings.Join(parts, "\n"))
}

func (m Model) cardView(width int) string {
	p, v, ok := m.show.Pinned()
	tall := m.wide() || m.height >= tallCardRows
	return renderCard(m.styles, cardData{product: p, variant: v, pinned: ok, serverNow: m.serverNow(), rail: m.rail()}, width, tall)
}

func (m Model) headerView() string {
	s := m.styles
	title := m.show.Show.Title
	if m.show.Show.Host != "" {
		title += s.Subtle.Render(" · with ") + m.show.Show.Host
	}
	state := m.connState()
	right := s.Subtle.Render(fmt.Sprintf("%d watching", m.show.Viewers)) + "  " + state
	if !m.wide() {
		right = state
		title += s.Subtle.Render(fmt.Sprintf(" · %d watching", m.show.Viewers))
	}
	left := s.Live.Render("LIVE") + " " + s.Title.Render(title)
	avail := m.width - lipgloss.Width(right) - 1
	if lipgloss.Width(left) > avail {
		left = s.Live.Render("LIVE") + " " + s.Title.Render(fit(m.show.Show.Title, max(1, avail-7)))
	}
	if lipgloss.Width(left) > avail {
		left = "" // too narrow for both: the link's state matters more
	}
	return lipgloss.NewStyle().MaxWidth(max(1, m.width)).Render(spread(left, right, m.width))
}

func (m Model) statusView() string {
	s := m.styles
	if m.toast == "" {
		if !m.wide() && m.mode != modeCart {
			return cartSummary(s, m.cart)
		}
		return ""
	}
	style := s.Toast
	switch m.toastKind {
	case toastGood:
		style = s.Good
	case toastError:
		style = s.Error
	}
	return style.Render(fit(m.toast, max(1, m.width)))
}

// linkView shows the checkout link whole, so it can be copied even when it
// is longer than the screen is wide.
func (m Model) linkView() string {
	var rows []string
	rest := m.linkURL
	for len(rest) > 0 {
		n := min(len(rest), max(1, m.width))
		rows = append(rows, rest[:n])
		rest = rest[n:]
	}
	return m.styles.Accent.Underline(true).Render(strings.Join(rows, "\n")) + "\n" + m.styles.Subtle.Render("esc hides the link")
}

func (m Model) helpView() string {
	// help.Model ends a long short-help line with "…", but when even the
	// "…" does not fit it keeps every binding instead; clamp so the line
	// can never run past the screen and wrap.
	return lipgloss.NewStyle().MaxWidth(max(1, m.width)).Render(m.help.View(m.keysNow()))
}

func (m Model) connectingView() string {
	s := m.styles
	msg := m.spin.View() + " Connecting to " + s.Accent.Render(m.opts.URL) + "…"
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, msg+"\n\n"+s.Subtle.Render("q quits"))
}

// connState is the connection state for the header: connected,
// reconnecting with the attempt and the time to the next try, or offline.
func (m Model) connState() string {
	return link.Status(m.styles, m.spin.View(), m.link, m.attempt, link.Countdown(m.now, m.retryAt))
}

func (m Model) failedView() string {
	s := m.styles
	why := "unknown error"
	if m.err != nil {
		why = sanitize.Line(m.err.Error())
	}
	width := min(m.width-4, 72)
	next := s.Error.Render("Gave up: this will not work by retrying.")
	if m.link != link.Down {
		next = m.connState()
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
	if lipgloss.Height(body) > m.height {
		// A short terminal: the advice goes first, the reason and the keys
		// stay.
		body = strings.Join(append(parts[:6:6], parts[8]), "\n")
	}
	if rows := strings.Split(body, "\n"); len(rows) > m.height {
		body = strings.Join(rows[:max(1, m.height)], "\n")
	}
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, body)
}
