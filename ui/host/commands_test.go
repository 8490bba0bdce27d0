package host

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

func mustEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %#v, want %#v", got, want)
	}
}

// selectProduct moves the catalog selection to the product with this ID.
func (h *harness) selectProduct(id string) {
	h.T.Helper()
	for range len(h.M.Show.Catalog()) {
		h.PressSettle("up")
	}
	for _, p := range h.M.Show.Catalog() {
		if p.ID == id {
			return
		}
		h.PressSettle("down")
	}
	h.T.Fatalf("no product %s", id)
}

func TestPinUnpinPinNext(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("scarf")
	h.PressSettle("p")
	mustEqual(t, h.lastSent(protocol.TypePin), protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"})
	h.slowAnswers()
	h.MustShow("sending pin Merino Scarf (Red)…")

	// The first variant in stock, not the first variant.
	h.selectProduct("mug")
	h.Events(h.env(protocol.TypeProduct, 101, uitest.Product("mug", "Speckled Mug", 2400,
		protocol.Variant{ID: "mug-blue", Name: "Blue", Stock: 0},
		protocol.Variant{ID: "mug-green", Name: "Green", Stock: 4})))
	h.PressSettle("p")
	mustEqual(t, h.lastSent(protocol.TypePin), protocol.Pin{ProductID: "mug", VariantID: "mug-green"})

	h.PressSettle("u")
	mustEqual(t, h.lastSent(protocol.TypeUnpin), protocol.Unpin{})

	// n needs an up-next list, which the metrics carry.
	n := len(h.sess.Sent())
	h.PressSettle("n")
	h.mustSendNothing(n)
	h.metricsEvent(baseMetrics())
	h.PressSettle("n")
	h.lastSent(protocol.TypePinNext)
	h.slowAnswers()
	h.MustShow("sending pin next: Merino Scarf…")
}

func TestPinSoldOutIsRefused(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("lamp")
	n := len(h.sess.Sent())
	h.PressSettle("p")
	h.mustSendNothing(n)
	h.MustShow("every variant of Mushroom Desk Lamp is sold out")
}

func TestQueueEdits(t *testing.T) {
	h := joined(t, 80, 24)
	h.metricsEvent(baseMetrics()) // up next: scarf, candle

	h.selectProduct("mug")
	h.PressSettle("a")
	mustEqual(t, h.lastSent(protocol.TypeQueue), protocol.Queue{ProductIDs: []string{"scarf", "candle", "mug"}})

	// Edits build on the list just asked for, not on the server's older one.
	h.selectProduct("candle")
	h.PressSettle("[")
	mustEqual(t, h.lastSent(protocol.TypeQueue), protocol.Queue{ProductIDs: []string{"candle", "scarf", "mug"}})
	h.PressSettle("]")
	mustEqual(t, h.lastSent(protocol.TypeQueue), protocol.Queue{ProductIDs: []string{"scarf", "candle", "mug"}})

	h.selectProduct("mug")
	n := len(h.sess.Sent())
	h.PressSettle("]") // already last
	h.mustSendNothing(n)
	h.MustShow("already last in up next")

	h.PressSettle("x")
	mustEqual(t, h.lastSent(protocol.TypeQueue), protocol.Queue{ProductIDs: []string{"scarf", "candle"}})

	// The metrics showing the list answer the command.
	mt := baseMetrics()
	h.metricsEvent(mt)
	h.MustNotShow("sending")
}

func TestStartDeal(t *testing.T) {
	cases := []struct {
		in   string
		want protocol.StartDeal
	}{
		{"20% 5m", protocol.StartDeal{ProductID: "scarf", Percent: 20, Seconds: 300}},
		{"$5 90s 2", protocol.StartDeal{ProductID: "scarf", AmountOff: 500, Seconds: 90, PerBuyer: 2}},
		{"12.50 1m30s", protocol.StartDeal{ProductID: "scarf", AmountOff: 1250, Seconds: 90}},
		{"90% 20m 99", protocol.StartDeal{ProductID: "scarf", Percent: 90, Seconds: 1200, PerBuyer: 99}},
		{"20% 5m 2 code:SUMMER10", protocol.StartDeal{ProductID: "scarf", Percent: 20, Seconds: 300, PerBuyer: 2, Code: "SUMMER10"}},
		{"20% code:live-cart_1 5m", protocol.StartDeal{ProductID: "scarf", Percent: 20, Seconds: 300, Code: "live-cart_1"}},
		{"$5 90s Code:Fall", protocol.StartDeal{ProductID: "scarf", AmountOff: 500, Seconds: 90, Code: "Fall"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.selectProduct("scarf")
			h.PressSettle("f")
			if h.M.mode != modePrompt {
				t.Fatal("f did not open the deal prompt")
			}
			h.answer(c.in)
			mustEqual(t, h.lastSent(protocol.TypeStartDeal), c.want)
			if h.M.mode != modeNormal {
				t.Error("the prompt stayed open after a good answer")
			}
		})
	}
}

// TestBadPromptInput checks that what the server would refuse is refused
// in the UI, with a message, and that nothing is sent.
func TestBadPromptInput(t *testing.T) {
	cases := []struct {
		name, product, key, in, want string
	}{
		{"percent too high", "scarf", "f", "150% 5m", "between 1% and 90%"},
		{"deal too short", "scarf", "f", "20% 10s", "not between 30s and 20m"},
		{"deal too long", "scarf", "f", "20% 21m", "not between 30s and 20m"},
		{"amount off above price", "scarf", "f", "$40 5m", "less than the price"},
		{"no duration", "scarf", "f", "20%", "write the discount"},
		{"bad limit", "scarf", "f", "20% 5m 100", "per-buyer limit"},
		{"discount not money", "scarf", "f", "abc 5m", "not an amount"},
		{"bad code", "scarf", "f", "20% 5m code:A&B", "discount code is 1 to 32"},
		{"empty code", "scarf", "f", "20% 5m code:", "discount code is 1 to 32"},
		{"long code", "scarf", "f", "20% 5m code:" + strings.Repeat("x", 33), "discount code is 1 to 32"},
		{"two codes", "scarf", "f", "20% 5m code:A code:B", "one discount code"},
		{"code alone", "scarf", "f", "20% code:A", "write the discount"},
		{"negative stock", "mug", "i", "blue -3", "cannot be negative"},
		{"stock not a number", "mug", "i", "blue lots", "not a whole number"},
		{"unknown variant", "mug", "i", "purple 3", "no single variant"},
		{"variant missing", "mug", "i", "3", "which variant?"},
		{"price not money", "mug", "$", "abc", "not an amount"},
		{"price too precise", "mug", "$", "24.999", "more than 2 digits"},
		{"negative price", "mug", "$", "-1", "negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.selectProduct(c.product)
			h.PressSettle(c.key)
			n := len(h.sess.Sent())
			h.answer(c.in)
			h.mustSendNothing(n)
			h.MustShow("Not sent")
			if !strings.Contains(h.M.Status.Text, c.want) {
				t.Errorf("status %q lacks %q", h.M.Status.Text, c.want)
			}
			if h.M.mode != modePrompt {
				t.Error("the prompt closed on a bad answer; the host has to type it all again")
			}
			h.PressSettle("esc")
			if h.M.mode != modeNormal {
				t.Error("esc did not close the prompt")
			}
			h.mustSendNothing(n)
		})
	}
}

func TestEndDeal(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("scarf")
	n := len(h.sess.Sent())
	h.PressSettle("e") // no deal running: the key does not apply
	h.mustSendNothing(n)

	scarf := uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: uitest.T0.Add(5 * time.Minute)}
	h.Events(h.env(protocol.TypeProduct, 101, scarf))
	h.PressSettle("e")
	mustEqual(t, h.lastSent(protocol.TypeEndDeal), protocol.EndDeal{ProductID: "scarf"})
	h.slowAnswers()
	h.MustShow("sending end the deal on Merino Scarf…")

	// The product without its deal answers it.
	scarf.Deal = nil
	h.Events(h.env(protocol.TypeProduct, 102, scarf))
	h.MustNotShow("sending")
	h.MustShow("✓ end the deal on Merino Scarf")
}

func TestSetStockAndPrice(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("mug")
	h.PressSettle("i")
	h.answer("blue 20")
	mustEqual(t, h.lastSent(protocol.TypeSetStock), protocol.SetStock{VariantID: "mug-blue", Stock: 20})
	h.PressSettle("i")
	h.answer("mug-green 0")
	mustEqual(t, h.lastSent(protocol.TypeSetStock), protocol.SetStock{VariantID: "mug-green", Stock: 0})

	h.selectProduct("scarf") // one variant: the number alone will do
	h.PressSettle("i")
	h.answer("9")
	mustEqual(t, h.lastSent(protocol.TypeSetStock), protocol.SetStock{VariantID: "scarf-red", Stock: 9})

	h.selectProduct("mug")
	h.PressSettle("$")
	if got := h.M.input.Value(); got != "24.00" {
		t.Errorf("price prompt starts with %q, want the current price 24.00", got)
	}
	h.answer("26.5")
	mustEqual(t, h.lastSent(protocol.TypeSetPrice), protocol.SetPrice{ProductID: "mug", Price: money.New(2650, "USD")})
	h.PressSettle("$")
	h.answer("$1200")
	mustEqual(t, h.lastSent(protocol.TypeSetPrice), protocol.SetPrice{ProductID: "mug", Price: money.New(120000, "USD")})
}

// chatFocus moves to the chat pane and selects the line with this ID.
func (h *harness) chatFocus(id string) {
	h.T.Helper()
	if h.M.focus != paneChat {
		h.PressSettle("tab")
	}
	for range 100 {
		if l, ok := h.M.chat.Selected(); ok && l.ID == id {
			return
		}
		h.PressSettle("up")
	}
	h.T.Fatalf("could not select chat line %s", id)
}

func TestModeration(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("tab")
	if l, ok := h.M.chat.Selected(); !ok || l.ID != "c10" {
		t.Fatalf("tab selected %+v, want the newest line c10", l)
	}
	h.chatFocus("c08")
	h.PressSettle("d")
	mustEqual(t, h.lastSent(protocol.TypeDeleteChat), protocol.DeleteChat{ID: "c08"})

	h.PressSettle("t")
	if got := h.M.input.Value(); got != "5m" {
		t.Errorf("timeout prompt starts with %q, want 5m", got)
	}
	h.PressSettle("enter")
	mustEqual(t, h.lastSent(protocol.TypeTimeout), protocol.Timeout{UserID: "u-bo", Seconds: 300})

	h.PressSettle("t")
	h.answer("90s")
	mustEqual(t, h.lastSent(protocol.TypeTimeout), protocol.Timeout{UserID: "u-bo", Seconds: 90})

	n := len(h.sess.Sent())
	h.PressSettle("t")
	h.answer("25h")
	h.mustSendNothing(n)
	h.PressSettle("esc")

	// A ban asks first; anything but y cancels.
	h.PressSettle("b")
	if h.M.mode != modeConfirm {
		t.Fatal("b did not ask for confirmation")
	}
	h.MustShow("Ban bo from the show")
	h.mustSendNothing(n)
	h.PressSettle("n")
	h.mustSendNothing(n)
	h.MustShow("Ban cancelled")
	h.PressSettle("b", "y")
	mustEqual(t, h.lastSent(protocol.TypeBan), protocol.Ban{UserID: "u-bo"})
}

func TestHostLinesCannotBeTimedOutOrBanned(t *testing.T) {
	h := joined(t, 80, 24)
	h.chatFocus("c06") // Maya, the host
	n := len(h.sess.Sent())
	h.PressSettle("t", "b")
	h.mustSendNothing(n)
	if h.M.mode != modeNormal {
		t.Errorf("mode %d, want no prompt for the host's own line", h.M.mode)
	}
	h.PressSettle("d") // but the host may delete their own line
	mustEqual(t, h.lastSent(protocol.TypeDeleteChat), protocol.DeleteChat{ID: "c06"})
}

func TestSlowModeAndBlockedWords(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("s")
	h.answer("30")
	mustEqual(t, h.lastSent(protocol.TypeSlowMode), protocol.SlowMode{Seconds: 30})
	h.PressSettle("s")
	h.answer("2m")
	mustEqual(t, h.lastSent(protocol.TypeSlowMode), protocol.SlowMode{Seconds: 120})
	h.PressSettle("s")
	h.answer("off")
	mustEqual(t, h.lastSent(protocol.TypeSlowMode), protocol.SlowMode{Seconds: 0})

	n := len(h.sess.Sent())
	for _, bad := range []string{"900", "-3", "soon"} {
		h.PressSettle("s")
		h.answer(bad)
		h.mustSendNothing(n)
		h.MustShow("Not sent")
		h.PressSettle("esc")
	}

	h.PressSettle("w")
	h.answer("spam, Spam ,  scam,,")
	mustEqual(t, h.lastSent(protocol.TypeBlockedWords), protocol.BlockedWords{Words: []string{"spam", "scam"}})

	// The prompt starts from the server's list, and an empty one clears it.
	mt := baseMetrics()
	mt.BlockedWords = []string{"spam", "scam"}
	h.metricsEvent(mt)
	h.PressSettle("w")
	if got := h.M.input.Value(); got != "spam, scam" {
		t.Errorf("blocked words prompt starts with %q", got)
	}
	h.answer("")
	mustEqual(t, h.lastSent(protocol.TypeBlockedWords), protocol.BlockedWords{Words: []string{}})

	n = len(h.sess.Sent())
	h.PressSettle("w")
	h.answer(strings.Repeat("x", 41))
	h.mustSendNothing(n)
}

func TestHostChats(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("enter")
	if h.M.mode != modeTyping {
		t.Fatal("enter did not open the chat input")
	}
	h.TypeText("thanks for joining! q and ? are text here")
	h.PressSettle("enter")
	mustEqual(t, h.lastSent(protocol.TypeSay), protocol.Say{Text: "thanks for joining! q and ? are text here"})
	h.slowAnswers()
	h.MustShow("sending your chat line…")

	// The line coming back answers it.
	h.Events(h.env(protocol.TypeChat, 101, protocol.Chat{ID: "c11", Author: hostID, Text: "thanks for joining!"}))
	h.MustNotShow("sending")
	h.PressSettle("esc")
	if h.M.mode != modeNormal {
		t.Error("esc did not leave the chat input")
	}
}

func TestSendFailureIsShown(t *testing.T) {
	h := joined(t, 80, 24)
	h.sess.FailSends(client.ErrOffline)
	h.PressSettle("u")
	h.MustShow("Not sent: unpin · not connected to the show")
	h.MustNotShow("sending")
}

func TestCommandKeysNeedTheLink(t *testing.T) {
	h := joined(t, 80, 24)
	h.Updates(uitest.Waiting(errLinkSilent, 2, uitest.T0.Add(4*time.Second)))
	n := len(h.sess.Sent())
	h.PressSettle("p", "u", "f", "i", "$", "s", "w")
	h.mustSendNothing(n)
	if h.M.mode != modeNormal {
		t.Error("a prompt opened while offline")
	}
	h.MustShow("reconnecting · attempt 2 in 4s")
}
