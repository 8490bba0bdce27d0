package auction

import (
	"testing"

	"github.com/livecart/livecart/money"
)

func TestIncrement(t *testing.T) {
	cases := []struct {
		price money.Money
		want  int64
	}{
		{money.New(0, "USD"), 100},
		{money.New(2999, "USD"), 100},
		{money.New(3000, "USD"), 200},
		{money.New(4999, "USD"), 200},
		{money.New(5000, "USD"), 300},
		{money.New(9999, "USD"), 300},
		{money.New(10000, "USD"), 500},
		{money.New(29999, "USD"), 500},
		{money.New(30000, "USD"), 1000},
		{money.New(99999, "USD"), 1000},
		{money.New(100000, "USD"), 2000},
		{money.New(199999, "USD"), 2000},
		{money.New(200000, "USD"), 5000},
		{money.New(Ceiling("USD"), "USD"), 5000},
		// JPY has no minor units: the table is in yen.
		{money.New(29, "JPY"), 1},
		{money.New(30, "JPY"), 2},
		{money.New(500, "JPY"), 10},
		{money.New(1999, "JPY"), 20},
		{money.New(2000, "JPY"), 50},
		// KWD has three.
		{money.New(29999, "KWD"), 1000},
		{money.New(30000, "KWD"), 2000},
	}
	for _, c := range cases {
		if got := Increment(c.price); got != c.want {
			t.Errorf("Increment(%v) = %d, want %d", c.price, got, c.want)
		}
	}
}

func TestCeiling(t *testing.T) {
	for cur, want := range map[string]int64{"USD": 100_000_000, "JPY": 1_000_000, "KWD": money.MaxAmount} {
		if got := Ceiling(cur); got != want {
			t.Errorf("Ceiling(%s) = %d, want %d", cur, got, want)
		}
	}
}
