package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// Parsers of what the host types into prompts. Each returns an error
// written for the status line: what was wrong and what would do.

// parseMoney reads an amount like "24", "24.5", "24.50" or "$24.50" into
// minor units of currency, by money's one rule for it.
func parseMoney(in, currency string) (int64, error) {
	m, err := money.Parse(in, currency)
	if err != nil {
		return 0, err
	}
	return m.Amount, nil
}

// parseSeconds reads a duration like "30s", "5m", "1m30s" or a bare number
// of seconds, in whole seconds between lo and hi.
func parseSeconds(in string, lo, hi time.Duration) (int, error) {
	s := strings.TrimSpace(in)
	outside := fmt.Errorf("%q is not between %s and %s", truncateInput(in), durationLabel(int(lo/time.Second)), durationLabel(int(hi/time.Second)))
	var d time.Duration
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || int64(n) > int64(hi/time.Second) {
			return 0, outside
		}
		d = time.Duration(n) * time.Second
	} else {
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration: write it like 45s, 5m or 1m30s", truncateInput(in))
		}
	}
	if d < lo || d > hi {
		return 0, outside
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("%q is not whole seconds", truncateInput(in))
	}
	return int(d / time.Second), nil
}

// dealCodePrefix marks the store discount code behind a deal in the deal
// prompt, as in "20% 5m 2 code:SUMMER10".
const dealCodePrefix = "code:"

// parseDeal reads "DISCOUNT DURATION [PER-BUYER] [code:CODE]", such as
// "20% 5m", "$5 90s 2" or "20% 5m code:SUMMER10", into a start_deal
// command for p. The code, a discount code of the store the show sells on,
// may come anywhere after the discount.
func parseDeal(in string, p protocol.Product) (protocol.StartDeal, error) {
	d := protocol.StartDeal{ProductID: p.ID}
	var f []string
	for i, w := range strings.Fields(in) {
		code, ok := cutPrefixFold(w, dealCodePrefix)
		if !ok || i == 0 {
			f = append(f, w)
			continue
		}
		switch {
		case d.Code != "":
			return d, errors.New("give the deal one discount code at most")
		case !protocol.ValidDiscountCode(code):
			return d, fmt.Errorf("%q: a discount code is 1 to %d letters, digits, - or _",
				truncateInput(code), protocol.MaxDiscountCodeBytes)
		}
		d.Code = code
	}
	if len(f) < 2 || len(f) > 3 {
		return d, errors.New("write the discount, the duration and, if you like, a per-buyer limit and a store code: 20% 5m 2 code:SUMMER10")
	}
	if pct, ok := strings.CutSuffix(f[0], "%"); ok {
		n, err := strconv.Atoi(pct)
		if err != nil || n < 1 || n > 90 {
			return d, fmt.Errorf("%q: a percent off is between 1%% and 90%%", truncateInput(f[0]))
		}
		d.Percent = n
	} else {
		off, err := parseMoney(f[0], p.Price.Currency)
		if err != nil {
			return d, fmt.Errorf("discount: %w (or a percent, like 20%%)", err)
		}
		if off <= 0 || off >= p.Price.Amount {
			return d, fmt.Errorf("%s off: the amount off must be more than nothing and less than the price, %s",
				money.New(off, p.Price.Currency), p.Price)
		}
		d.AmountOff = off
	}
	secs, err := parseSeconds(f[1], protocol.MinDeal, protocol.MaxDeal)
	if err != nil {
		return d, fmt.Errorf("deal length: %w", err)
	}
	d.Seconds = secs
	if len(f) == 3 {
		n, err := strconv.Atoi(strings.TrimPrefix(f[2], "x"))
		if err != nil || n < 0 || n > protocol.MaxQty {
			return d, fmt.Errorf("%q: the per-buyer limit is a number from 1 to %d (0 for none)", truncateInput(f[2]), protocol.MaxQty)
		}
		d.PerBuyer = n
	}
	if err := d.Validate(); err != nil {
		return d, err
	}
	return d, nil
}

// cutPrefixFold is strings.CutPrefix with the prefix in any case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// parseStock reads "VARIANT STOCK", the variant by ID or name (any case),
// or just "STOCK" for a product with one variant.
func parseStock(in string, p protocol.Product) (protocol.SetStock, error) {
	s := strings.TrimSpace(in)
	name, num := "", s
	if i := strings.LastIndexAny(s, " \t"); i >= 0 {
		name, num = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	n, err := strconv.Atoi(num)
	switch {
	case num == "":
		return protocol.SetStock{}, errors.New("write the variant and the new stock, like: blue 12")
	case err != nil:
		return protocol.SetStock{}, fmt.Errorf("%q is not a whole number of items", truncateInput(num))
	case n < 0:
		return protocol.SetStock{}, fmt.Errorf("stock cannot be negative (%d)", n)
	case n > protocol.MaxStock:
		return protocol.SetStock{}, fmt.Errorf("stock %d is more than %d", n, protocol.MaxStock)
	}
	if name == "" {
		if len(p.Variants) == 1 {
			return protocol.SetStock{VariantID: p.Variants[0].ID, Stock: n}, nil
		}
		return protocol.SetStock{}, fmt.Errorf("which variant? %s", variantNames(p))
	}
	var found []protocol.Variant
	for _, v := range p.Variants {
		if strings.EqualFold(v.ID, name) || strings.EqualFold(v.Name, name) {
			return protocol.SetStock{VariantID: v.ID, Stock: n}, nil
		}
		if strings.HasPrefix(strings.ToLower(v.Name), strings.ToLower(name)) {
			found = append(found, v)
		}
	}
	if len(found) == 1 {
		return protocol.SetStock{VariantID: found[0].ID, Stock: n}, nil
	}
	return protocol.SetStock{}, fmt.Errorf("no single variant %q: %s", truncateInput(name), variantNames(p))
}

func variantNames(p protocol.Product) string {
	names := make([]string, 0, len(p.Variants))
	for _, v := range p.Variants {
		names = append(names, v.Name)
	}
	return strings.Join(names, ", ")
}

// parseSlowMode reads the slow mode's seconds: "30", "30s", "2m", "0" or
// "off".
func parseSlowMode(in string) (int, error) {
	s := strings.TrimSpace(in)
	if strings.EqualFold(s, "off") || s == "0" || s == "0s" {
		return 0, nil
	}
	return parseSeconds(s, time.Second, protocol.MaxSlowMode)
}

// parseWords reads a comma-separated list of blocked words. Blanks and
// repeats (in any case) are dropped; an empty list clears it.
func parseWords(in string) ([]string, error) {
	words := []string{}
	seen := map[string]bool{}
	for _, w := range strings.Split(in, ",") {
		w = sanitize.Line(w)
		if w == "" || seen[strings.ToLower(w)] {
			continue
		}
		if n := utf8.RuneCountInString(w); n > protocol.MaxBlockedRunes {
			return nil, fmt.Errorf("%q is %d characters, more than %d", truncateInput(w), n, protocol.MaxBlockedRunes)
		}
		seen[strings.ToLower(w)] = true
		words = append(words, w)
	}
	if len(words) > protocol.MaxBlockedWords {
		return nil, fmt.Errorf("%d words, more than %d", len(words), protocol.MaxBlockedWords)
	}
	return words, nil
}

// truncateInput shortens what was typed for an error message.
func truncateInput(s string) string { return sanitize.Truncate(sanitize.Line(s), 24) }
