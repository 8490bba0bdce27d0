package viewer

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// testOrder is an order of two mugs and a scarf.
func testOrder() protocol.Order {
	return protocol.Order{
		ID: "cosy-o7",
		Lines: []protocol.OrderLine{
			{ProductID: "mug", VariantID: "mug-blue", Name: "Speckled Mug", Variant: "Blue", Unit: money.New(2400, "USD"), Qty: 2},
			{ProductID: "scarf", VariantID: "scarf-red", Name: "Merino Scarf", Variant: "Red", Unit: money.New(3900, "USD"), Qty: 1},
		},
		Total: money.New(8700, "USD"),
	}
}

// purchase is the show's announcement of one line of an order.
func purchase(t *testing.T, seq uint64, buyer string, l protocol.OrderLine) protocol.Envelope {
	return uitest.Env(t, protocol.TypePurchase, seq, protocol.Purchase{
		Buyer: buyer, ProductID: l.ProductID, ProductName: l.Name, VariantID: l.VariantID, Qty: l.Qty})
}

const orderText = "You bought 2 × Speckled Mug (Blue), 1 × Merino Scarf (Red) · total $87.00 · order cosy-o7"

// The viewer's own order: a confirmation that lists it all and stays past
// any toast until esc; the show's announcements of it are not news of a
// stranger's purchase, whether they come before the order or after.
func TestOwnOrderStaysUntilDismissed(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		for _, purchasesFirst := range []bool{false, true} {
			h := joined(t, width, height)
			o := testOrder()
			order := uitest.Env(t, protocol.TypeOrder, 0, o)
			mine := []protocol.Envelope{purchase(t, 101, "me", o.Lines[0]), purchase(t, 102, "me", o.Lines[1])}
			if purchasesFirst {
				h.Events(mine...)
				h.Events(order)
			} else {
				h.Events(order)
				h.Events(mine...)
			}
			h.MustNotShow("just bought")
			h.mustShowWrapped(orderText)
			h.MustShow("esc dismiss")
			h.Fits()

			// A stranger's purchase of the same is news, and a toast that goes.
			h.Events(purchase(t, 103, "ana", o.Lines[0]))
			h.MustShow("ana just bought Speckled Mug")
			h.expireToast()
			h.MustNotShow("just bought")
			h.mustShowWrapped(orderText)

			h.PressSettle("esc")
			h.MustNotShow("You bought", "esc dismiss")
			h.Fits()
		}
	})
}

// An order's purchases are the viewer's own by the order too, when the
// show announces them under another name than the viewer's now (a
// checkout link opened from an earlier session).
func TestOwnPurchaseKnownByTheOrder(t *testing.T) {
	h := joined(t, 80, 24)
	o := testOrder()
	h.Events(uitest.Env(t, protocol.TypeOrder, 0, o))
	h.Events(purchase(t, 101, "me-before", o.Lines[0]), purchase(t, 102, "me-before", o.Lines[1]))
	h.MustNotShow("just bought")
	// Each line counts once: the same again is someone else's.
	h.Events(purchase(t, 103, "me-before", o.Lines[1]))
	h.MustShow("me-before just bought Merino Scarf")
}

// Units bought at two prices (a deal's, and the regular one over its
// limit) are two lines of the order but one thing bought, and the show
// announces them as one purchase: the notice says so once, and that
// purchase is known as the viewer's own.
func TestOrderAtTwoPricesIsOneThingBought(t *testing.T) {
	h := joined(t, 80, 24)
	o := testOrder()
	deal := o.Lines[0]
	deal.Unit, deal.Qty = money.New(1900, "USD"), 1
	regular := o.Lines[0]
	regular.Qty = 2
	o.Lines = []protocol.OrderLine{deal, regular}
	o.Total = money.New(6700, "USD")
	h.Events(uitest.Env(t, protocol.TypeOrder, 0, o))
	h.MustShow("You bought 3 × Speckled Mug (Blue) · total $67.00")
	bought := regular
	bought.Qty = 3
	h.Events(purchase(t, 101, "me-before", bought))
	h.MustNotShow("just bought")
}

// Once an order takes everything out of the cart, its checkout link goes.
func TestOrderTakesTheCheckoutLinkDown(t *testing.T) {
	h := joined(t, 80, 24, func(o *Options) { o.OpenBrowser = false })
	h.PressSettle("a")
	h.PressSettle("x")
	if h.M.checkoutLink() == "" {
		t.Fatal("no checkout link")
	}
	o := testOrder()
	o.Lines = o.Lines[:1]
	o.Lines[0].Qty = 1
	h.Events(uitest.Env(t, protocol.TypeOrder, 0, o))
	if h.M.checkoutLink() != "" {
		t.Error("the checkout link of an ordered cart is still up")
	}
	h.MustShow("You bought 1 × Speckled Mug (Blue)")
}

// A line the show refuses goes back into the input, to be edited; an
// error that is not about a line in flight is only a toast.
func TestRefusedLineGoesBackToTheInput(t *testing.T) {
	for _, e := range []protocol.Error{
		{Code: protocol.ErrCodeBadRequest, Message: "message blocked"},
		{Code: protocol.ErrCodeForbidden, Message: "you are timed out for 4m 59s"},
		{Code: protocol.ErrCodeRateLimited, Message: "more than 2 chat lines a second; slow down"},
	} {
		t.Run(e.Code, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.typeLine("buy the  mug!")
			h.Press("esc")
			if got := h.sess.Says(); len(got) != 1 {
				t.Fatalf("said %q", got)
			}
			h.Events(uitest.Env(t, protocol.TypeError, 0, e))
			if got := h.M.input.Value(); got != "buy the mug!" {
				t.Errorf("input holds %q, want the refused line", got)
			}
			h.MustShow("Not sent, back in the input: " + e.Message)
			h.Fits()
			// Enter edits it, and sends it again.
			h.Press("enter")
			h.Send(tea.PasteMsg{Content: " please"})
			h.PressSettle("enter")
			if got := h.sess.Says(); len(got) != 2 || got[1] != "buy the mug! please" {
				t.Errorf("said %q", got)
			}
		})
	}
	t.Run("echoed", func(t *testing.T) {
		h := joined(t, 80, 24)
		h.typeLine("hello")
		h.Press("esc")
		h.Events(uitest.Env(t, protocol.TypeChat, 101, protocol.Chat{ID: "n1", Author: uitest.Viewer("u-me", "me"), Text: "hello"}))
		// The line was accepted: a later error is not its answer.
		h.Events(uitest.Env(t, protocol.TypeError, 0, protocol.Error{Code: protocol.ErrCodeBadRequest, Message: "no such thing"}))
		if got := h.M.input.Value(); got != "" {
			t.Errorf("input holds %q", got)
		}
		h.MustShow("Server: no such thing")
	})
	t.Run("input in use", func(t *testing.T) {
		h := joined(t, 80, 24)
		h.typeLine("first")
		h.Send(tea.PasteMsg{Content: "second, half typed"})
		h.Events(uitest.Env(t, protocol.TypeError, 0, protocol.Error{Code: protocol.ErrCodeBadRequest, Message: "message blocked"}))
		if got := h.M.input.Value(); got != "second, half typed" {
			t.Errorf("input holds %q, want what was being typed", got)
		}
		h.MustShow("not sent: first")
	})
}

// A line typed offline and refused once it is sent comes back too.
func TestRefusedLineFromOfflineGoesBack(t *testing.T) {
	h := joined(t, 80, 24)
	h.drop(fmt.Errorf("the link went silent"), 1, 2*time.Second)
	h.typeLine("typed offline")
	h.Press("esc")
	h.Updates(uitest.Connecting(2), resumed(100, 140))
	if got := h.sess.Says(); len(got) != 1 || got[0] != "typed offline" {
		t.Fatalf("said %q", got)
	}
	h.Events(uitest.Env(t, protocol.TypeError, 0, protocol.Error{Code: protocol.ErrCodeBadRequest, Message: "message blocked"}))
	if got := h.M.input.Value(); got != "typed offline" {
		t.Errorf("input holds %q", got)
	}
}

// slowShow is a joined show in slow mode, one line per 10s, on a clock
// the test fires.
func slowShow(t *testing.T, w, ht int) (*harness, *uitest.Ticker) {
	tk := &uitest.Ticker{}
	h := joined(t, w, ht, func(o *Options) { o.Tick = tk.Tick })
	h.Events(uitest.Env(t, protocol.TypeSettings, 101, protocol.Settings{SlowModeSeconds: 10}))
	return h, tk
}

// In slow mode the input counts down to the next line on the core's
// clock, and a line sent before then stays in the input rather than go
// to be refused.
func TestSlowModeCountsDown(t *testing.T) {
	h, tk := slowShow(t, 80, 24)
	h.MustShow("slow mode: one line per 10s")
	h.typeLine("first")
	h.MustShow("slow mode · next line in 10s")
	h.Send(tk.LastClock(t, uitest.T0.Add(3*time.Second)))
	h.MustShow("slow mode · next line in 7s")

	h.Send(tea.PasteMsg{Content: "second"})
	h.PressSettle("enter")
	if got := h.sess.Says(); len(got) != 1 {
		t.Fatalf("said %q, want the second line kept", got)
	}
	if h.M.input.Value() != "second" {
		t.Errorf("input holds %q", h.M.input.Value())
	}
	h.MustShow("slow mode · next line in 7s › second", "Slow mode: your line waits in the input")
	h.Fits()

	h.Send(tk.LastClock(t, uitest.T0.Add(10*time.Second)))
	h.MustShow("› second")
	h.MustNotShow("next line in")
	h.PressSettle("enter")
	if got := h.sess.Says(); len(got) != 2 || got[1] != "second" {
		t.Errorf("said %q", got)
	}
	clocks := len(tk.Clocks())
	h.Send(tk.LastClock(t, uitest.T0.Add(20*time.Second)))
	if len(tk.Clocks()) != clocks {
		t.Error("the clock ticks on after the wait")
	}
}

// At 50 columns the slow mode's rule is whole in the input, if nothing
// else is.
func TestSlowModeRuleAtFiftyColumns(t *testing.T) {
	h, _ := slowShow(t, 50, 15)
	h.MustShow("› slow mode: one line per 10s")
	h.Fits()
}

// The wait is counted from the show's stamp on the line when it comes
// back, the show's own clock.
func TestSlowModeCountsFromTheEcho(t *testing.T) {
	h, tk := slowShow(t, 80, 24)
	h.typeLine("first")
	h.Press("esc")
	h.Updates(uitest.EventsUpdate(stamped(t, protocol.TypeChat, 102, uitest.T0.Add(2*time.Second),
		protocol.Chat{ID: "n1", Author: uitest.Viewer("u-me", "me"), Text: "first"})))
	h.MustShow("slow mode · next line in 10s")
	// The show's clock is 2s ahead of this machine's: 3s on, it says 5s.
	h.Send(tk.LastClock(t, uitest.T0.Add(3*time.Second)))
	h.MustShow("slow mode · next line in 7s")
}

// A slow-mode refusal this screen did not see coming (a line sent before a
// reconnect) puts the line back and waits the whole interval.
func TestSlowModeRefusalStartsTheWait(t *testing.T) {
	h, _ := slowShow(t, 80, 24)
	h.M.nextLine = time.Time{} // as if the last line went in an earlier session
	h.typeLine("again")
	h.M.nextLine = time.Time{}
	h.Events(uitest.Env(t, protocol.TypeError, 0, protocol.Error{Code: protocol.ErrCodeRateLimited, Message: "slow mode: wait 6s"}))
	if h.M.input.Value() != "again" {
		t.Errorf("input holds %q", h.M.input.Value())
	}
	h.MustShow("slow mode · next line in 10s › again", "Not sent, back in the input: slow mode: wait 6s")
}

// A viewer the show renames is told why, in a notice that stays and is
// never cut.
func TestRenamedViewerIsToldWhy(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := newHarness(t, width, height, func(o *Options) { o.Name = "Maya" })
		w := testWelcome()
		w.You = uitest.Viewer("u-42", "viewer-0042")
		h.Join(w, 100)
		h.mustShowWrapped("The name Maya is taken by the host or looks like it (or like the show's staff); you are viewer-0042 in this show")
		h.Fits()
		h.expireToast()
		h.mustShowWrapped("you are viewer-0042")
		h.PressSettle("esc")
		h.MustNotShow("viewer-0042")

		// A later session under the same name says nothing new; another
		// name does.
		h.Updates(uitest.Snapshot(w, 200, false))
		h.MustNotShow("viewer-0042")
		w.You.Name = "viewer-0057"
		h.Updates(uitest.Snapshot(w, 300, false))
		h.mustShowWrapped("you are viewer-0057")
	})
	// The name asked for, cleaned as the show cleans it, is no rename.
	h := newHarness(t, 80, 24, func(o *Options) { o.Name = " me " })
	h.Join(testWelcome(), 100)
	if len(h.M.Notices) != 0 {
		t.Errorf("notices = %+v", h.M.Notices)
	}
}

// A damaged cart, a cart open in another livecart: notices that stay, are
// whole at 50 columns, and go one at a time with esc, while ordinary
// toasts still expire.
func TestCartNoticesStayWhole(t *testing.T) {
	path := "/home/someone-with-a-long-name/.local/share/livecart/carts/cosy-127-0-0-1-ea46150994a6.json"
	damaged := &cart.DamagedError{Path: path, MovedTo: path + ".damaged-1796619414", Reason: "not a cart file: unexpected end of JSON input"}
	locked := &cart.LockedError{Path: path, PID: 4242}
	h := joined(t, 50, 15)
	h.Send(cartLoadedMsg{key: testCartKey, err: damaged, opened: true, saving: true})
	h.Send(cartLoadedMsg{key: testCartKey, err: fmt.Errorf("open cart %s: %w", path, locked)})
	h.mustShowWrapped(
		"! The cart for this show is open in another livecart (pid 4242) · changes to the cart here are not saved; quit the other one and start again to keep them",
		"+1 more notice · esc shows the next")
	h.Fits()
	h.M.Notify(live.StatusInfo, "Added a mug")
	h.MustShow("Added a mug")
	h.expireToast()
	h.mustShowWrapped("open in another livecart (pid 4242)")

	h.PressSettle("esc")
	h.mustShowWrapped("! Your saved cart was damaged (not a cart file: unexpected end of JSON input), so this show starts with an empty cart; the file was kept at " + damaged.MovedTo)
	h.MustNotShow("more notice")
	h.Fits()
	h.PressSettle("esc")
	h.MustNotShow("damaged", "esc dismiss")
	// esc with no notice up does nothing it did not do before.
	h.PressSettle("esc")
	h.Fits()
}

// esc belongs to the chat input and the cart while they are open: a
// notice waits for them to close.
func TestEscClosesBeforeItDismisses(t *testing.T) {
	h := joined(t, 80, 24)
	h.M.Stick(live.Notice{Key: "x", Kind: live.StatusInfo, Text: "a notice"})
	h.Press("c")
	h.MustNotShow("esc dismiss")
	h.Press("esc")
	if h.M.mode != modeShow || len(h.M.Notices) != 1 {
		t.Fatalf("esc in the cart: mode %v, notices %d", h.M.mode, len(h.M.Notices))
	}
	h.Press("enter")
	h.Press("esc")
	if h.M.mode != modeShow || len(h.M.Notices) != 1 {
		t.Fatalf("esc in the input: mode %v, notices %d", h.M.mode, len(h.M.Notices))
	}
	h.Press("esc")
	if len(h.M.Notices) != 0 {
		t.Error("esc did not dismiss the notice")
	}
}

// A checkout link that could not be opened is shown whole, wrapped, as an
// OSC 8 hyperlink: its text is still there to copy without OSC 8.
func TestCheckoutLinkWholeAndAHyperlink(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := joined(t, width, height)
		h.opener.err = fmt.Errorf("no DISPLAY")
		for _, pin := range []protocol.Pin{{ProductID: "mug", VariantID: "mug-blue"}, {ProductID: "mug", VariantID: "mug-green"}, {ProductID: "scarf", VariantID: "scarf-red"}} {
			h.Events(uitest.Env(t, protocol.TypePin, 101, pin))
			h.PressSettle("a")
		}
		h.PressSettle("x")
		link := "http://127.0.0.1:7420/cart/mug-blue:1,mug-green:1,scarf-red:1"
		h.Fits()
		h.mustShowWrapped("No browser could be opened · open, copy (y) or scan (o) this link to check out · your cart is kept until you order", link)
		raw := h.M.View().Content
		if !strings.Contains(raw, ansi.SetHyperlink(link, "id=")[:len("\x1b]8;id=")]) || !strings.Contains(raw, ";"+link+"\x07") {
			t.Errorf("the link is not a hyperlink:\n%q", raw)
		}
		// Row by row, the link's text is there as it is: no row holds
		// anything but a piece of it.
		var pieces []string
		for _, row := range strings.Split(h.View(), "\n") {
			if r := strings.TrimRight(row, " "); strings.HasPrefix(link, strings.Join(pieces, "")+r) && r != "" {
				pieces = append(pieces, r)
			}
		}
		if strings.Join(pieces, "") != link {
			t.Errorf("the link's rows join to %q, want %q", strings.Join(pieces, ""), link)
		}
	})
}
