package auction

import (
	"errors"
	"fmt"

	"github.com/livecart/livecart/money"
)

// Refusals. Each leaves the auction as it was; their texts can be shown to
// the person whose action was refused.
var (
	// ErrInvalidConfig is wrapped by New's refusals of a Config.
	ErrInvalidConfig = errors.New("invalid auction")
	// ErrEnded refuses a bid at or after the end time, or after Close.
	ErrEnded = errors.New("bidding has ended")
	// ErrCancelled refuses a bid on a cancelled auction.
	ErrCancelled = errors.New("the auction was cancelled")
	// ErrHasBids refuses Cancel once a bid is in: the leader is owed the
	// item or a result.
	ErrHasBids = errors.New("a bid is in: the auction can no longer be cancelled")
	// ErrAlreadyLeading refuses a plain bid from the leader, who would only
	// raise their own price.
	ErrAlreadyLeading = errors.New("you already lead")
	// ErrMaxNotRaised refuses a leader's new maximum that is not above their
	// current one.
	ErrMaxNotRaised = errors.New("your new maximum must be above your current one")
	// ErrNoBidder refuses a bid with an empty bidder ID.
	ErrNoBidder = errors.New("no bidder")
)

// TooLowError refuses a bid or maximum below the next valid amount.
type TooLowError struct {
	Next money.Money // the least amount that would have been accepted
}

func (e *TooLowError) Error() string { return fmt.Sprintf("bid at least %s", e.Next) }

// TooHighError refuses a bid or maximum above Ceiling.
type TooHighError struct {
	Max money.Money // the largest amount the engine accepts
}

func (e *TooHighError) Error() string { return fmt.Sprintf("bids are limited to %s", e.Max) }
