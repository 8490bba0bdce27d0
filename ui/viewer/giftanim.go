package viewer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// A paid gift rises up a narrow strip at the chat's right edge, kept for
// it while the show has gifts: its symbol, and how many came together
// ("♥×12"), fading as it reaches the top. One burst at a time: gifts of
// the kind on screen join it, others wait in a short queue, and a flood
// of more kinds than the queue holds is left to the chat, where every
// gift has its line. Each frame is a tick that carries the animation's
// generation, so a tick of an older burst moves nothing. With reduced
// motion (or NO_COLOR) there is no strip and no tick.

const (
	giftFrames     = 8                      // frames of a burst: 1.2 s at giftFrameEvery
	giftFrameEvery = 150 * time.Millisecond // between frames
	maxBursts      = 3                      // bursts waiting their turn
	stripWidth     = 5                      // cells: a space, the symbol and a count up to "99+"
	minStripChat   = 30                     // cells of chat the strip always leaves
)

// giftAnim is the animation: the burst on screen, its frame, and those
// waiting.
type giftAnim struct {
	gen   int // generation of the frame ticks; older ones are dropped
	frame int
	cur   giftBurst // none while count is 0
	queue []giftBurst
}

// giftBurst is gifts of one kind drawn as one.
type giftBurst struct {
	symbol string
	count  int
}

// giftFrameMsg moves the animation on by a frame.
type giftFrameMsg struct{ gen int }

// motion reports whether gifts are animated: motion allowed, and a show
// with gifts, which keeps the strip for them.
func (m Model) motion() bool { return !m.opts.ReducedMotion && len(m.Show.Gifts) > 0 }

// stripOn reports whether a chat column chatW cells wide has the strip.
func (m Model) stripOn(chatW int) bool { return m.motion() && chatW-stripWidth >= minStripChat }

// animate adds a gift of symbol sym to the animation, and starts it when
// nothing is on screen.
func (m *Model) animate(sym string) tea.Cmd {
	if !m.motion() {
		return nil
	}
	a := &m.anim
	last := len(a.queue) - 1
	switch {
	case a.cur.count > 0 && a.cur.symbol == sym:
		a.cur.count++
		return nil
	case last >= 0 && a.queue[last].symbol == sym:
		a.queue = slices.Clone(a.queue)
		a.queue[last].count++
		return nil
	case a.cur.count > 0:
		if len(a.queue) < maxBursts {
			a.queue = append(slices.Clone(a.queue), giftBurst{symbol: sym, count: 1})
		}
		return nil
	}
	a.cur, a.frame = giftBurst{symbol: sym, count: 1}, 0
	a.gen++
	return m.nextGiftFrame()
}

// nextGiftFrame asks for the next frame.
func (m *Model) nextGiftFrame() tea.Cmd {
	gen := m.anim.gen
	return m.opts.Tick(giftFrameEvery, func(time.Time) tea.Msg { return giftFrameMsg{gen: gen} })
}

// giftFrame moves the animation on: the next frame, the next burst, or
// the end, when the tick is the running burst's.
func (m Model) giftFrame(msg giftFrameMsg) (Model, tea.Cmd) {
	a := &m.anim
	if msg.gen != a.gen || a.cur.count == 0 {
		return m, nil
	}
	a.frame++
	if a.frame < giftFrames {
		return m, m.nextGiftFrame()
	}
	if len(a.queue) == 0 {
		a.cur, a.frame = giftBurst{}, 0
		return m, nil
	}
	a.cur, a.queue, a.frame = a.queue[0], slices.Clone(a.queue[1:]), 0
	a.gen++
	return m, m.nextGiftFrame()
}

// giftStrip draws the strip h rows tall: the burst on screen at its
// height for the frame, rising from the bottom row to the top.
func (m Model) giftStrip(h int) block {
	blank := strings.Repeat(" ", stripWidth)
	b := block{rows: make([]string, h), widths: make([]int, h), width: stripWidth}
	for i := range b.rows {
		b.rows[i], b.widths[i] = blank, stripWidth
	}
	a := m.anim
	if a.cur.count == 0 || h == 0 {
		return b
	}
	text := a.cur.symbol
	switch {
	case a.cur.count > 99:
		text += "99+"
	case a.cur.count > 1:
		text += "×" + strconv.Itoa(a.cur.count)
	}
	text = " " + fit(text, stripWidth-1)
	style := m.Styles.Gift
	switch {
	case a.frame >= giftFrames-1:
		style = m.Styles.Subtle
	case a.frame >= giftFrames-3:
		style = style.Faint(true)
	}
	row := (h - 1) - a.frame*(h-1)/(giftFrames-1)
	b.rows[row] = style.Render(text) + strings.Repeat(" ", stripWidth-lipgloss.Width(text))
	return b
}
