package host

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
)

// prompt is an open question to the host, answered in the input line.
type prompt struct {
	kind    promptKind
	label   string // before the input
	hint    string // in the status line while it is open
	value   string // what the input starts with
	product protocol.Product
	line    show.Line // whose line, for a timeout or a ban
	limit   int       // the input's character limit
}

// openPrompt opens p in the input line.
func (m Model) openPrompt(p prompt) (Model, tea.Cmd) {
	if p.kind == promptNone {
		return m, nil
	}
	m.mode = modePrompt
	m.prompt = p
	m.input.Reset()
	m.input.Prompt = p.label + " › "
	m.input.Placeholder = ""
	m.input.CharLimit = max(p.limit, 64)
	m.input.SetValue(p.value)
	m.input.CursorEnd()
	m.relayout()
	focus := m.input.Focus() // before m is returned: Focus changes it
	return m, focus
}

func (m *Model) closePrompt() {
	m.prompt = prompt{}
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
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
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
		o, data = op{what: "time out " + p.line.Author.Name + " for " + durationLabel(secs), typ: protocol.TypeTimeout},
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
		o, data = op{what: fmt.Sprintf("block %d word(s)", len(words)), typ: protocol.TypeBlockedWords,
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

func (m Model) dealPrompt() prompt {
	p, ok := m.selected()
	if !ok {
		return prompt{}
	}
	return prompt{kind: promptDeal, product: p, label: "Deal on " + p.Name,
		hint: "discount (20% or " + exampleOff(p) + ") · length 30s to 20m · optional per-buyer limit · e.g. 20% 5m 2"}
}

// exampleOff is an amount off that suits the product's currency.
func exampleOff(p protocol.Product) string {
	return strings.TrimSuffix(strings.TrimSuffix(priceOf(500*pow10(minorDigits(p.Price.Currency))/100, p), "00"), ".")
}

func priceOf(amount int64, p protocol.Product) string {
	pr := p.Price
	pr.Amount = amount
	return pr.String()
}

func (m Model) stockPrompt() prompt {
	p, ok := m.selected()
	if !ok {
		return prompt{}
	}
	hint := "variant and stock, e.g. " + strings.ToLower(firstWord(p.Variants[0].Name)) + " 12 · now: " + plainVariants(p)
	if len(p.Variants) == 1 {
		hint = "the new stock, e.g. 12 · now: " + plainVariants(p)
	}
	return prompt{kind: promptStock, product: p, label: "Stock of " + p.Name, hint: hint}
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
	now := strings.TrimPrefix(p.Price.String(), currencyPrefix(p.Price.Currency))
	return prompt{kind: promptPrice, product: p, label: "Price of " + p.Name, value: now,
		hint: "the regular price, e.g. " + now + " · a running deal keeps its own price"}
}

func (m Model) timeoutPrompt() prompt {
	l, ok := m.chat.Selected()
	if !ok || l.Author.Role == protocol.RoleHost {
		return prompt{}
	}
	return prompt{kind: promptTimeout, line: l, label: "Time out " + l.Author.Name + " for", value: "5m",
		hint: "how long they cannot chat: 1s to 24h, e.g. 30s, 5m, 1h"}
}

func (m Model) slowModePrompt() prompt {
	return prompt{kind: promptSlowMode, label: "Slow mode, seconds", value: fmt.Sprint(m.metrics.SlowModeSeconds),
		hint: "one line per viewer every N seconds · 0 turns it off · at most 600"}
}

func (m Model) wordsPrompt() prompt {
	return prompt{kind: promptWords, label: "Blocked words", value: strings.Join(m.metrics.BlockedWords, ", "),
		limit: protocol.MaxClientFrame,
		hint:  "comma-separated; lines with them are refused · empty clears the list"}
}
