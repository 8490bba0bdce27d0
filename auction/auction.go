// Package auction is livecart's auction engine: one unit of a variant sold
// to the highest bidder while the host talks, in the manner of Whatnot and
// TikTok Shop.
//
// The host sets a starting bid, a duration and either a counter-bid time
// (a bid accepted with less than that left pushes the end to now plus that
// time) or sudden death (no extensions: whoever leads when the clock runs
// out wins). The next valid bid is the starting bid, then the price plus
// Increment(price).
//
// A viewer places a plain bid (exactly that amount) or sets a secret
// maximum, and the engine bids for them the least needed to lead, up to
// that maximum. A plain bid of A is a maximum of A that also sets the price
// to at least A if it leads. Equal maximums go to the one set first.
//
// Resolution only ever weighs two parties, the leader and the new bid,
// because the engine keeps one invariant: every bidder but the leader has a
// maximum no higher than the price. A new bid must reach the next amount,
// which is above the price, so it beats every non-leader already; only the
// leader's maximum can stand against it. Whichever of the two loses ends at
// or below the new price, so the invariant holds again.
//
// The engine does no I/O, starts no goroutine and reads no clock: the caller
// passes the time to every call that needs it. It is not safe for
// concurrent use; the show server calls it under its lock.
package auction

import (
	"fmt"
	"time"

	"github.com/livecart/livecart/money"
)

// Bounds of a Config, inclusive.
const (
	MinDuration    = 10 * time.Second
	MaxDuration    = 10 * time.Minute
	MinCounter     = time.Second
	MaxCounter     = 60 * time.Second
	DefaultCounter = 10 * time.Second // used when Config.Counter is zero
)

// Config is what the host chooses when starting an auction.
type Config struct {
	Start    money.Money   // the starting bid: the first bid must reach it
	Duration time.Duration // how long bidding runs before any extension
	// Counter is the counter-bid time: a bid that lands with less than
	// this left sets the end to now+Counter. Zero means DefaultCounter.
	// Ignored in sudden death.
	Counter time.Duration
	Sudden  bool // sudden death: the clock is never extended
}

// Validate reports what is wrong with c, if anything, in words a host can
// act on. A zero Counter is valid (it means DefaultCounter).
func (c Config) Validate() error {
	if err := c.Start.Validate(); err != nil {
		return fmt.Errorf("%w: starting bid: %v", ErrInvalidConfig, err)
	}
	if c.Start.Amount < 1 {
		return fmt.Errorf("%w: the starting bid must be more than zero", ErrInvalidConfig)
	}
	if ceil := Ceiling(c.Start.Currency); c.Start.Amount > ceil {
		return fmt.Errorf("%w: the starting bid must be at most %s", ErrInvalidConfig, money.New(ceil, c.Start.Currency))
	}
	if c.Duration < MinDuration || c.Duration > MaxDuration {
		return fmt.Errorf("%w: the duration must be from %v to %v, not %v", ErrInvalidConfig, MinDuration, MaxDuration, c.Duration)
	}
	if !c.Sudden && c.Counter != 0 && (c.Counter < MinCounter || c.Counter > MaxCounter) {
		return fmt.Errorf("%w: the counter-bid time must be from %v to %v, not %v", ErrInvalidConfig, MinCounter, MaxCounter, c.Counter)
	}
	return nil
}

type phase int

const (
	running phase = iota
	closed
	cancelled
)

// Auction is one auction's state. Create it with New.
type Auction struct {
	cfg        Config // Counter resolved: DefaultCounter if zero, 0 in sudden death
	unit       int64  // minor units in one major unit of the currency
	end        time.Time
	price      int64            // minor units; 0 before the first bid
	leader     string           // "" before the first bid
	maxes      map[string]int64 // every bidder's maximum; a plain bid's is its amount
	bids       int
	extensions int
	phase      phase
}

// New starts an auction at now, ending at now+cfg.Duration unless extended.
func New(cfg Config, now time.Time) (*Auction, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case cfg.Sudden:
		cfg.Counter = 0
	case cfg.Counter == 0:
		cfg.Counter = DefaultCounter
	}
	return &Auction{
		cfg:   cfg,
		unit:  money.MajorUnit(cfg.Start.Currency),
		end:   now.Add(cfg.Duration),
		maxes: make(map[string]int64),
	}, nil
}

// Result is what an accepted bid did. Amounts are in the auction's
// currency.
type Result struct {
	Price         money.Money // the price after the bid
	Next          money.Money // the next valid amount after the bid
	Leader        string      // who leads after the bid
	Leading       bool        // whether the bidder leads; false when a maximum outbid them at once
	LeaderChanged bool        // whether the lead passed to someone else
	Outbid        string      // the previous leader when they lost the lead, else ""
	Extended      bool        // whether the bid pushed the end time out
	End           time.Time   // the end time after the bid
	Max           int64       // for a maximum, the bidder's maximum in minor units; else 0
}

// Bid places bidder's bid of amount minor units at now. When proxy is false
// it is a plain bid of exactly amount; when true amount is the bidder's
// secret maximum and the engine bids for them the least needed to lead. A
// nil error means the bid was accepted, even when another's maximum outbid
// it at once (Result.Leading is then false). The leader may only raise their
// own maximum: its Result leaves the price and the clock as they were.
//
// Refusals leave the auction unchanged: ErrCancelled, ErrEnded (at or after
// the end time), ErrNoBidder, ErrAlreadyLeading, ErrMaxNotRaised,
// *TooHighError and *TooLowError (which carries the next valid amount).
func (a *Auction) Bid(bidder string, amount int64, proxy bool, now time.Time) (Result, error) {
	switch {
	case a.phase == cancelled:
		return Result{}, ErrCancelled
	case a.phase == closed || !now.Before(a.end):
		return Result{}, ErrEnded
	case bidder == "":
		return Result{}, ErrNoBidder
	case bidder == a.leader && !proxy:
		return Result{}, ErrAlreadyLeading
	case bidder == a.leader && amount <= a.maxes[bidder]:
		return Result{}, ErrMaxNotRaised
	}
	if ceil := Ceiling(a.cfg.Start.Currency); amount > ceil {
		return Result{}, &TooHighError{Max: a.money(ceil)}
	}
	next := a.next()
	if amount < next {
		return Result{}, &TooLowError{Next: a.money(next)}
	}

	prevLeader, prevPrice := a.leader, a.price
	if bidder == a.leader {
		a.maxes[bidder] = amount // a secret raise: nobody else learns of it
	} else {
		a.resolve(bidder, amount, proxy, next)
		a.bids++
	}
	changed := a.price != prevPrice || a.leader != prevLeader
	extended := changed && !a.cfg.Sudden && a.end.Sub(now) < a.cfg.Counter
	if extended {
		a.end = now.Add(a.cfg.Counter)
		a.extensions++
	}

	r := Result{
		Price:         a.money(a.price),
		Next:          a.money(a.next()),
		Leader:        a.leader,
		Leading:       a.leader == bidder,
		LeaderChanged: a.leader != prevLeader,
		Extended:      extended,
		End:           a.end,
	}
	if r.LeaderChanged {
		r.Outbid = prevLeader
	}
	if proxy {
		r.Max = amount
	}
	return r, nil
}

// resolve weighs a new bid from bidder (not the leader) against the leader's
// maximum and sets the leader and price. The bid's maximum is amount; its
// floor, the least price it sets if it leads, is amount for a plain bid and
// next for a maximum.
func (a *Auction) resolve(bidder string, amount int64, proxy bool, next int64) {
	mb, floor := amount, amount
	if proxy {
		floor = next
	}
	a.maxes[bidder] = mb
	if a.leader == "" {
		a.leader, a.price = bidder, floor
		return
	}
	ml := a.maxes[a.leader]
	if mb > ml {
		// The new bid leads, one increment over the old leader's maximum
		// if its own maximum allows.
		a.leader = bidder
		a.price = max(floor, min(mb, ml+increment(ml, a.unit)))
		return
	}
	// The leader's maximum holds (ties go to the earlier): it answers one
	// increment over the new bid, up to itself.
	a.price = max(a.price, min(ml, mb+increment(mb, a.unit)), mb)
}

// next returns the least acceptable bid in minor units.
func (a *Auction) next() int64 {
	if a.leader == "" {
		return a.cfg.Start.Amount
	}
	return a.price + increment(a.price, a.unit)
}

func (a *Auction) money(amount int64) money.Money { return money.New(amount, a.cfg.Start.Currency) }

// Outcome is how an auction ended.
type Outcome struct {
	Sold   bool
	Winner string      // the bidder who won, when Sold
	Price  money.Money // what the winner pays, when Sold
}

// Close ends the auction if now is at or after its end time and reports its
// outcome and true; before the end time it does nothing and returns false.
// Once the auction has ended (or was cancelled, which is unsold) every
// call returns the same outcome and true.
func (a *Auction) Close(now time.Time) (Outcome, bool) {
	if a.phase == running {
		if now.Before(a.end) {
			return Outcome{}, false
		}
		a.phase = closed
	}
	if a.phase == cancelled || a.leader == "" {
		return Outcome{}, true
	}
	return Outcome{Sold: true, Winner: a.leader, Price: a.money(a.price)}, true
}

// Cancel ends the auction unsold. It is refused with ErrHasBids once a bid
// is in and with ErrEnded after Close; cancelling twice is not an error.
func (a *Auction) Cancel() error {
	switch {
	case a.phase == closed:
		return ErrEnded
	case a.bids > 0:
		return ErrHasBids
	}
	a.phase = cancelled
	return nil
}

// State is an auction's public state: what every viewer may see. Bidders'
// maximums are not in it.
type State struct {
	Start      money.Money
	Price      money.Money // the zero Money before the first bid
	Next       money.Money // the least acceptable bid
	Leader     string      // "" before the first bid
	Bids       int         // bids accepted; a leader raising their maximum is not one
	End        time.Time
	Counter    time.Duration // the counter-bid time; 0 in sudden death
	Sudden     bool
	Extensions int // how many times a bid pushed the end out
	// Ended is true once Close or Cancel has ended the auction. An auction
	// past its end time reads false until Close, though it takes no bid.
	Ended     bool
	Cancelled bool
}

// Snapshot returns the auction's public state.
func (a *Auction) Snapshot() State {
	s := State{
		Start:      a.cfg.Start,
		Next:       a.money(a.next()),
		Leader:     a.leader,
		Bids:       a.bids,
		End:        a.end,
		Counter:    a.cfg.Counter,
		Sudden:     a.cfg.Sudden,
		Extensions: a.extensions,
		Ended:      a.phase != running,
		Cancelled:  a.phase == cancelled,
	}
	if a.leader != "" {
		s.Price = a.money(a.price)
	}
	return s
}

// MaxOf returns bidder's own maximum in minor units, and false when they
// have no accepted bid. For a bidder whose latest bid was plain it is the
// amount of that bid. Show it only to that bidder.
func (a *Auction) MaxOf(bidder string) (int64, bool) {
	m, ok := a.maxes[bidder]
	return m, ok
}
