package host

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
	"github.com/livecart/livecart/ui/live"
)

// The prompts: a question to the host answered in the input line (a deal,
// a stock, a price, a timeout, the slow mode, the blocked words), checked
// before anything is sent.

// promptKind says what a prompt asks for.
type promptKind int

const (
	promptNone promptKind = iota
	promptDeal
	promptStock
	promptPrice
	promptTimeout
	promptSlowMode
	promptWords
	promptBan
	promptAuction
	promptGiveaway
	promptDraw
)

// prompt is an open question to the host, answered in the input line.
// One that asks to change a value shows the value now and starts with it
// in the input: the first character typed replaces it, an editing key
// (←, backspace…) edits it instead.
type prompt struct {
	kind     promptKind
	label    string // what it asks, naming the product or viewer: "Price of Speckled Mug"
	short    string // the same without the name, for a narrow screen: "Price"
	current  string // the value now, drawn before the arrow; empty when there is none
	lead     string // drawn just before the answer: the currency's sign
	value    string // what the input starts with
	hint     string // in the status line while it is open
	product  protocol.Product
	line     show.Line // whose line, for a timeout or a ban
	giveaway string    // which giveaway, for a draw
	limit    int       // the input's character limit
}

// minAnswer is the fewest cells the prompt line leaves for the answer.
const minAnswer = 12

// text is what the input line shows before the answer, in at most width
// cells less minAnswer: "Price of Speckled Mug: $24.00 → $", and on a
// narrower screen "Price: $24.00 → $", the value cut short, or "Price › ".
func (p prompt) text(width int) string {
	room := width - minAnswer
	if p.current == "" {
		for _, t := range []string{p.label + " › " + p.lead, p.short + " › " + p.lead} {
			if cells(t) <= room {
				return t
			}
		}
		return p.short + " › " + p.lead
	}
	for _, t := range []string{p.label + ": " + p.current + " → " + p.lead, p.short + ": " + p.current + " → " + p.lead} {
		if cells(t) <= room {
			return t
		}
	}
	if rest := room - cells(p.short+":  → "+p.lead); rest >= 4 {
		cut := strings.TrimRight(ansi.Truncate(p.current, rest-1, ""), " ·,")
		return p.short + ": " + cut + "… → " + p.lead
	}
	return p.short + " › " + p.lead
}

// openPrompt opens p in the input line.
func (m Model) openPrompt(p prompt) (Model, tea.Cmd) {
	if p.kind == promptNone {
		return m, nil
	}
	m.mode = modePrompt
	m.prompt = p
	m.input.Reset()
	m.input.Placeholder = ""
	m.input.CharLimit = max(p.limit, 64)
	m.input.SetValue(p.value)
	m.input.CursorEnd()
	m.prefilled = p.value != ""
	m.relayout()
	focus := m.input.Focus() // before m is returned: Focus changes it
	return m, focus
}

// openPromptOr opens p, or says why it cannot open.
func (m Model) openPromptOr(p prompt, err error) (Model, tea.Cmd) {
	if err != nil {
		return m.notify(live.StatusError, "Not possible: "+err.Error())
	}
	return m.openPrompt(p)
}

// refreshPrompt keeps the open prompt's current value up to date as the
// show changes under it (a sale takes stock, a metrics event brings the
// blocked words), and the value in the input with it while it is
// untouched: enter then keeps what is, not what was.
func (m *Model) refreshPrompt() {
	var now prompt
	switch m.prompt.kind {
	case promptDeal:
		now = m.dealPrompt()
	case promptStock:
		now = m.stockPrompt()
	case promptPrice:
		now = m.pricePrompt()
	case promptSlowMode:
		now = m.slowModePrompt()
	case promptWords:
		now = m.wordsPrompt()
	}
	if now.kind != m.prompt.kind || now.product.ID != m.prompt.product.ID {
		return
	}
	if m.prefilled && m.prompt.kind != promptDeal && now.value != m.input.Value() {
		// A deal's value is the time it has left, which moves on by
		// itself; the rest change only when the show does.
		m.input.SetValue(now.value)
		m.input.CursorEnd()
	}
	m.prompt.current = now.current
}

func (m *Model) closePrompt() {
	m.prompt = prompt{}
	m.prefilled = false
	m.leaveInput()
}

func (m Model) handlePromptKey(msg tea.KeyPressMsg, k KeyMap) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Cancel):
		m.closePrompt()
		return m, nil
	case key.Matches(msg, k.Submit):
		return m.submitPrompt()
	}
	if m.prefilled {
		// Typing replaces the value the prompt started with; any other
		// key edits it from then on.
		m.prefilled = false
		if msg.Text != "" && !editingKey(msg, m.input.KeyMap) {
			m.input.SetValue("")
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

// editingKey reports whether the input takes msg as an editing key (a
// move, a deletion, a paste) rather than as text.
func editingKey(msg tea.KeyPressMsg, km textinput.KeyMap) bool {
	return key.Matches(msg, km.CharacterForward, km.CharacterBackward, km.WordForward, km.WordBackward,
		km.DeleteWordBackward, km.DeleteWordForward, km.DeleteAfterCursor, km.DeleteBeforeCursor,
		km.DeleteCharacterBackward, km.DeleteCharacterForward, km.LineStart, km.LineEnd, km.Paste,
		km.AcceptSuggestion, km.NextSuggestion, km.PrevSuggestion)
}

// promptHint is the status line's hint while a prompt is open.
func (m Model) promptHint() string {
	if m.prefilled {
		return "type to replace, ← to edit · " + m.prompt.hint
	}
	return m.prompt.hint
}

// submitPrompt checks the answer and sends the command, or keeps the
// prompt open and says what is wrong: nothing invalid is sent.
func (m Model) submitPrompt() (Model, tea.Cmd) {
	p, in := m.prompt, m.input.Value()
	if m.Link.State != live.Up {
		// Keep what was typed: it can go once the show is back.
		return m.notify(live.StatusError, "Not sent: not connected to the show · enter sends it once the link is back")
	}
	if cur, ok := m.Show.Product(p.product.ID); ok {
		p.product = cur // check against the price and variants as they are now
	}
	var (
		o    op
		data any
		err  error
	)
	switch p.kind {
	case promptAuction:
		return m.submitAuction(in, p.product)
	case promptGiveaway:
		return m.submitGiveaway(in, p.product)
	case promptDeal:
		var d protocol.StartDeal
		d, err = parseDeal(in, p.product)
		o, data = op{what: "start a deal on " + p.product.Name, typ: protocol.TypeStartDeal, key: p.product.ID, product: true}, d
	case promptStock:
		var s protocol.SetStock
		s, err = parseStock(in, p.product)
		v, _ := p.product.Variant(s.VariantID)
		o, data = op{what: fmt.Sprintf("set %s (%s) stock to %d", p.product.Name, v.Name, s.Stock), typ: protocol.TypeSetStock, key: p.product.ID, product: true}, s
	case promptPrice:
		var amount int64
		amount, err = parseMoney(in, p.product.Price.Currency)
		price := p.product.Price
		price.Amount = amount
		o, data = op{what: "set " + p.product.Name + " price to " + price.String(), typ: protocol.TypeSetPrice, key: p.product.ID, product: true},
			protocol.SetPrice{ProductID: p.product.ID, Price: price}
	case promptTimeout:
		var secs int
		secs, err = parseSeconds(in, time.Second, protocol.MaxTimeout)
		o, data = op{what: "time out " + p.line.Author.Name + " for " + durationLabel(secs), typ: protocol.TypeTimeout,
			names: []string{p.line.Author.ID, p.line.Author.Name}},
			protocol.Timeout{UserID: p.line.Author.ID, Seconds: secs}
	case promptSlowMode:
		var secs int
		secs, err = parseSlowMode(in)
		o, data = op{what: slowLabel(secs), typ: protocol.TypeSlowMode,
			done: func(mt protocol.Metrics) bool { return mt.SlowModeSeconds == secs }}, protocol.SlowMode{Seconds: secs}
		if err != nil {
			err = fmt.Errorf("slow mode: %w (0 turns it off)", err)
		}
	case promptWords:
		var words []string
		words, err = parseWords(in)
		if err == nil {
			err = fitsFrame(protocol.BlockedWords{Words: words})
		}
		o, data = op{what: fmt.Sprintf("block %d word(s)", len(words)), typ: protocol.TypeBlockedWords, list: words,
			done: func(mt protocol.Metrics) bool { return slices.Equal(mt.BlockedWords, words) }}, protocol.BlockedWords{Words: words}
		if len(words) == 0 {
			o.what = "clear the blocked words"
		}
	}
	if err != nil {
		return m.notify(live.StatusError, "Not sent: "+err.Error())
	}
	m.closePrompt()
	return m.send(o, data)
}

// fitsFrame refuses a command too big for one client frame: the server
// would close the connection over it.
func fitsFrame(data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if len(b) > protocol.MaxClientFrame-256 {
		return fmt.Errorf("the list is %d bytes, too long to send at once; use fewer or shorter words", len(b))
	}
	return nil
}

// dealPrompt asks for a deal on the selected product. With one running,
// it shows its discount and starts from it as it stands: the same
// discount, the time it has left and the same limit.
func (m Model) dealPrompt() prompt {
	p, ok := m.selected()
	if !ok {
		return prompt{}
	}
	pr := prompt{kind: promptDeal, product: p, label: "Deal on " + p.Name, short: "Deal",
		hint: "discount (20% or " + exampleOff(p) + ") · length 30s to 20m · optional per-buyer limit and store discount code · e.g. 20% 5m 2 code:SUMMER10"}
	now := m.ServerNow()
	if !p.Deal.Active(now) {
		return pr
	}
	d := p.Deal
	off := strconv.Itoa(d.Percent) + "%"
	if d.Percent == 0 {
		off = money.New(d.AmountOff, p.Price.Currency).String()
	}
	left := min(max(d.EndsAt.Sub(now).Round(time.Second), protocol.MinDeal), protocol.MaxDeal)
	pr.current, pr.value = off+" off", off+" "+durationLabel(int(left/time.Second))
	if d.PerBuyer > 0 {
		pr.current += fmt.Sprintf(", %d each", d.PerBuyer)
		pr.value += " " + strconv.Itoa(d.PerBuyer)
	}
	if d.Code != "" {
		pr.current += ", code " + d.Code
		pr.value += " " + dealCodePrefix + d.Code
	}
	return pr
}

// exampleOff is an amount off that suits the product's currency.
func exampleOff(p protocol.Product) string {
	return strings.TrimSuffix(strings.TrimSuffix(priceOf(5*money.MajorUnit(p.Price.Currency), p), "00"), ".")
}

func priceOf(amount int64, p protocol.Product) string {
	pr := p.Price
	pr.Amount = amount
	return pr.String()
}

// stockPrompt asks for a variant's stock, starting from the pinned
// variant's when the product is pinned, else from the first one's.
func (m Model) stockPrompt() prompt {
	p, ok := m.selected()
	if !ok {
		return prompt{}
	}
	if len(p.Variants) == 1 {
		n := strconv.Itoa(p.Variants[0].Stock)
		return prompt{kind: promptStock, product: p, label: "Stock of " + p.Name, short: "Stock",
			current: n, value: n, hint: "the new stock, e.g. 12"}
	}
	v := p.Variants[0]
	if pp, pv, ok := m.Show.Pinned(); ok && pp.ID == p.ID {
		v = pv
	}
	return prompt{kind: promptStock, product: p, label: "Stock of " + p.Name, short: "Stock",
		current: plainVariants(p), value: fmt.Sprintf("%s %d", v.Name, v.Stock),
		hint: "variant and stock, e.g. " + strings.ToLower(firstWord(v.Name)) + " 12"}
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

func plainVariants(p protocol.Product) string {
	parts := make([]string, 0, len(p.Variants))
	for _, v := range p.Variants {
		parts = append(parts, fmt.Sprintf("%s %d", v.Name, v.Stock))
	}
	return strings.Join(parts, " · ")
}

func (m Model) pricePrompt() prompt {
	p, ok := m.selected()
	if !ok {
		return prompt{}
	}
	sign := money.Prefix(p.Price.Currency)
	now := strings.TrimPrefix(p.Price.String(), sign)
	return prompt{kind: promptPrice, product: p, label: "Price of " + p.Name, short: "Price",
		current: p.Price.String(), lead: sign, value: now,
		hint: "the regular price, e.g. " + now + " · a running deal keeps its own price"}
}

func (m Model) timeoutPrompt() prompt {
	l, ok := m.chat.Selected()
	if !ok || l.Author.Role == protocol.RoleHost {
		return prompt{}
	}
	return prompt{kind: promptTimeout, line: l, label: "Time out " + l.Author.Name + " for", short: "Time out", value: "5m",
		hint: "how long they cannot chat, 1s to 24h: 30s, 5m, 1h"}
}

func (m Model) slowModePrompt() prompt {
	now := "off"
	if s := m.metrics.SlowModeSeconds; s > 0 {
		now = durationLabel(s)
	}
	return prompt{kind: promptSlowMode, label: "Slow mode", short: "Slow mode", current: now, value: now,
		hint: "one line per viewer every 30s, 2m… at most 10m · off or 0 turns it off"}
}

func (m Model) wordsPrompt() prompt {
	words := strings.Join(m.blockedWords(), ", ")
	now := words
	if now == "" {
		now = "none"
	}
	return prompt{kind: promptWords, label: "Blocked words", short: "Blocked", current: now, value: words,
		limit: protocol.MaxClientFrame,
		hint:  "comma-separated; lines with them are refused · empty clears the list"}
}
