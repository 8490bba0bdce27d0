package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// Giveaways: the prompt that opens one on the selected product, the key
// that draws it early (after a confirmation), and the panel with its
// entrants, its clock, its winner and what it takes to check the draw.

// buyersWord limits a giveaway to buyers in the prompt.
const buyersWord = "buyers"

// defaultGiveaway is what the giveaway prompt starts with: enter opens a
// giveaway this long.
const defaultGiveaway = "1m"

// verifyCommand is how anyone checks a draw from its published record.
const verifyCommand = "livecart verify "

// giveawayPrompt asks for a giveaway of a unit of the selected product.
func (m Model) giveawayPrompt() (prompt, error) {
	p, ok := m.selected()
	if !ok {
		return prompt{}, nil
	}
	v, ok := m.offerVariant(p)
	if !ok {
		return prompt{}, fmt.Errorf("every variant of %s is sold out · i sets stock", p.Name)
	}
	hint := fmt.Sprintf("how long entry stays open, %s to %s: 60s, 2m · add %s for buyers only",
		durationLabel(int(protocol.MinGiveaway/time.Second)), durationLabel(int(protocol.MaxGiveaway/time.Second)), buyersWord)
	if len(p.Variants) > 1 {
		hint += " · or a variant: " + strings.ToLower(firstWord(v.Name))
	}
	return prompt{kind: promptGiveaway, product: p, label: "Giveaway of " + m.itemName(p.ID, v.ID), short: "Giveaway",
		value: defaultGiveaway, hint: hint}, nil
}

// parseGiveaway reads "LENGTH [buyers] [VARIANT]", such as "60s", "2m
// buyers" or "90s green", into a start_giveaway command for p; the variant
// is def unless one is named.
func parseGiveaway(in string, p protocol.Product, def protocol.Variant) (protocol.StartGiveaway, error) {
	g := protocol.StartGiveaway{ProductID: p.ID, VariantID: def.ID}
	lengthGiven, variant := false, false
	for _, w := range strings.Fields(in) {
		switch {
		case isBuyersWord(w):
			g.BuyersOnly = true
		case isDuration(w):
			if lengthGiven {
				return g, errors.New("give the giveaway one length")
			}
			secs, err := parseSeconds(w, protocol.MinGiveaway, protocol.MaxGiveaway)
			if err != nil {
				return g, fmt.Errorf("giveaway length: %w", err)
			}
			g.Seconds, lengthGiven = secs, true
		default:
			v, ok := findVariant(p, w)
			if !ok || variant {
				return g, fmt.Errorf("%q is not a length, %s, or one variant of %s: %s",
					truncateInput(w), buyersWord, p.Name, variantNames(p))
			}
			if err := inStock(p, v); err != nil {
				return g, err
			}
			g.VariantID, variant = v.ID, true
		}
	}
	if !lengthGiven {
		return g, fmt.Errorf("write how long entry stays open, like 60s or 2m (add %s for buyers only)", buyersWord)
	}
	return g, g.Validate()
}

func isBuyersWord(w string) bool {
	switch strings.ToLower(w) {
	case buyersWord, "buyers-only", "buyers_only", "buyer":
		return true
	}
	return false
}

// submitGiveaway checks the answer to the giveaway prompt and opens it.
func (m Model) submitGiveaway(in string, p protocol.Product) (Model, tea.Cmd) {
	if g, ok := m.giveawayOpen(); ok {
		return m.notify(live.StatusError, "Not sent: one giveaway at a time, and "+m.itemName(g.ProductID, g.VariantID)+" is open")
	}
	def, ok := m.offerVariant(p)
	if !ok {
		return m.notify(live.StatusError, "Not sent: every variant of "+p.Name+" is sold out · i sets stock")
	}
	g, err := parseGiveaway(in, p, def)
	if err != nil {
		return m.notify(live.StatusError, "Not sent: "+err.Error())
	}
	what := fmt.Sprintf("open a giveaway of %s for %s", m.itemName(p.ID, g.VariantID), durationLabel(g.Seconds))
	if g.BuyersOnly {
		what += ", buyers only"
	}
	m.closePrompt()
	return m.send(op{what: what, typ: protocol.TypeStartGiveaway, key: p.ID}, g)
}

// confirmDraw asks before drawing the open giveaway early: it closes entry
// for good.
func (m Model) confirmDraw() (Model, tea.Cmd) {
	g, ok := m.giveawayOpen()
	if !ok {
		return m, nil
	}
	m.mode = modeConfirm
	m.prompt = prompt{kind: promptDraw, giveaway: g.ID, label: m.itemName(g.ProductID, g.VariantID)}
	m.relayout()
	return m, nil
}

// draw sends the draw of the giveaway the host confirmed, if it is still
// open.
func (m Model) draw(id, name string) (Model, tea.Cmd) {
	g, ok := m.giveawayOpen()
	if !ok || g.ID != id {
		return m.notify(live.StatusInfo, "Not drawn: the giveaway of "+name+" is no longer open")
	}
	return m.send(op{what: "draw the giveaway of " + name, typ: protocol.TypeDraw, key: id, names: []string{id, name}},
		protocol.Draw{GiveawayID: id})
}

// giveawayChanged reacts to a giveaway event: it answers the command that
// asked for it, and says the draw in the chat, with how to check it. was
// is the giveaway before the event.
func (m *Model) giveawayChanged(was *protocol.Giveaway) tea.Cmd {
	g := m.Show.Giveaway
	if g == nil {
		return nil
	}
	fresh := was == nil || was.ID != g.ID
	if g.State != protocol.GiveawayOpen && (fresh || was.State == protocol.GiveawayOpen) {
		m.chat.AddSystem(m.giveawayResult(g))
	}
	return m.confirm(func(o op) bool {
		switch o.typ {
		case protocol.TypeStartGiveaway:
			return fresh && o.key == g.ProductID
		case protocol.TypeDraw:
			return o.key == g.ID && g.State != protocol.GiveawayOpen
		}
		return false
	})
}

// giveawayResult says how a giveaway ended, in words.
func (m Model) giveawayResult(g *protocol.Giveaway) string {
	name := m.itemName(g.ProductID, g.VariantID)
	if g.State == protocol.GiveawayVoid || g.Winner == nil {
		if g.Entrants > 0 {
			return "giveaway of " + name + ": nothing drawn"
		}
		return "giveaway of " + name + ": no entrants, nothing drawn"
	}
	s := fmt.Sprintf("giveaway: %s wins %s, entry %d of %d", g.Winner.Name, name, g.WinnerIndex+1, g.Entrants)
	if r := sanitize.Line(g.Record); r != "" {
		s += " · anyone can check the draw: " + verifyCommand + r
	}
	return s
}

// giveawayView is what the giveaway panel needs to draw itself.
type giveawayView struct {
	styles *theme.Styles
	g      protocol.Giveaway
	name   string    // the item, "Speckled Mug (Blue)"
	now    time.Time // server time
}

func (m Model) giveawayView() (giveawayView, bool) {
	g := m.Show.Giveaway
	if g == nil {
		return giveawayView{}, false
	}
	return giveawayView{styles: m.Styles, g: *g, name: m.itemName(g.ProductID, g.VariantID), now: m.ServerNow()}, true
}

// wantRows is how many rows the panel would like: a heading and a line
// for the state, the commitment and, once drawn, the record on a wide
// screen; one line, and one for the record once drawn, on a narrow one.
func (v giveawayView) wantRows(wide bool) int {
	drawn := v.g.State == protocol.GiveawayDrawn
	switch {
	case wide && drawn:
		return 4
	case wide:
		return 3
	case drawn:
		return 2
	}
	return 1
}

// rows draws the panel in at most n rows of width cells.
func (v giveawayView) rows(width, n int, wide bool) []string {
	s, g := v.styles, v.g
	if n <= 0 {
		return nil
	}
	var out []string
	if !wide || n < 3 {
		out = append(out, fit(s.Deal.Render("Giveaway")+" "+v.name+s.Subtle.Render(" · ")+v.state()+v.commitment(" · "), width))
		if g.State == protocol.GiveawayDrawn && n > 1 {
			out = append(out, fit(v.record(width), width))
		}
		return out
	}
	who := "open to all"
	if g.BuyersOnly {
		who = "buyers only"
	}
	out = append(out, heading(s, "Giveaway", v.name+" · "+who, false, width),
		fit("  "+v.state(), width), fit("  "+v.commitment(""), width))
	if g.State == protocol.GiveawayDrawn && n > 3 {
		out = append(out, fit("  "+v.record(width-2), width))
	}
	return out
}

// state is the entrants and the clock while it is open, else the winner.
func (v giveawayView) state() string {
	s, g := v.styles, v.g
	switch g.State {
	case protocol.GiveawayVoid:
		if g.Entrants > 0 {
			// Its server restarted while it was open.
			return s.Subtle.Render("nothing drawn")
		}
		return s.Subtle.Render("no entrants · nothing drawn")
	case protocol.GiveawayDrawn:
		if g.Winner == nil {
			break
		}
		return s.Good.Bold(true).Render("WON") + s.Subtle.Render(" by ") + s.Name(g.Winner.ID).Render(g.Winner.Name) +
			s.Subtle.Render(fmt.Sprintf(" · entry %d of %d", g.WinnerIndex+1, g.Entrants))
	}
	left := s.Warn.Render("drawing…")
	if v.now.Before(g.EndsAt) {
		left = s.Warn.Render(live.Left(v.now, g.EndsAt)) + s.Subtle.Render(" left")
	}
	return s.Title.Render(strconv.Itoa(g.Entrants)) + s.Subtle.Render(" entered · ") + left + s.Subtle.Render(" · D draws now")
}

// commitment is the hash the server committed to before anyone entered.
func (v giveawayView) commitment(sep string) string {
	if v.g.Commitment == "" {
		return ""
	}
	return v.styles.Subtle.Render(sep+"commitment ") + v.g.Commitment
}

// record is where the draw's record is published and how to check it,
// in width cells: the words go first, so the URL shows whole where it
// can (the chat has it whole in any case).
func (v giveawayView) record(width int) string {
	s := v.styles
	r := sanitize.Line(v.g.Record)
	if r == "" {
		return s.Subtle.Render("the record is not published yet")
	}
	for _, t := range []string{s.Subtle.Render("check: ") + s.Accent.Render(verifyCommand+r), s.Accent.Render(verifyCommand + r)} {
		if cells(t) <= width {
			return t
		}
	}
	return s.Accent.Render(r)
}
