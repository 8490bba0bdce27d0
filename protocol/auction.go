package protocol

import (
	"errors"
	"fmt"
	"time"

	"github.com/livecart/livecart/money"
)

// Events and commands of auctions. One auction runs at a time.
const (
	TypeAuction       Type = "auction"        // show event: an auction's whole public state
	TypeAuctionWon    Type = "auction_won"    // unicast: you won; pay through this link
	TypeMaxBid        Type = "max_bid"        // unicast: your secret maximum, as the server holds it
	TypeStartAuction  Type = "start_auction"  // host: put a variant up for auction
	TypeCancelAuction Type = "cancel_auction" // host: withdraw an auction no one has bid on
	TypeBid           Type = "bid"            // viewer: bid, or set a secret maximum
)

// Limits of auctions.
const (
	MinAuction        = 10 * time.Second
	MaxAuction        = 10 * time.Minute
	DefaultCounterBid = 10 * time.Second
	MaxCounterBid     = 60 * time.Second
	// MinAuctionHold and MaxAuctionHold bound how long a won item is held
	// for its winner to pay.
	MinAuctionHold = time.Minute
	MaxAuctionHold = 24 * time.Hour
)

// Auction states.
const (
	AuctionOpen      = "open"      // taking bids until EndsAt
	AuctionSold      = "sold"      // ended with a winner: Leader, at Price
	AuctionUnsold    = "unsold"    // ended without a bid
	AuctionCancelled = "cancelled" // the host withdrew it before any bid, or the show's server restarted while it ran
)

// ErrCodeBidTooLow refuses a bid below the next valid amount; the error's
// Min says what would be accepted.
const ErrCodeBidTooLow = "bid_too_low"

// Auction is the whole public state of an auction, sent as a show event
// whenever it changes (start, a bid, an extension, the end), so applying
// it twice is harmless. Nobody's secret maximum is in it.
type Auction struct {
	ID        string      `json:"id"`
	ProductID string      `json:"product_id"`
	VariantID string      `json:"variant_id"`
	Start     money.Money `json:"start"` // the opening bid
	// Price is the leading bid; absent before the first.
	Price *money.Money `json:"price,omitempty"`
	// Next is the least the next bid may be: Start before the first bid,
	// then Price plus the increment for Price.
	Next   money.Money `json:"next"`
	Leader *Identity   `json:"leader,omitempty"` // who leads (or won)
	Bids   int         `json:"bids"`             // bids accepted, the server's proxy bids included
	EndsAt time.Time   `json:"ends_at"`          // server time; moves when a late bid extends it
	// CounterSeconds is the counter-bid time: a bid accepted with less
	// than this left sets the end this far ahead. 0 is sudden death.
	CounterSeconds int    `json:"counter_seconds,omitempty"`
	Extensions     int    `json:"extensions,omitempty"` // times a late bid moved EndsAt
	State          string `json:"state"`
}

// Validate checks the auction's fields.
func (a Auction) Validate() error {
	if err := checkID("auction id", a.ID); err != nil {
		return err
	}
	if err := checkID("product id", a.ProductID); err != nil {
		return err
	}
	if err := checkID("variant id", a.VariantID); err != nil {
		return err
	}
	if err := a.Start.Validate(); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	if err := a.Next.Validate(); err != nil {
		return fmt.Errorf("next: %w", err)
	}
	if a.Next.Currency != a.Start.Currency {
		return errors.New("auction amounts in two currencies")
	}
	if a.Price != nil {
		if err := a.Price.Validate(); err != nil {
			return fmt.Errorf("price: %w", err)
		}
		if a.Price.Currency != a.Start.Currency {
			return errors.New("auction amounts in two currencies")
		}
	}
	if a.Leader != nil {
		if err := a.Leader.Validate(); err != nil {
			return fmt.Errorf("leader: %w", err)
		}
	}
	if a.Bids < 0 || a.Extensions < 0 {
		return errors.New("negative auction counts")
	}
	if a.EndsAt.IsZero() {
		return errors.New("auction has no end")
	}
	if a.CounterSeconds < 0 || time.Duration(a.CounterSeconds)*time.Second > MaxCounterBid {
		return fmt.Errorf("counter-bid time %d s out of range", a.CounterSeconds)
	}
	switch a.State {
	case AuctionOpen, AuctionSold, AuctionUnsold, AuctionCancelled:
	default:
		return fmt.Errorf("unknown auction state %q", truncateForError(a.State))
	}
	if a.State == AuctionSold && (a.Leader == nil || a.Price == nil) {
		return errors.New("sold auction without a winner")
	}
	return nil
}

// Ended reports whether the auction takes no more bids.
func (a *Auction) Ended() bool { return a != nil && a.State != AuctionOpen }

// AuctionWon tells the winner what they won and where to pay. The item is
// held for them at the winning price until HeldUntil.
type AuctionWon struct {
	AuctionID string      `json:"auction_id"`
	ProductID string      `json:"product_id"`
	VariantID string      `json:"variant_id"`
	Price     money.Money `json:"price"`
	Checkout  string      `json:"checkout"` // the link to pay at
	HeldUntil time.Time   `json:"held_until"`
}

// Validate checks the win.
func (w AuctionWon) Validate() error {
	if err := checkID("auction id", w.AuctionID); err != nil {
		return err
	}
	if err := checkID("product id", w.ProductID); err != nil {
		return err
	}
	if err := checkID("variant id", w.VariantID); err != nil {
		return err
	}
	if err := w.Price.Validate(); err != nil {
		return fmt.Errorf("price: %w", err)
	}
	if w.Checkout == "" || len(w.Checkout) > MaxCheckoutURLBytes {
		return errors.New("checkout link missing or too long")
	}
	if w.HeldUntil.IsZero() {
		return errors.New("hold has no end")
	}
	return nil
}

// MaxBid tells a bidder the secret maximum the server bids for them up to.
// Only its owner gets it.
type MaxBid struct {
	AuctionID string      `json:"auction_id"`
	Max       money.Money `json:"max"`
}

// Validate checks the maximum.
func (m MaxBid) Validate() error {
	if err := checkID("auction id", m.AuctionID); err != nil {
		return err
	}
	return m.Max.Validate()
}

// StartAuction puts one unit of a variant up for auction (host). Start is
// in minor units of the product's currency. CounterSeconds 0 means the
// default counter-bid time unless Sudden is set.
type StartAuction struct {
	ProductID      string `json:"product_id"`
	VariantID      string `json:"variant_id"`
	Start          int64  `json:"start"`
	Seconds        int    `json:"seconds"`
	CounterSeconds int    `json:"counter_seconds,omitempty"`
	Sudden         bool   `json:"sudden,omitempty"` // no extensions: the last bid when the clock runs out wins
}

// Validate checks the auction's shape; the server checks it against the
// catalog.
func (a StartAuction) Validate() error {
	if err := checkID("product id", a.ProductID); err != nil {
		return err
	}
	if err := checkID("variant id", a.VariantID); err != nil {
		return err
	}
	if a.Start < 1 || a.Start > money.MaxAmount {
		return fmt.Errorf("starting bid %d is not between 1 and %d minor units", a.Start, money.MaxAmount)
	}
	d := time.Duration(a.Seconds) * time.Second
	if d < MinAuction || d > MaxAuction {
		return fmt.Errorf("auction of %d s is not between %d s and %d s", a.Seconds, int(MinAuction.Seconds()), int(MaxAuction.Seconds()))
	}
	if a.Sudden && a.CounterSeconds != 0 {
		return errors.New("a sudden-death auction has no counter-bid time")
	}
	if a.CounterSeconds < 0 || time.Duration(a.CounterSeconds)*time.Second > MaxCounterBid {
		return fmt.Errorf("counter-bid time %d s is not between 1 s and %d s", a.CounterSeconds, int(MaxCounterBid.Seconds()))
	}
	return nil
}

// CancelAuction withdraws the running auction before any bid (host).
type CancelAuction struct {
	AuctionID string `json:"auction_id"`
}

// Validate checks the ID.
func (c CancelAuction) Validate() error { return checkID("auction id", c.AuctionID) }

// Bid bids Amount (minor units of the auction's currency) on the running
// auction (viewer). With Max set, Amount is a secret maximum instead: the
// server bids for the viewer one increment over anyone else, up to it.
type Bid struct {
	AuctionID string `json:"auction_id"`
	Amount    int64  `json:"amount"`
	Max       bool   `json:"max,omitempty"`
}

// Validate checks the bid's shape.
func (b Bid) Validate() error {
	if err := checkID("auction id", b.AuctionID); err != nil {
		return err
	}
	if b.Amount < 1 || b.Amount > money.MaxAmount {
		return fmt.Errorf("bid %d is not between 1 and %d minor units", b.Amount, money.MaxAmount)
	}
	return nil
}
