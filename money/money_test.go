package money

import (
	"errors"
	"testing"
)

func TestString(t *testing.T) {
	cases := []struct {
		m    Money
		want string
	}{
		{New(1250, "USD"), "$12.50"},
		{New(5, "USD"), "$0.05"},
		{New(0, "EUR"), "€0.00"},
		{New(1200, "JPY"), "¥1200"},
		{New(990, "CHF"), "CHF 9.90"},
		{New(1234, "KWD"), "KWD 1.234"},
		{New(-250, "USD"), "-$2.50"},
	}
	for _, c := range cases {
		if got := c.m.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.m, got, c.want)
		}
	}
}

func TestAddMul(t *testing.T) {
	sum, err := New(100, "USD").Add(New(250, "USD"))
	if err != nil || sum != New(350, "USD") {
		t.Fatalf("Add = %v, %v", sum, err)
	}
	if _, err := New(100, "USD").Add(New(1, "EUR")); !errors.Is(err, ErrCurrencyMismatch) {
		t.Fatalf("mixing currencies: err = %v", err)
	}
	if _, err := New(MaxAmount, "USD").Add(New(1, "USD")); err == nil {
		t.Fatal("overflow past MaxAmount accepted")
	}
	p, err := New(1999, "USD").Mul(3)
	if err != nil || p.Amount != 5997 {
		t.Fatalf("Mul = %v, %v", p, err)
	}
	if _, err := New(MaxAmount/2+1, "USD").Mul(2); err == nil {
		t.Fatal("Mul overflow accepted")
	}
}

func TestValidate(t *testing.T) {
	good := []Money{New(0, "USD"), New(MaxAmount, "EUR")}
	bad := []Money{New(-1, "USD"), New(MaxAmount+1, "USD"), New(1, "usd"), New(1, "US"), New(1, "")}
	for _, m := range good {
		if err := m.Validate(); err != nil {
			t.Errorf("%+v: %v", m, err)
		}
	}
	for _, m := range bad {
		if m.Validate() == nil {
			t.Errorf("%+v accepted", m)
		}
	}
}
