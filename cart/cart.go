// Package cart holds a viewer's shopping cart: the lines they picked during a
// show, what they cost at the show's prices of the moment (Check), and the
// file that keeps them between runs.
//
// A cart stores no price that is charged: Check prices it from the live
// show with the one rule of package pricing, the rule the checkout page
// and the order use, and says what changed since the viewer last looked.
//
// The math does no I/O, so the UI can call it from Update. A Cart is a
// value: every change returns a new Cart and leaves the old one as it was,
// which lets a bubbletea model keep it by value without aliasing bugs.
//
// A line is held to the rules the network's products are held to (the IDs,
// the length of the names, the limits of protocol/limits.go) whether it
// comes from the show or from a file on disk, and its names are made safe
// to draw with the same function: a cart file is as untrusted as the
// network.
package cart

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// MaxQty is the most units of one variant a single cart line may hold: the
// protocol's limit per line, which the checkout link shares, and which stops
// a held-down key from turning into an order nobody meant.
const MaxQty = protocol.MaxQty

// MaxLines is the most lines (distinct variants) a cart may hold: the most
// items one checkout takes.
const MaxLines = protocol.MaxBuyItems

// Sentinel errors, for callers that react to the kind of refusal rather than
// show its message. Every refusal from Add and SetQty wraps one of these or
// money.ErrCurrencyMismatch.
var (
	// ErrOutOfStock means the requested quantity exceeds the known stock.
	ErrOutOfStock = errors.New("not enough stock")
	// ErrInvalidQty means a quantity was zero or negative where that makes
	// no sense, or above MaxQty.
	ErrInvalidQty = errors.New("invalid quantity")
	// ErrInvalidLine means a line lacks a variant ID or has an unusable price.
	ErrInvalidLine = errors.New("invalid cart line")
	// ErrNotInCart means a change named a variant the cart does not hold.
	ErrNotInCart = errors.New("not in cart")
	// ErrCartFull means a new variant would take the cart past MaxLines.
	ErrCartFull = errors.New("cart is full")
)

// Line is one variant in the cart with the quantity wanted.
//
// A line holds no price that is charged. What a line costs is always
// worked out from the live show by Check; Unit and Seen only record what
// the viewer was last shown, so that Check can say what changed.
type Line struct {
	ProductID string `json:"product_id"`
	VariantID string `json:"variant_id"`
	Name      string `json:"name"`
	Variant   string `json:"variant"` // the variant's label, such as "Blue / M"
	// Unit is the price of one unit when the line was added or last
	// checked: a hint, never charged. Check keeps it current.
	Unit money.Money `json:"unit"`
	Qty  int         `json:"qty"`
	// Seen is what Check last found for the line; the zero Seen until it
	// has been checked.
	Seen Seen `json:"seen,omitzero"`
}

// Cart is an ordered list of lines, at most one per variant, all in one
// currency. The zero value is an empty cart ready to use.
type Cart struct {
	lines []Line
}

// Add puts l into the cart, adding l.Qty to the existing line for the same
// variant if there is one. stock is how many units the shop has; a negative
// stock means it is not known and only MaxQty applies.
//
// When the variant is already in the cart, its name, label and unit price are
// refreshed from l, and what it was last seen as (Seen) is kept unless l
// brings its own. What the line costs is Check's to say.
//
// l must pass the checks a product from the network passes (see checkLine);
// its name and label are then kept as sanitize.Line makes them, as the show
// mirror keeps the network's.
func (c Cart) Add(l Line, stock int) (Cart, error) {
	if err := checkLine(l); err != nil {
		return c, fmt.Errorf("add %s: %w", quoteID(l.VariantID), err)
	}
	if cur, ok := c.currency(); ok && cur != l.Unit.Currency {
		return c, fmt.Errorf("add %s priced in %s to a cart in %s: %w",
			quoteID(l.VariantID), l.Unit.Currency, cur, money.ErrCurrencyMismatch)
	}
	i := c.index(l.VariantID)
	if i < 0 && len(c.lines) >= MaxLines {
		return c, fmt.Errorf("add %s: %w: at most %d different items", quoteID(l.VariantID), ErrCartFull, MaxLines)
	}
	have := 0
	if i >= 0 {
		have = c.lines[i].Qty
	}
	want := have + l.Qty
	if err := checkQty(want, have, stock); err != nil {
		return c, fmt.Errorf("add %s: %w", quoteID(l.VariantID), err)
	}
	l.Name, l.Variant = sanitize.Line(l.Name), sanitize.Line(l.Variant)

	// Clone before writing so the receiver's backing array, which the caller
	// may still hold in an older model, never changes.
	lines := slices.Clone(c.lines)
	l.Qty = want
	if i >= 0 {
		if l.Seen == (Seen{}) {
			l.Seen = lines[i].Seen
		}
		lines[i] = l
	} else {
		lines = append(lines, l)
	}
	return Cart{lines: lines}, nil
}

// SetQty sets the quantity of the line for variantID. A qty of zero removes
// the line; setting zero on a variant not in the cart is not an error, so
// "remove" stays idempotent. stock has the same meaning as in Add.
func (c Cart) SetQty(variantID string, qty, stock int) (Cart, error) {
	if qty < 0 {
		return c, fmt.Errorf("set %q to %d: %w", variantID, qty, ErrInvalidQty)
	}
	if qty == 0 {
		return c.Remove(variantID), nil
	}
	i := c.index(variantID)
	if i < 0 {
		return c, fmt.Errorf("set %q to %d: %w", variantID, qty, ErrNotInCart)
	}
	if err := checkQty(qty, 0, stock); err != nil {
		return c, fmt.Errorf("set %q to %d: %w", variantID, qty, err)
	}
	lines := slices.Clone(c.lines)
	lines[i].Qty = qty
	return Cart{lines: lines}, nil
}

// Remove returns the cart without the line for variantID, if it had one.
func (c Cart) Remove(variantID string) Cart {
	return c.Without(variantID)
}

// Without returns the cart without the lines for any of variantIDs, as after
// a checkout that took only some of them.
func (c Cart) Without(variantIDs ...string) Cart {
	var lines []Line
	for _, l := range c.lines {
		if !slices.Contains(variantIDs, l.VariantID) {
			lines = append(lines, l)
		}
	}
	return Cart{lines: lines}
}

// Clear returns an empty cart.
func (c Cart) Clear() Cart { return Cart{} }

// Lines returns a copy of the cart's lines in the order they were first added.
func (c Cart) Lines() []Line { return slices.Clone(c.lines) }

// Len returns the number of lines (distinct variants) in the cart.
func (c Cart) Len() int { return len(c.lines) }

// IsEmpty reports whether the cart has no lines.
func (c Cart) IsEmpty() bool { return len(c.lines) == 0 }

// Units returns the number of units across all lines.
func (c Cart) Units() int {
	n := 0
	for _, l := range c.lines {
		n += l.Qty
	}
	return n
}

// fromLines builds a cart from lines read back from disk, applying the same
// checks as Add so a hand-edited file cannot smuggle in what Add refuses.
func fromLines(lines []Line) (Cart, error) {
	if len(lines) > MaxLines {
		return Cart{}, fmt.Errorf("%d lines, more than %d", len(lines), MaxLines)
	}
	var c Cart
	for _, l := range lines {
		var err error
		if c, err = c.Add(l, -1); err != nil {
			return Cart{}, err
		}
	}
	return c, nil
}

// currency returns the cart's currency, which is that of its first line.
func (c Cart) currency() (string, bool) {
	if len(c.lines) == 0 {
		return "", false
	}
	return c.lines[0].Unit.Currency, true
}

func (c Cart) index(variantID string) int {
	return slices.IndexFunc(c.lines, func(l Line) bool { return l.VariantID == variantID })
}

// checkLine applies to a line the rules protocol.Product.Validate applies to
// the product and variant it was made from: IDs that protocol.ValidID
// accepts (they end up in checkout links, where ',' and ':' are structure),
// names of valid UTF-8 no longer than protocol.MaxProductNameRunes, a valid
// price, a plausible record of what was seen and a quantity within MaxQty.
func checkLine(l Line) error {
	if l.VariantID == "" {
		return fmt.Errorf("%w: no variant ID", ErrInvalidLine)
	}
	if !protocol.ValidID(l.VariantID) {
		return fmt.Errorf("%w: variant ID %s is not a valid ID", ErrInvalidLine, quoteID(l.VariantID))
	}
	if !protocol.ValidID(l.ProductID) {
		return fmt.Errorf("%w: product ID %s is not a valid ID", ErrInvalidLine, quoteID(l.ProductID))
	}
	if err := checkName("name", l.Name); err != nil {
		return err
	}
	if err := checkName("variant label", l.Variant); err != nil {
		return err
	}
	if err := l.Unit.Validate(); err != nil {
		return fmt.Errorf("%w: unit price: %w", ErrInvalidLine, err)
	}
	if l.Seen != (Seen{}) {
		if err := l.Seen.validate(); err != nil {
			return err
		}
	}
	if l.Qty <= 0 {
		return fmt.Errorf("%w: quantity %d, want at least 1", ErrInvalidQty, l.Qty)
	}
	// Checked here as well as on the sum so have+l.Qty cannot overflow.
	if l.Qty > MaxQty {
		return fmt.Errorf("%w: quantity %d, at most %d per item", ErrInvalidQty, l.Qty, MaxQty)
	}
	return nil
}

// checkName checks a product name or variant label as the protocol checks
// the ones it carries. Empty is allowed: sanitize.Line may leave nothing of
// a name that passed, and the cart must load back what it saved.
func checkName(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidLine, what)
	}
	if n := utf8.RuneCountInString(s); n > protocol.MaxProductNameRunes {
		return fmt.Errorf("%w: %s is %d characters, more than %d", ErrInvalidLine, what, n, protocol.MaxProductNameRunes)
	}
	return nil
}

// quoteID quotes an ID for an error message, cut short: a refused ID may be
// anything, of any length.
func quoteID(id string) string {
	const maxRunes = 24
	return strconv.Quote(sanitize.Truncate(strings.ToValidUTF8(id, "\uFFFD"), maxRunes))
}

// checkQty checks a line's resulting quantity want, of which have are already
// in the cart, against MaxQty and stock (negative when unknown).
func checkQty(want, have, stock int) error {
	if want > MaxQty {
		return fmt.Errorf("%w: at most %d per item", ErrInvalidQty, MaxQty)
	}
	if stock < 0 || want <= stock {
		return nil
	}
	switch {
	case stock == 0:
		return fmt.Errorf("%w: sold out", ErrOutOfStock)
	case have > 0:
		return fmt.Errorf("%w: only %d left, %d already in your cart", ErrOutOfStock, stock, have)
	default:
		return fmt.Errorf("%w: only %d left", ErrOutOfStock, stock)
	}
}
