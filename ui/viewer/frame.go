package viewer

import (
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// The live screen is drawn from blocks of rows whose widths are measured
// once, when the part they show changes. Measuring is most of what a frame
// costs (every cell is split into graphemes), and lipgloss's joins measure
// every row of the screen again at each step; here a frame in a chat flood
// measures nothing but the chat lines that just arrived, and the panels are
// redrawn only when their data or the size changes.
//
// The bytes are those the lipgloss calls would produce
// (App.Render(JoinVertical(Left, header, JoinHorizontal(Top, chat, " ",
// side), ...))), so the screen is the same to the byte;
// TestGolden* and checkFrameCache in the tests hold it to that. On a
// screen too small for the layout, fitScreen then cuts the parts to fit.

// block is part of the screen as rows, each with its width in cells. A
// row may be narrower than the block: the spaces that would pad it are
// written once, by compose.
type block struct {
	rows   []string
	widths []int
	width  int // the block's width: its widest row, padding included
}

// newBlock measures a rendered part, as lipgloss does when it joins one:
// a tab counts as four spaces and is drawn as them.
func newBlock(s string) block {
	s = strings.ReplaceAll(s, "\t", "    ")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	rows := strings.Split(s, "\n")
	b := block{rows: rows, widths: make([]int, len(rows))}
	for i, r := range rows {
		b.widths[i] = ansi.StringWidth(r)
		b.width = max(b.width, b.widths[i])
	}
	return b
}

// chatBlock is the chat pane's rows, measured when each line arrived.
func chatBlock(rows []chat.Row) block {
	b := block{rows: make([]string, len(rows)), widths: make([]int, len(rows))}
	for i, r := range rows {
		b.rows[i], b.widths[i] = r.Text, r.Width
		b.width = max(b.width, r.Width)
	}
	return b
}

// height is the number of rows.
func (b block) height() int { return len(b.rows) }

// stack puts blocks one under the other.
func stack(bs ...block) block {
	var out block
	for _, b := range bs {
		out.rows = append(out.rows, b.rows...)
		out.widths = append(out.widths, b.widths...)
		out.width = max(out.width, b.width)
	}
	return out
}

// cut keeps the first n rows. The block stays as wide as it was:
// Style.MaxHeight pads every row to the widest before it cuts.
func (b block) cut(n int) block {
	if n >= len(b.rows) {
		return b
	}
	return block{rows: b.rows[:n], widths: b.widths[:n], width: b.width}
}

// clip cuts the rows wider than w cells; only those are measured again.
// The block is at most w wide afterwards, its padding included. A block
// held by a memo is left as it was.
func (b block) clip(w int) block {
	if b.width <= w {
		return b
	}
	out := block{rows: slices.Clone(b.rows), widths: slices.Clone(b.widths), width: w}
	for i, n := range out.widths {
		if n > w {
			out.rows[i] = ansi.Truncate(out.rows[i], w, "")
			out.widths[i] = ansi.StringWidth(out.rows[i])
		}
	}
	return out
}

// fitScreen keeps parts laid out one under the other within w by h cells:
// rows wider than w are cut, and the rows below the h-th are dropped, so
// on a tiny screen the top (the header, with the link's state) stays.
// Parts that already fit are returned as they are.
func fitScreen(parts []block, w, h int) []block {
	w, h = max(1, w), max(1, h)
	rows, width := 0, 0
	for _, p := range parts {
		rows += p.height()
		width = max(width, p.width)
	}
	if rows <= h && width <= w {
		return parts
	}
	var out []block
	for _, p := range parts {
		if h <= 0 {
			break
		}
		p = p.clip(w).cut(h)
		h -= p.height()
		out = append(out, p)
	}
	return out
}

// besides joins blocks side by side along their top edges, as
// lipgloss.JoinHorizontal(lipgloss.Top, ...) does: each block is as wide as
// its widest row, a shorter block is continued with empty rows.
func besides(bs ...block) block {
	h, width := 0, 0
	for _, b := range bs {
		h = max(h, b.height())
		width += b.width
	}
	out := block{rows: make([]string, h), widths: make([]int, h), width: width}
	var sb strings.Builder
	for i := range h {
		sb.Reset()
		sb.Grow(4 * width)
		for j, b := range bs {
			if i < b.height() {
				sb.WriteString(b.rows[i])
			}
			if j == len(bs)-1 {
				// Its trailing spaces are left to compose, which pads
				// every row to the screen's width: the same bytes.
				break
			}
			w := 0
			if i < b.height() {
				w = b.widths[i]
			}
			writeSpaces(&sb, b.width-w)
		}
		out.rows[i] = sb.String()
		last := bs[len(bs)-1]
		out.widths[i] = width - last.width
		if i < last.height() {
			out.widths[i] += last.widths[i]
		}
	}
	return out
}

// compose lays parts out one under the other, every row padded to the
// widest and wrapped in the App style: what
// App.Render(lipgloss.JoinVertical(lipgloss.Left, parts...)) draws.
func compose(app lineStyle, parts ...block) string {
	width, n, size := 0, 0, 0
	for _, p := range parts {
		width = max(width, p.width)
		n += p.height()
		for _, r := range p.rows {
			size += len(r)
		}
	}
	var sb strings.Builder
	sb.Grow(size + n*(width/2+len(app.prefix)+len(app.suffix)+1))
	first := true
	for _, p := range parts {
		for i, r := range p.rows {
			if !first {
				sb.WriteByte('\n')
			}
			first = false
			sb.WriteString(app.prefix)
			sb.WriteString(r)
			writeSpaces(&sb, width-p.widths[i])
			sb.WriteString(app.suffix)
		}
	}
	return sb.String()
}

const spaces = "                                                                                                                                "

func writeSpaces(sb *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		sb.WriteString(spaces[:k])
		n -= k
	}
}

// lineStyle is what a style puts around each row: Style.Render styles a
// multi-line string row by row, so a row of the screen can be styled alone.
type lineStyle struct {
	prefix, suffix string
	ok             bool // the style is colours and attributes only
}

// lineStyleOf finds the escape sequences st wraps a row in. It holds for
// styles without size, padding, border or margin (App is a colour); for
// anything else ok is false and rows must go through Render.
func lineStyleOf(st lipgloss.Style) lineStyle {
	const probe = "x"
	r := st.Render(probe)
	i := strings.Index(r, probe)
	if i < 0 || ansi.StringWidth(r) != 1 || strings.Count(r, "\n") > 0 {
		return lineStyle{}
	}
	return lineStyle{prefix: r[:i], suffix: r[i+len(probe):], ok: true}
}

// memo holds the last rendering of one part of the screen and what it was
// drawn from; a part is redrawn only when that changes. Copies of a Model
// share their memos, and a memo is checked against its whole key on every
// use, so a model never draws another's part.
type memo[K any] struct {
	ok   bool
	key  K
	text string
	blk  block
}

func (c *memo[K]) get(key K, same func(a, b K) bool, render func() string) (string, block) {
	if !c.ok || !same(c.key, key) {
		c.text = render()
		c.ok, c.key, c.blk = true, key, newBlock(c.text)
	}
	return c.text, c.blk
}

func equal[K comparable](a, b K) bool { return a == b }

// frameCache is the viewer's memos, one per part of the screen.
type frameCache struct {
	app     map[*theme.Styles]lineStyle
	header  memo[headerKey]
	help    memo[helpKey]
	card    memo[cardKey]
	cart    memo[cartKey]
	side    memo[sideKey]
	input   memo[string] // keyed by the text itself: measured once
	status  memo[string]
	notices memo[noticesKey]
	qr      qrMemo
}

func newFrameCache() *frameCache { return &frameCache{app: map[*theme.Styles]lineStyle{}} }

// frames returns the model's memos; a Model not made by New gets fresh ones
// each time, which is slower but draws the same.
func (m Model) frames() *frameCache {
	if m.cache == nil {
		return newFrameCache()
	}
	return m.cache
}

func (c *frameCache) appStyle(s *theme.Styles) lineStyle {
	st, ok := c.app[s]
	if !ok {
		if len(c.app) > 4 {
			clear(c.app) // styles are rebuilt only when the background changes
		}
		st = lineStyleOf(s.App)
		c.app[s] = st
	}
	return st
}

type headerKey struct {
	styles        *theme.Styles
	width         int
	title, host   string
	viewers       int
	link          live.State
	attempt, secs int
	spinner       string
}

type helpKey struct {
	styles           *theme.Styles
	width, helpWidth int
	all              bool
	keys             keyState
}

type cardKey struct {
	styles     *theme.Styles
	width      int
	tall       bool
	pinned     bool
	product    protocol.Product
	variant    protocol.Variant
	rail       []railItem
	dealActive bool
	dealSecs   int
	auction    auctionCard
	giveaway   giveawayCard
}

func sameCard(a, b cardKey) bool {
	return a.styles == b.styles && a.width == b.width && a.tall == b.tall && a.pinned == b.pinned && a.variant == b.variant &&
		a.dealActive == b.dealActive && a.dealSecs == b.dealSecs && a.auction == b.auction && a.giveaway == b.giveaway &&
		sameProduct(a.product, b.product) && slices.Equal(a.rail, b.rail)
}

func sameProduct(a, b protocol.Product) bool {
	if a.ID != b.ID || a.Name != b.Name || a.Description != b.Description || a.Price != b.Price ||
		!slices.Equal(a.Variants, b.Variants) {
		return false
	}
	if a.Deal == nil || b.Deal == nil {
		return a.Deal == b.Deal
	}
	return *a.Deal == *b.Deal
}

type cartKey struct {
	styles        *theme.Styles
	cart          cartData
	sel           int
	focused       bool
	width, height int
}

func sameCart(a, b cartKey) bool {
	return a.styles == b.styles && a.sel == b.sel && a.focused == b.focused && a.width == b.width &&
		a.height == b.height && a.cart.same(b.cart)
}

type noticesKey struct {
	styles      *theme.Styles
	width, room int
	notices     []live.Notice
}

func sameNotices(a, b noticesKey) bool {
	return a.styles == b.styles && a.width == b.width && a.room == b.room && slices.Equal(a.notices, b.notices)
}

type sideKey struct {
	card, cart string
	body       int
}
