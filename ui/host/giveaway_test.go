package host

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// Hashes of a test draw: 64 hex digits each.
var (
	testCommitment = strings.Repeat("3f2a9c1e", 8)
	testEntrants   = strings.Repeat("b7", 32)
	testSeed       = strings.Repeat("0d", 32)
)

const testRecord = "http://127.0.0.1:7420/giveaways/g1.json"

// mugGiveaway is a giveaway of the green mug with 31 seconds of entry left
// by the server's clock and entrants in it.
func mugGiveaway(id string, entrants int) protocol.Giveaway {
	return protocol.Giveaway{ID: id, ProductID: "mug", VariantID: "mug-green", EndsAt: uitest.T0.Add(31 * time.Second),
		Entrants: entrants, State: protocol.GiveawayOpen, Commitment: testCommitment}
}

// drawn is g drawn, won by who, entry index of its entrants.
func drawn(g protocol.Giveaway, who protocol.Identity, index int) protocol.Giveaway {
	g.State, g.EntrantsHash, g.Seed, g.WinnerIndex, g.Winner, g.Record = protocol.GiveawayDrawn, testEntrants, testSeed, index, &who, testRecord
	return g
}

func (h *harness) giveaway(seq uint64, g protocol.Giveaway) {
	h.T.Helper()
	h.Events(h.env(protocol.TypeGiveaway, seq, g))
}

func TestStartGiveaway(t *testing.T) {
	cases := []struct {
		product, in string
		want        protocol.StartGiveaway
	}{
		{"mug", "60s", protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 60}},
		{"mug", "2m buyers", protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 120, BuyersOnly: true}},
		{"mug", "Buyers 90s green", protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-green", Seconds: 90, BuyersOnly: true}},
		{"mug", "5m", protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 300}},
		{"candle", "10", protocol.StartGiveaway{ProductID: "candle", VariantID: "candle-fig", Seconds: 10}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.selectProduct(c.product)
			h.PressSettle("g")
			if h.M.mode != modePrompt || h.M.prompt.kind != promptGiveaway {
				t.Fatal("g did not open the giveaway prompt")
			}
			h.answer(c.in)
			mustEqual(t, h.lastSent(protocol.TypeStartGiveaway), c.want)
		})
	}
}

// The prompt starts with a minute: enter alone opens one.
func TestGiveawayPromptStartsWithAMinute(t *testing.T) {
	h := joined(t, 100, 30)
	h.selectProduct("scarf")
	h.PressSettle("g")
	h.MustShow("Giveaway of Merino Scarf › 1m", "type to replace")
	h.PressSettle("enter")
	mustEqual(t, h.lastSent(protocol.TypeStartGiveaway), protocol.StartGiveaway{ProductID: "scarf", VariantID: "scarf-red", Seconds: 60})
	h.giveaway(101, protocol.Giveaway{ID: "g1", ProductID: "scarf", VariantID: "scarf-red", EndsAt: uitest.T0.Add(time.Minute),
		State: protocol.GiveawayOpen, Commitment: testCommitment})
	h.MustShow("✓ open a giveaway of Merino Scarf for 1m")
}

func TestBadGiveawayInput(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"too short", "5s", `"5s" is not between 10s and 5m`},
		{"too long", "6m", `"6m" is not between 10s and 5m`},
		{"no length", "buyers", "write how long entry stays open"},
		{"two lengths", "1m 2m", "one length"},
		{"not a duration", "1x", "not a duration"},
		{"unknown word", "1m everyone", `"everyone" is not a length, buyers, or one variant of Speckled Mug`},
		{"sold-out variant", "1m sand", "Speckled Mug (Sand) is sold out"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := joined(t, 80, 24)
			h.selectProduct("mug")
			h.PressSettle("g")
			n := len(h.sess.Sent())
			h.answer(c.in)
			h.mustSendNothing(n)
			if !strings.Contains(h.M.Status.Text, c.want) || !strings.HasPrefix(h.M.Status.Text, "Not sent") {
				t.Errorf("status %q lacks %q", h.M.Status.Text, c.want)
			}
			if h.M.mode != modePrompt {
				t.Error("the prompt closed on a bad answer")
			}
		})
	}
}

// D draws the running giveaway, after a confirmation, by its ID; it
// applies only while a giveaway is open.
func TestDrawGiveaway(t *testing.T) {
	h := joined(t, 120, 40)
	n := len(h.sess.Sent())
	h.PressSettle("D") // nothing to draw
	h.mustSendNothing(n)
	if h.M.mode != modeNormal {
		t.Fatal("D asked to draw with no giveaway open")
	}

	h.giveaway(101, mugGiveaway("g7", 41))
	h.MustShow("D draw")
	h.PressSettle("D")
	if h.M.mode != modeConfirm {
		t.Fatal("D did not ask for confirmation")
	}
	h.MustShow("Draw the giveaway of Speckled Mug (Green) now?", "y draws · n or esc cancels", "y yes, draw")
	h.PressSettle("n")
	h.mustSendNothing(n)
	h.MustShow("Not drawn: the giveaway of Speckled Mug (Green) stays open")

	// Entrants keep coming while the host decides.
	h.PressSettle("tab", "D")
	h.giveaway(102, mugGiveaway("g7", 42))
	h.PressSettle("y")
	mustEqual(t, h.lastSent(protocol.TypeDraw), protocol.Draw{GiveawayID: "g7"})
	if h.M.keysNow().Draw.Enabled() {
		t.Error("D still applies while the draw is on its way")
	}
	h.slowAnswers()
	h.MustShow("sending draw the giveaway of Speckled Mug (Green)…")
	h.giveaway(103, drawn(mugGiveaway("g7", 42), uitest.Dee, 7))
	h.MustNotShow("sending")
	h.MustShow("✓ draw the giveaway of Speckled Mug (Green)")
	if h.M.keysNow().Draw.Enabled() {
		t.Error("D applies to a drawn giveaway")
	}
}

// A draw confirmed after the giveaway closed by itself sends nothing.
func TestDrawAfterTheGiveawayClosed(t *testing.T) {
	h := joined(t, 80, 24)
	h.giveaway(101, mugGiveaway("g7", 3))
	h.PressSettle("D")
	h.giveaway(102, drawn(mugGiveaway("g7", 3), uitest.Ana, 0))
	n := len(h.sess.Sent())
	h.PressSettle("y")
	h.mustSendNothing(n)
	h.MustShow("no longer open")
}

func TestGiveawayPanel(t *testing.T) {
	h := joined(t, 120, 40)
	g := mugGiveaway("g7", 41)
	g.BuyersOnly = true
	h.giveaway(101, g)
	h.MustShow("─ Giveaway Speckled Mug (Green) · buyers only", "41 entered · 0:31 left · D draws now",
		"commitment 3f2a9c1e3f2a9c1e")
	h.Send(h.tk.LastClock(t, uitest.T0.Add(10*time.Second)))
	h.MustShow("0:21 left")

	h.giveaway(102, drawn(g, uitest.Dee, 7))
	h.MustShow("WON by dee · entry 8 of 41", "check: livecart verify "+testRecord)
	line := "giveaway: dee wins Speckled Mug (Green), entry 8 of 41 · anyone can check the draw: livecart verify " + testRecord
	if !chatHas(h, line) {
		t.Errorf("the chat lacks %q", line)
	}

	void := mugGiveaway("g8", 0)
	void.State = protocol.GiveawayVoid
	h.giveaway(103, void)
	h.MustShow("no entrants · nothing drawn")

	// Void with entrants: its server restarted while it was open.
	restarted := mugGiveaway("g9", 4)
	restarted.State = protocol.GiveawayVoid
	h.giveaway(104, restarted)
	h.MustShow("nothing drawn")
	if !chatHas(h, "giveaway of Speckled Mug (Green): nothing drawn") {
		t.Error("the chat does not say the giveaway with entrants ended with nothing drawn")
	}
}

func TestGiveawayPanelNarrow(t *testing.T) {
	h := joined(t, 80, 24)
	h.giveaway(101, mugGiveaway("g7", 41))
	h.MustShow("Giveaway Speckled Mug (Green) · 41 entered · 0:31 left · D draws now")
	h.giveaway(102, drawn(mugGiveaway("g7", 41), uitest.Dee, 7))
	h.MustShow("Giveaway Speckled Mug (Green) · WON by dee · entry 8 of 41", "check: livecart verify "+testRecord)
}

// chatHas reports whether the chat holds a line with this text, however
// it is wrapped on screen.
func chatHas(h *harness, text string) bool {
	var all strings.Builder
	for _, r := range h.M.chat.Rows() {
		all.WriteString(strings.TrimRight(ansi.Strip(r.Text), " "))
		all.WriteString(" ")
	}
	return strings.Contains(strings.Join(strings.Fields(all.String()), " "), text)
}
