package viewer

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	qr "github.com/piglig/go-qr"

	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/ui/live"
)

// The checkout link as a QR code, so that a shopper in an SSH session, or
// a whole audience watching a screen, can check out on a phone. Each cell
// of the terminal draws two modules, one above the other, with the half
// blocks ▀ and ▄: a cell is about twice as tall as it is wide, so the
// modules come out square.

// Quiet zone around the code, in modules: the standard asks for four; a
// phone's camera reads the code with two, which is what a small screen
// gets.
const (
	qrQuiet    = 4
	qrMinQuiet = 2
)

// qrRows are the screen's rows the QR view keeps for itself: the help
// line at the bottom, and the caption above the code when the code fits
// with it (the code comes first).
const qrRows = 2

// errQRTooSmall means the code does not fit the room it was given.
var errQRTooSmall = errors.New("too small for the QR code")

// qrDrawing is a QR code drawn for the screen.
type qrDrawing struct {
	rows []string // the code and its quiet zone, one row per two half-rows
	// needW and needH are the room the code takes at its smallest, in
	// cells, quiet zone included: what to ask for when it does not fit.
	needW, needH int
	err          error
}

// encodeQR encodes link as the smallest code at the lowest
// error-correction level, L: the larger the modules the farther a phone
// reads them, so room is never traded for a higher level.
func encodeQR(link string) (*qr.QrCode, error) {
	segs, err := qr.MakeSegments(link)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	code, err := qr.EncodeSegments(segs, qr.Low, qr.MinVersion, qr.MaxVersion, -1, false)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	return code, nil
}

// drawQR draws code, with its quiet zone, in at most w cells by h rows;
// err is errQRTooSmall when it does not fit. A screen with room to spare
// (a projector's, for a room full of phones) draws each module as a
// square of cells. dark is whether the terminal's background is dark: the
// half blocks are drawn in the foreground colour, so on a dark background
// they draw the light modules and the quiet zone, on a light one the dark
// modules.
func drawQR(code *qr.QrCode, w, h int, dark bool) qrDrawing {
	// fits reports whether the code fits with quiet modules of margin
	// and each module scale cells wide and scale half-rows tall.
	fits := func(quiet, scale int) bool {
		n := (code.Size() + 2*quiet) * scale
		return n <= w && (n+1)/2 <= h
	}
	out := qrDrawing{needW: code.Size() + 2*qrMinQuiet, needH: (code.Size() + 2*qrMinQuiet + 1) / 2}
	quiet, scale := qrQuiet, 1
	switch {
	case fits(qrQuiet, 1):
		for fits(qrQuiet, scale+1) {
			scale++
		}
	default:
		// The widest quiet zone the room allows, down to qrMinQuiet.
		for quiet > qrMinQuiet && !fits(quiet, 1) {
			quiet--
		}
		if !fits(quiet, 1) {
			out.err = errQRTooSmall
			return out
		}
	}
	out.rows = halfBlocks(code, quiet, scale, dark)
	return out
}

// halfBlocks draws code with quiet modules of margin, each module scale
// cells wide and scale half-rows tall, two half-rows per text row; an odd
// count of half-rows gets one more of quiet zone at the bottom.
func halfBlocks(code *qr.QrCode, quiet, scale int, dark bool) []string {
	n := (code.Size() + 2*quiet) * scale
	// ink reports whether the half-cell at x, y (counted from the quiet
	// zone's corner) is drawn in the foreground colour.
	ink := func(x, y int) bool {
		x, y = x/scale-quiet, y/scale-quiet
		isDark := x >= 0 && y >= 0 && x < code.Size() && y < code.Size() && code.Module(x, y)
		return isDark != dark
	}
	glyphs := [2][2]string{{" ", "▄"}, {"▀", "█"}} // [top][bottom]
	rows := make([]string, 0, (n+1)/2)
	var sb strings.Builder
	for y := 0; y < n; y += 2 {
		sb.Reset()
		for x := range n {
			top, bottom := ink(x, y), ink(x, y+1)
			sb.WriteString(glyphs[b2i(top)][b2i(bottom)])
		}
		rows = append(rows, sb.String())
	}
	return rows
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// qrMemo keeps the code of the last link drawn: encoding it (choosing
// its mask) is the costliest thing on the screen, and it changes only
// with the link. Drawing it for the room is cheap.
type qrMemo struct {
	ok   bool
	link string
	code *qr.QrCode
	err  error
}

func (c *qrMemo) get(link string) (*qr.QrCode, error) {
	if !c.ok || c.link != link {
		c.code, c.err = encodeQR(link)
		c.ok, c.link = true, link
	}
	return c.code, c.err
}

// qrView is the screen of the QR code: a caption (or the toast of the
// moment), the code, the link it encodes, whole, as a hyperlink, and the
// keys. It never draws a link the browser would refuse to open; then, or
// when the screen is too small for a code a phone can read, it says so
// instead.
func (m Model) qrView() string {
	st := m.Styles
	w, h := max(1, m.Width), max(1, m.Height)
	caption := centre(st.Title.Render(fit("Scan with your phone's camera "+m.qrPurpose(), w)), w)
	var toast string
	if m.Status.Text != "" {
		toast = m.Status.Style(st).Render(fit(m.Status.Text, w))
	}
	body, drawn := m.qrBody(w, h-qrRows)
	if !drawn {
		if alone, ok := m.qrBody(w, h-qrRows+1); ok {
			// Without its caption, the code fits: the code says what
			// it is.
			body, caption = alone, ""
		}
	}
	fill := h - 1 - stack(body...).height() // the rows left, less the help line's
	if caption != "" {
		fill--
	}
	help := shortHelp(m.help, m.helpKeys(m.keyState()), w)
	switch {
	case toast == "" || fill > 0:
	case caption != "":
		// No row to spare: the toast of the moment takes the caption's.
		caption = toast
	case m.Status.Kind != live.StatusInfo:
		// Nor a caption: what came of the viewer's own doing (a copy,
		// or why not) takes the help's for as long as it shows; the
		// show's news waits for the live screen.
		help = toast
	}
	var parts []block
	if caption != "" {
		parts = append(parts, newBlock(caption))
	}
	parts = append(parts, body...)
	if fill > 0 {
		filler := strings.Repeat("\n", fill-1)
		if toast != "" {
			filler = strings.Repeat("\n", fill-1) + toast
		}
		parts = append(parts, newBlock(filler))
	}
	parts = append(parts, newBlock(help))
	return compose(m.frames().appStyle(st), fitScreen(parts, w, h)...)
}

// qrPurpose says what the code is for, as the caption ends.
func (m Model) qrPurpose() string {
	switch {
	case strings.HasPrefix(m.qrKey, noticeGiveawayPref):
		return "to open the draw's record"
	case m.qrKey != noticeCheckout && m.qrKey != "":
		return "to pay"
	}
	return "to check out"
}

// centre puts a row of text in the middle of a row w cells wide.
func centre(row string, w int) string {
	left := max(0, (w-lipgloss.Width(row))/2)
	right := max(0, w-left-lipgloss.Width(row))
	return strings.Repeat(" ", left) + row + strings.Repeat(" ", right)
}

// qrBody is the code and the link under it in w by room cells, or why
// there is no code; drawn reports a code.
func (m Model) qrBody(w, room int) (body []block, drawn bool) {
	st := m.Styles
	link := m.qrLink()
	if link == "" {
		return []block{newBlock(st.Subtle.Width(w).Render("There is nothing to check out now · esc goes back"))}, false
	}
	if err := checkout.CheckURL(link); err != nil {
		return []block{newBlock(st.Error.Width(w).Render("This checkout link is not drawn, copied or shown, as it would not be opened: " + err.Error()))}, false
	}
	url := newBlock(live.Notice{Link: link}.Render(st, w))
	enc, err := m.frames().qr.get(link)
	if err != nil {
		return []block{newBlock(st.Error.Width(w).Render("No QR code: " + err.Error())), url}, false
	}
	code := drawQR(enc, w, room-url.height(), st.IsDark)
	if errors.Is(code.err, errQRTooSmall) {
		// What it needs: the code, the link and the help line.
		why := fmt.Sprintf("This screen is too small for a QR code a phone can read: it needs %d×%d cells, and has %d×%d. "+
			"Make the window larger or the font smaller, or open or copy (y) the link:",
			code.needW, code.needH+qrRows-1+url.height(), m.Width, m.Height)
		return []block{newBlock(st.Warn.Width(w).Render(why)), url}, false
	}
	rows := make([]string, len(code.rows))
	for i, r := range code.rows {
		rows[i] = centre(r, w)
	}
	if url.height() == 1 {
		url = newBlock(centre(url.rows[0], w))
	}
	return []block{newBlock(strings.Join(rows, "\n")), url}, true
}
