// Package money holds amounts as integer minor units plus an ISO 4217
// currency code. Floats never touch a price: a cent lost to rounding is a
// support ticket.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxAmount is the largest amount, in minor units, livecart accepts for a
// single price or total (ten million in major units). Anything larger from the
// network is treated as hostile or broken.
const MaxAmount int64 = 1_000_000_000

// Money is an amount in minor units (cents for USD) of one currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// New returns amount minor units of currency.
func New(amount int64, currency string) Money { return Money{Amount: amount, Currency: currency} }

// ErrCurrencyMismatch is returned when two amounts of different currencies meet.
var ErrCurrencyMismatch = errors.New("currencies differ")

// Validate reports whether m is a plausible price: a known-shape currency code
// and an amount between zero and MaxAmount.
func (m Money) Validate() error {
	if !ValidCurrency(m.Currency) {
		return fmt.Errorf("currency %q is not an ISO 4217 code", m.Currency)
	}
	if m.Amount < 0 {
		return fmt.Errorf("amount %d is negative", m.Amount)
	}
	if m.Amount > MaxAmount {
		return fmt.Errorf("amount %d is larger than %d", m.Amount, MaxAmount)
	}
	return nil
}

// ValidCurrency reports whether code has the shape of an ISO 4217 code:
// three upper-case ASCII letters.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// Add returns m+o, refusing to mix currencies or to overflow MaxAmount.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("add %s to %s: %w", o.Currency, m.Currency, ErrCurrencyMismatch)
	}
	if m.Amount > MaxAmount-o.Amount {
		return Money{}, fmt.Errorf("total exceeds %d", MaxAmount)
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}, nil
}

// Mul returns m times n, refusing to overflow MaxAmount.
func (m Money) Mul(n int) (Money, error) {
	if n < 0 {
		return Money{}, fmt.Errorf("multiply by negative %d", n)
	}
	if n != 0 && m.Amount > MaxAmount/int64(n) {
		return Money{}, fmt.Errorf("total exceeds %d", MaxAmount)
	}
	return Money{Amount: m.Amount * int64(n), Currency: m.Currency}, nil
}

// minorDigits is how many minor-unit digits a currency has; codes not listed
// have two, which is right for almost all of ISO 4217.
var minorDigits = map[string]int{
	"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2,
	"BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}

var symbols = map[string]string{
	"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$",
}

// MinorDigits returns how many digits a currency has after the point: 2
// for USD, 0 for JPY, 3 for KWD.
func MinorDigits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// MajorUnit returns one major unit of currency in minor units: 100 for
// USD, 1 for JPY, 1000 for KWD.
func MajorUnit(currency string) int64 {
	u := int64(1)
	for range MinorDigits(currency) {
		u *= 10
	}
	return u
}

// Prefix returns what String writes before an amount of currency: its
// symbol ("$", "€", "CA$"), or its code and a space ("CHF ").
func Prefix(currency string) string {
	if sym, ok := symbols[currency]; ok {
		return sym
	}
	return currency + " "
}

// String formats m for people: "$12.50", "€3.00", "¥1200", "CHF 9.90".
func (m Money) String() string {
	digits := MinorDigits(m.Currency)
	neg := m.Amount < 0
	a := m.Amount
	if neg {
		a = -a
	}
	s := strconv.FormatInt(a, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	s = Prefix(m.Currency) + s
	if neg {
		s = "-" + s
	}
	return s
}

// ErrSyntax is wrapped by Parse's refusals of text that is not an amount
// at all.
var ErrSyntax = errors.New("not an amount")

// Parse reads an amount of currency as a person writes it: "24", "24.5",
// "24.50", "$24.50" or "USD 24.50". The digits are read as they are, never
// through a float. Digits past the currency's minor digits are refused
// unless they are zeros; so is a negative amount or one above MaxAmount.
// Its errors are written to be shown as they are.
func Parse(in, currency string) (Money, error) {
	s := strings.TrimSpace(in)
	if p := strings.TrimSpace(Prefix(currency)); strings.HasPrefix(s, p) {
		s = strings.TrimSpace(s[len(p):])
	} else if len(s) > 3 && strings.EqualFold(s[:3], currency) {
		s = strings.TrimSpace(s[3:])
	}
	digits := MinorDigits(currency)
	quoted := quoteInput(in)
	if strings.HasPrefix(s, "-") {
		return Money{}, fmt.Errorf("%s is negative: an amount is 0 or more", quoted)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return Money{}, fmt.Errorf("%s is %w: write it like %s", quoted, ErrSyntax, New(24*MajorUnit(currency), currency))
	}
	if hasPoint && digits == 0 && strings.Trim(frac, "0") != "" {
		return Money{}, fmt.Errorf("%s has no minor units: write whole amounts like %s", currency, New(24, currency))
	}
	if len(frac) > digits {
		if strings.Trim(frac[digits:], "0") != "" {
			return Money{}, fmt.Errorf("%s has more than %d digits after the point", quoted, digits)
		}
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	var amount int64
	for _, r := range whole + frac {
		amount = amount*10 + int64(r-'0')
		if amount > MaxAmount {
			return Money{}, fmt.Errorf("%s is more than %s", quoted, New(MaxAmount, currency))
		}
	}
	return New(amount, currency), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quoteInput quotes what a person typed for an error message, cut short.
func quoteInput(s string) string {
	const maxRunes = 20
	if r := []rune(s); len(r) > maxRunes {
		s = string(r[:maxRunes]) + "…"
	}
	return strconv.Quote(s)
}
