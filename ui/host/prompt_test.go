package host

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// scarfDeal puts a deal of 20% off, 2 per buyer, with 4:32 to go on the
// scarf.
func (h *harness) scarfDeal(code ...string) {
	h.T.Helper()
	scarf := uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7})
	scarf.Deal = &protocol.Deal{Price: money.New(3120, "USD"), Percent: 20, EndsAt: uitest.T0.Add(4*time.Minute + 32*time.Second), PerBuyer: 2}
	if len(code) > 0 {
		scarf.Deal.Code = code[0]
	}
	h.Events(h.env(protocol.TypeProduct, 101, scarf))
}

// A prompt that starts from the current value shows it, and the first
// character typed replaces it rather than being added to it ("$" then
// "25.00" used to read "24.0025.00").
func TestTypingReplacesThePromptsValue(t *testing.T) {
	cases := []struct {
		name, product, key string
		setup              func(h *harness)
		prefill, shows     string // the input on opening, and the line after typing
		typed              string
		want               any
	}{
		{name: "price", product: "mug", key: "$", prefill: "24.00", typed: "25.00",
			shows: "Price of Speckled Mug: $24.00 → $25.00",
			want:  protocol.SetPrice{ProductID: "mug", Price: money.New(2500, "USD")}},
		{name: "slow mode", key: "s", prefill: "1m40s", typed: "0",
			setup: func(h *harness) { mt := baseMetrics(); mt.SlowModeSeconds = 100; h.metricsEvent(mt) },
			shows: "Slow mode: 1m40s → 0", want: protocol.SlowMode{Seconds: 0}},
		{name: "stock, one variant", product: "scarf", key: "i", prefill: "7", typed: "20",
			shows: "Stock of Merino Scarf: 7 → 20", want: protocol.SetStock{VariantID: "scarf-red", Stock: 20}},
		{name: "stock, the pinned variant", product: "mug", key: "i", prefill: "Blue 12", typed: "green 9",
			shows: "Stock of Speckled Mug: Blue 12 · Sand 0 · Green 4 → green 9",
			want:  protocol.SetStock{VariantID: "mug-green", Stock: 9}},
		{name: "blocked words", key: "w", prefill: "spam, followers", typed: "scam",
			setup: func(h *harness) {
				mt := baseMetrics()
				mt.BlockedWords = []string{"spam", "followers"}
				h.metricsEvent(mt)
			},
			shows: "Blocked words: spam, followers → scam", want: protocol.BlockedWords{Words: []string{"scam"}}},
		{name: "running deal", product: "scarf", key: "f", prefill: "20% 4m32s 2", typed: "10% 5m",
			setup: func(h *harness) { h.scarfDeal() },
			shows: "Deal on Merino Scarf: 20% off, 2 each → 10% 5m",
			want:  protocol.StartDeal{ProductID: "scarf", Percent: 10, Seconds: 300}},
		{name: "running deal with a code", product: "scarf", key: "f", prefill: "20% 4m32s 2 code:SUMMER10", typed: "10% 5m code:FALL",
			setup: func(h *harness) { h.scarfDeal("SUMMER10") },
			shows: "Deal on Merino Scarf: 20% off, 2 each, code SUMMER10 → 10% 5m code:FALL",
			want:  protocol.StartDeal{ProductID: "scarf", Percent: 10, Seconds: 300, Code: "FALL"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := joined(t, 100, 30)
			if c.setup != nil {
				c.setup(h)
			}
			if c.product != "" {
				h.selectProduct(c.product)
			}
			h.PressSettle(c.key)
			if got := h.M.input.Value(); got != c.prefill {
				t.Fatalf("the prompt starts with %q, want %q", got, c.prefill)
			}
			h.MustShow("type to replace")
			h.TypeText(c.typed)
			if got := h.M.input.Value(); got != c.typed {
				t.Fatalf("after typing %q the input holds %q", c.typed, got)
			}
			h.MustShow(c.shows)
			h.MustNotShow("type to replace")
			h.PressSettle("enter")
			mustEqual(t, h.lastSent(typeOf(c.want)), c.want)
		})
	}
}

func typeOf(data any) protocol.Type {
	switch data.(type) {
	case protocol.SetPrice:
		return protocol.TypeSetPrice
	case protocol.SlowMode:
		return protocol.TypeSlowMode
	case protocol.SetStock:
		return protocol.TypeSetStock
	case protocol.BlockedWords:
		return protocol.TypeBlockedWords
	case protocol.StartDeal:
		return protocol.TypeStartDeal
	}
	panic(fmt.Sprintf("no type for %T", data))
}

// Editing keys edit the value the prompt starts with; only text replaces
// it, and a paste is text.
func TestEditingKeysEditThePromptsValue(t *testing.T) {
	h := joined(t, 100, 30)
	h.selectProduct("mug")
	h.PressSettle("$")
	backspace := tea.KeyPressMsg{Code: tea.KeyBackspace}
	h.Settle(h.Send(backspace))
	h.Settle(h.Send(backspace))
	h.TypeText("50")
	if got := h.M.input.Value(); got != "24.50" {
		t.Fatalf("input %q, want 24.50", got)
	}
	h.PressSettle("enter")
	mustEqual(t, h.lastSent(protocol.TypeSetPrice), protocol.SetPrice{ProductID: "mug", Price: money.New(2450, "USD")})

	mt := baseMetrics()
	mt.BlockedWords = []string{"spam"}
	h.metricsEvent(mt)
	h.PressSettle("w", "end")
	h.TypeText(", scam")
	h.PressSettle("enter")
	mustEqual(t, h.lastSent(protocol.TypeBlockedWords), protocol.BlockedWords{Words: []string{"spam", "scam"}})

	h.PressSettle("w")
	h.Settle(h.Send(tea.PasteMsg{Content: "bot, link"}))
	if got := h.M.input.Value(); got != "bot, link" {
		t.Fatalf("input %q after a paste, want the paste alone", got)
	}
	h.PressSettle("esc")

	// Enter alone keeps the value as it is.
	h.selectProduct("scarf")
	h.PressSettle("i", "enter")
	mustEqual(t, h.lastSent(protocol.TypeSetStock), protocol.SetStock{VariantID: "scarf-red", Stock: 7})
}

// The prompt line gives way on a narrow screen: the name goes first, then
// the current value is cut, and the answer keeps room.
func TestPromptLineFitsTheWidth(t *testing.T) {
	p := prompt{label: "Stock of Speckled Mug", short: "Stock", current: "Blue 12 · Sand 0 · Green 4"}
	for _, c := range []struct {
		width int
		want  string
	}{
		{80, "Stock of Speckled Mug: Blue 12 · Sand 0 · Green 4 → "},
		{50, "Stock: Blue 12 · Sand 0 · Green 4 → "},
		{40, "Stock: Blue 12 · Sand 0… → "},
		{20, "Stock › "},
	} {
		if got := p.text(c.width); got != c.want {
			t.Errorf("at %d cells: %q, want %q", c.width, got, c.want)
		}
	}
}

func TestGoldenPricePrompt(t *testing.T) {
	uitest.EachSize(t, [][2]int{{50, 15}, {80, 24}, {160, 50}}, func(t *testing.T, width, height int) {
		h := dashboard(t, width, height)
		h.selectProduct("mug")
		h.PressSettle("$")
		h.TypeText("25")
		h.golden(fmt.Sprintf("price_prompt_%dx%d", width, height))
	})
}

// The blocked words prompt starts from the list just sent, which the
// server shows only in its next metrics.
func TestWordsPromptStartsFromTheListJustSent(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("w")
	h.answer("spam, scam")
	h.PressSettle("w")
	if got := h.M.input.Value(); got != "spam, scam" {
		t.Errorf("the prompt starts with %q, want the list just sent", got)
	}
	h.MustShow("Blocked words: spam, scam → spam, scam")
}

// The current value follows the show while the prompt is open, and so does
// the input while it is untouched: enter keeps the stock as it is now, not
// as it was when the prompt opened.
func TestPromptFollowsTheShow(t *testing.T) {
	h := joined(t, 80, 24)
	h.selectProduct("scarf")
	h.PressSettle("i")
	h.Events(h.env(protocol.TypeProduct, 101, uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 6})))
	h.MustShow("Stock of Merino Scarf: 6 → 6")
	h.TypeText("9")
	h.Events(h.env(protocol.TypeProduct, 102, uitest.Product("scarf", "Merino Scarf", 3900, protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 5})))
	h.MustShow("Stock of Merino Scarf: 5 → 9")
	h.PressSettle("enter")
	mustEqual(t, h.lastSent(protocol.TypeSetStock), protocol.SetStock{VariantID: "scarf-red", Stock: 9})
}
