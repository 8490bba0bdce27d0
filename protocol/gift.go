package protocol

import (
	"errors"
	"fmt"

	"github.com/livecart/livecart/money"
)

// Events and commands of gifts: a viewer's paid show of support.
const (
	TypeGift     Type = "gift"      // show event: a paid gift, for the chat and the animation; also the viewer's command to send one
	TypeGiftLink Type = "gift_link" // unicast: pay for the gift you asked for here
)

// Limits of gifts.
const (
	MaxGiftKinds = 8
	// MaxGiftsPerViewer and GiftCapMajor cap what one viewer gives in one
	// show: a count, and a total in major units of the show's currency.
	MaxGiftsPerViewer = 50
	GiftCapMajor      = 200
	// MaxSupporters is the length of the host's top supporters board.
	MaxSupporters = 10
)

// ErrCodeLimit refuses something that would pass a per-viewer cap.
const ErrCodeLimit = "limit_reached"

// GiftKind is one of the show's gifts and what it costs. The welcome
// lists them; a client draws each kind it knows with its own symbol.
type GiftKind struct {
	ID     string      `json:"id"` // "heart", "rose", "rocket"
	Name   string      `json:"name"`
	Amount money.Money `json:"amount"`
}

// Validate checks the kind.
func (k GiftKind) Validate() error {
	if err := checkID("gift kind", k.ID); err != nil {
		return err
	}
	if err := checkText("gift name", k.Name, MaxNameRunes, true); err != nil {
		return err
	}
	if err := k.Amount.Validate(); err != nil {
		return fmt.Errorf("gift %s: %w", k.ID, err)
	}
	if k.Amount.Amount < 1 {
		return fmt.Errorf("gift %s is free", k.ID)
	}
	return nil
}

// SendGift asks for a gift of a kind (viewer). The server answers with a
// GiftLink to pay at; the gift reaches the show only once it is paid.
type SendGift struct {
	Kind string `json:"kind"`
}

// Validate checks the kind's ID.
func (g SendGift) Validate() error { return checkID("gift kind", g.Kind) }

// GiftLink is where the viewer pays for the gift they asked for.
type GiftLink struct {
	GiftID   string      `json:"gift_id"`
	Kind     string      `json:"kind"`
	Amount   money.Money `json:"amount"`
	Checkout string      `json:"checkout"`
}

// Validate checks the link.
func (l GiftLink) Validate() error {
	if err := checkID("gift id", l.GiftID); err != nil {
		return err
	}
	if err := checkID("gift kind", l.Kind); err != nil {
		return err
	}
	if err := l.Amount.Validate(); err != nil {
		return err
	}
	if l.Checkout == "" || len(l.Checkout) > MaxCheckoutURLBytes {
		return errors.New("checkout link missing or too long")
	}
	return nil
}

// Gift is a paid gift, for everyone to see.
type Gift struct {
	ID     string      `json:"id"`
	From   Identity    `json:"from"`
	Kind   string      `json:"kind"`
	Amount money.Money `json:"amount"`
}

// Validate checks the gift.
func (g Gift) Validate() error {
	if err := checkID("gift id", g.ID); err != nil {
		return err
	}
	if err := g.From.Validate(); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := checkID("gift kind", g.Kind); err != nil {
		return err
	}
	return g.Amount.Validate()
}

// Supporter is one line of the host's top supporters board.
type Supporter struct {
	ID     string      `json:"id"`
	Name   string      `json:"name"`
	Gifts  int         `json:"gifts"`
	Amount money.Money `json:"amount"`
}
