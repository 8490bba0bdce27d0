package viewer

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// codeRows are the rows of a plain screen that draw the QR code: those
// with a half or full block in them.
func codeRows(screen string) []string {
	var rows []string
	for _, r := range strings.Split(screen, "\n") {
		if strings.ContainsAny(r, "▀▄█") {
			rows = append(rows, r)
		}
	}
	return rows
}

// screenImage paints rows of text as a terminal would: each cell scale
// pixels wide and two modules of scale pixels tall, the blocks in the
// foreground colour, everything else, and a wide margin around, in the
// background's. dark is whether the background is dark.
func screenImage(rows []string, dark bool, scale int) image.Image {
	fg, bg := color.Gray{Y: 0}, color.Gray{Y: 255}
	if dark {
		fg, bg = bg, fg
	}
	width := 0
	for _, r := range rows {
		width = max(width, len([]rune(r)))
	}
	margin := 8 * scale
	img := image.NewGray(image.Rect(0, 0, width*scale+2*margin, len(rows)*2*scale+2*margin))
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			img.SetGray(x, y, bg)
		}
	}
	for row, r := range rows {
		for col, c := range []rune(r) {
			top := c == '█' || c == '▀'
			bottom := c == '█' || c == '▄'
			for half, ink := range []bool{top, bottom} {
				if !ink {
					continue
				}
				x0, y0 := margin+col*scale, margin+(2*row+half)*scale
				for y := y0; y < y0+scale; y++ {
					for x := x0; x < x0+scale; x++ {
						img.SetGray(x, y, fg)
					}
				}
			}
		}
	}
	return img
}

// scan reads the QR code on a plain screen as a phone would, with a
// decoder of its own; ok is false when there is none to read.
func scan(t *testing.T, screen string, dark bool) (text, level string, ok bool) {
	t.Helper()
	rows := codeRows(screen)
	if len(rows) == 0 {
		return "", "", false
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(screenImage(rows, dark, 4))
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Errorf("the code on screen does not scan: %v\n%s", err, screen)
		return "", "", false
	}
	level, _ = res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	return res.GetText(), level, true
}

// inCart is a live show with the cart holding the pinned mug, or more.
func inCart(t *testing.T, w, ht int, more bool, tweak ...func(*Options)) *harness {
	t.Helper()
	h := joined(t, w, ht, tweak...)
	h.PressSettle("a")
	if more {
		for _, pin := range []protocol.Pin{{ProductID: "mug", VariantID: "mug-green"}, {ProductID: "scarf", VariantID: "scarf-red"}} {
			h.Events(uitest.Env(t, protocol.TypePin, 101, pin))
			h.PressSettle("a")
		}
	}
	return h
}

// The code drawn at 80x24 scans back to the checkout link, on dark and
// light terminals, for a cart of one line and of three; the link is under
// it, whole, and a hyperlink.
func TestQRCodeScansToTheLink(t *testing.T) {
	for _, theme := range []string{"dark", "light"} {
		for _, more := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/more=%v", theme, more), func(t *testing.T) {
				h := inCart(t, 80, 24, more, func(o *Options) { o.Theme = theme })
				h.PressSettle("o")
				if h.M.mode != modeQR {
					t.Fatalf("o did not open the QR code (mode %d)", h.M.mode)
				}
				want := "http://127.0.0.1:7420/cart/mug-blue:1"
				if more {
					want = "http://127.0.0.1:7420/cart/mug-blue:1,mug-green:1,scarf-red:1"
				}
				h.Fits()
				got, level, ok := scan(t, h.View(), theme == "dark")
				if !ok || got != want {
					t.Fatalf("the code reads %q (ok %v), want %q:\n%s", got, ok, want, h.View())
				}
				if level != "L" {
					t.Errorf("error correction %q, want L: the largest modules for the room", level)
				}
				h.mustShowWrapped(want)
				if !strings.Contains(h.M.View().Content, ";"+want+"\x07") {
					t.Error("the link under the code is not a hyperlink")
				}
				// On a dark screen the quiet zone is drawn: the first
				// and last rows of the code are all of it.
				if rows := codeRows(h.View()); theme == "dark" {
					for _, r := range []string{rows[0], rows[len(rows)-1]} {
						if strings.Trim(strings.TrimSpace(r), "█") != "" {
							t.Errorf("no quiet zone: %q", r)
						}
					}
				}
			})
		}
	}
}

// The code fits between the caption and the link; a screen too small for
// a code a phone can read says so, and draws none.
func TestQRCodeTooSmall(t *testing.T) {
	h := inCart(t, 50, 15, false)
	h.PressSettle("o")
	h.Fits()
	if rows := codeRows(h.View()); len(rows) != 0 {
		t.Errorf("a code drawn on a screen too small for it:\n%s", h.View())
	}
	h.mustShowWrapped("This screen is too small for a QR code a phone can read", "http://127.0.0.1:7420/cart/mug-blue:1")
	// Made larger, the same screen draws it.
	h.Send(tea.WindowSizeMsg{Width: 60, Height: 24})
	h.Fits()
	if got, _, ok := scan(t, h.View(), true); !ok || got != "http://127.0.0.1:7420/cart/mug-blue:1" {
		t.Errorf("at 60x24 the code reads %q, %v", got, ok)
	}
}

// o opens the code whether or not a browser opened the link; o or esc
// takes it down, and the link stays up as a notice; an empty cart has no
// code and says why.
func TestQRKeyOpensAndClosesTheCode(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("o")
	if h.M.mode != modeShow || h.M.checkoutLink() != "" {
		t.Fatalf("o with an empty cart: mode %d, link %q", h.M.mode, h.M.checkoutLink())
	}
	h.MustShow("Your cart is empty")

	h.PressSettle("a", "x")
	if len(h.opener.URLs()) != 1 {
		t.Fatalf("x opened %q", h.opener.URLs())
	}
	h.PressSettle("o")
	if h.M.mode != modeQR {
		t.Fatal("o did not open the code")
	}
	h.MustShow("Scan with your phone's camera to check out", "o/esc close", "y copy link", "q quit")
	h.MustNotShow("press enter to chat")
	h.PressSettle("esc")
	if h.M.mode != modeShow {
		t.Fatal("esc did not close the code")
	}
	h.MustShow("press enter to chat", "Scan (o), open or copy (y) this link to check out")
	if len(codeRows(h.View())) != 0 {
		t.Error("the code is still drawn")
	}
	h.PressSettle("o", "o")
	if h.M.mode != modeShow {
		t.Error("o did not close the code")
	}
	// From the cart panel too.
	h.PressSettle("c", "o")
	if h.M.mode != modeQR {
		t.Error("o in the cart did not open the code")
	}
}

// y puts the checkout link on the clipboard through the terminal (OSC 52),
// from the notice or the code; it is offered, and does anything, only
// while a link is up.
func TestCopyLink(t *testing.T) {
	h := inCart(t, 80, 24, false, func(o *Options) { o.OpenBrowser = false })
	link := "http://127.0.0.1:7420/cart/mug-blue:1"
	if clip := clipboard(t, h.Press("y")); clip != nil {
		t.Errorf("y without a link up copied %v", clip)
	}
	h.MustNotShow("copy link")
	h.PressSettle("x")
	h.MustShow("y copy link")
	for _, where := range []string{"notice", "code"} {
		if where == "code" {
			h.PressSettle("o")
		}
		clip := clipboard(t, h.Press("y"))
		if clip != tea.SetClipboard(link)() {
			t.Errorf("y on the %s: clipboard %v, want %q", where, clip, link)
		}
		if got := fmt.Sprintf("%T", clip); got != "tea.setClipboardMsg" {
			t.Errorf("y on the %s sent a %s", where, got)
		}
		h.MustShow("Link copied")
	}
}

// clipboard runs cmd and returns the clipboard message it yields, if any.
func clipboard(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	for _, msg := range uitest.Run(t, cmd).Msgs {
		if strings.Contains(fmt.Sprintf("%T", msg), "Clipboard") {
			return msg
		}
	}
	return nil
}

// A link the browser would refuse is never drawn, shown or copied: the
// screen says why. (The link checkout builds is always checked; this one
// stands for any that is not.)
func TestQRRefusesUnsafeLink(t *testing.T) {
	for _, bad := range []string{"http://shop.example.com/cart/mug-blue:1", "javascript:alert(1)//mug-blue:1", "https://user:pw@shop.example.com/cart/mug-blue:1"} {
		t.Run(bad, func(t *testing.T) {
			h := inCart(t, 80, 24, false)
			h.M.Stick(live.Notice{Key: noticeCheckout, Kind: live.StatusInfo, Text: "check out", Link: bad})
			h.M.mode = modeQR
			h.Fits()
			if rows := codeRows(h.View()); len(rows) != 0 {
				t.Errorf("a refused link drawn:\n%s", h.View())
			}
			h.mustShowWrapped("This checkout link is not drawn, copied or shown, as it would not be opened")
			if strings.Contains(squash(h.View()), squash(bad)) {
				t.Errorf("the refused link is shown:\n%s", h.View())
			}
			if clip := clipboard(t, h.Press("y")); clip != nil {
				t.Errorf("a refused link copied: %v", clip)
			}
			h.MustShow("Not copied")
		})
	}
	// A show whose checkout template is refused has no code at all.
	h := inCart(t, 80, 24, false)
	h.M.Show.Checkout = "http://shop.example.com/cart/{items}"
	h.PressSettle("o")
	if h.M.mode != modeShow || len(codeRows(h.View())) != 0 {
		t.Errorf("a refused template drew a code:\n%s", h.View())
	}
	h.MustShow("Cannot check out")
}

// TestGoldenQR: the code at 80x24, and at 50x15, where it does not fit.
func TestGoldenQR(t *testing.T) {
	uitest.EachSize(t, [][2]int{{80, 24}, {50, 15}}, func(t *testing.T, width, height int) {
		h := inCart(t, width, height, false)
		h.PressSettle("o")
		h.expireToast()
		h.Golden(fmt.Sprintf("qr_%dx%d", width, height))
	})
}

// The QR view fills the screen exactly at any size, from one too small for
// anything but the caption to a wide one, and either draws a code that
// scans or says the screen is too small for one.
func TestQRViewFitsEverySize(t *testing.T) {
	uitest.EachSize(t, [][2]int{{10, 3}, {20, 6}, {40, 12}, {60, 20}, {99, 30}, {200, 60}}, func(t *testing.T, width, height int) {
		h := inCart(t, width, height, true)
		h.PressSettle("o")
		if h.M.mode != modeQR {
			t.Fatal("o did not open the code")
		}
		h.Fits()
		h.Press("y")
		h.Fits()
		want := "http://127.0.0.1:7420/cart/mug-blue:1,mug-green:1,scarf-red:1"
		switch got, _, ok := scan(t, h.View(), true); {
		case ok && got != want:
			t.Errorf("the code reads %q", got)
		case !ok && height > 8 && !strings.Contains(squash(h.View()), squash("This screen is too small")):
			t.Errorf("no code, and no word why:\n%s", h.View())
		case width >= 99 && !ok:
			t.Errorf("no code at %dx%d", width, height)
		}
		// With room to spare, each module is a square of cells: the
		// 41 modules of this code and its quiet zone take 41 rows, not
		// 21.
		if rows := codeRows(h.View()); width == 200 && len(rows) != 41 {
			t.Errorf("at 200x60 the code takes %d rows, want 41 (modules twice as large)", len(rows))
		}
	})
}

// A link as long as a real shop's (https, a referral, the total seen)
// still scans at 80x24: its two rows of link take the caption's row.
func TestQRLongLinkAt80x24(t *testing.T) {
	h := inCart(t, 80, 24, true)
	h.M.Show.Checkout = "https://shop.example.com/cart/{items}?ref=k-240236fcef0f789a&seen={total}"
	h.expireToast()
	h.PressSettle("o")
	h.Fits()
	want := "https://shop.example.com/cart/mug-blue:1,mug-green:1,scarf-red:1?ref=k-240236fcef0f789a&seen=8700"
	if h.M.checkoutLink() != want {
		t.Fatalf("link %q", h.M.checkoutLink())
	}
	if got, _, ok := scan(t, h.View(), true); !ok || got != want {
		t.Fatalf("the code reads %q, %v:\n%s", got, ok, h.View())
	}
	h.mustShowWrapped(want)
	h.MustNotShow("Scan with your phone's camera")
	h.MustShow("o/esc close")
	// With no row to spare, y's answer takes the help's while it shows.
	h.PressSettle("y")
	h.Fits()
	h.MustShow("Link copied")
	h.expireToast()
	h.MustShow("o/esc close")
	if got, _, ok := scan(t, h.View(), true); !ok || got != want {
		t.Errorf("after y the code reads %q, %v", got, ok)
	}
}
