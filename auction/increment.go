package auction

import "github.com/livecart/livecart/money"

// MaxMajor is the largest bid or maximum the engine accepts, in major units
// of the auction's currency. A larger one is a typo or an attack, not a bid.
const MaxMajor = 1_000_000

// steps is the increment table: from Price (major units) up, a bid must rise
// by Step (major units). Ordered by Price, highest first.
var steps = []struct{ Price, Step int64 }{
	{2000, 50},
	{1000, 20},
	{300, 10},
	{100, 5},
	{50, 3},
	{30, 2},
	{0, 1},
}

// Increment returns, in minor units of price's currency, how much the next
// bid must add to price: 1 major unit under 30, 2 from 30, 3 from 50, 5 from
// 100, 10 from 300, 20 from 1,000 and 50 from 2,000 up.
func Increment(price money.Money) int64 {
	return increment(price.Amount, money.MajorUnit(price.Currency))
}

// increment is Increment for an amount in minor units, unit of them to one
// major unit.
func increment(amount, unit int64) int64 {
	for _, s := range steps {
		if amount >= s.Price*unit {
			return s.Step * unit
		}
	}
	return steps[len(steps)-1].Step * unit
}

// Ceiling returns, in minor units of currency, the largest bid or maximum
// the engine accepts: MaxMajor major units, and never above money.MaxAmount.
func Ceiling(currency string) int64 {
	return min(MaxMajor*money.MajorUnit(currency), money.MaxAmount)
}
