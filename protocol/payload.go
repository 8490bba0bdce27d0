package protocol

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
)

// Role is what a connection may do. The server assigns it; a client cannot
// name itself into a role.
type Role string

// Roles.
const (
	RoleViewer Role = "viewer"
	RoleHost   Role = "host"
)

// Identity is who sent something, as the server knows them.
type Identity struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// Variant is one buyable form of a product (a size, a colour). Its ID is what
// goes into a checkout link.
//
// Price is the variant's own regular price, present only where it differs
// from its product's (a store that prices sizes apart). It is optional and
// absent from older peers' variants, which cost the product's price; read
// it through Product.RegularOf, never directly.
type Variant struct {
	ID    string       `json:"id"`
	Name  string       `json:"name"`
	Stock int          `json:"stock"`
	Price *money.Money `json:"price,omitempty"`
}

// Product is a catalog entry. The product event carries the whole product,
// so applying it twice is harmless.
type Product struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Price       money.Money `json:"price"`
	Variants    []Variant   `json:"variants"`
	// Deal is the flash deal running on the product, if any. The server
	// sends the product again without it when it ends. What it takes off
	// a cart, per-buyer limit included, is package pricing's to say.
	Deal *Deal `json:"deal,omitempty"`
}

// Stock is the sum of the product's variants' stock.
func (p Product) Stock() int {
	n := 0
	for _, v := range p.Variants {
		n += v.Stock
	}
	return n
}

// Variant returns the variant with the given ID.
func (p Product) Variant(id string) (Variant, bool) {
	for _, v := range p.Variants {
		if v.ID == id {
			return v, true
		}
	}
	return Variant{}, false
}

// RegularOf is the regular price of one unit of the variant with the given
// ID: its own price when it has one, otherwise the product's.
func (p Product) RegularOf(variantID string) money.Money {
	if v, ok := p.Variant(variantID); ok && v.Price != nil {
		return *v.Price
	}
	return p.Price
}

// ShowInfo names the show.
type ShowInfo struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Host  string `json:"host"`
}

// Pin says which product (and which of its variants) the host is selling now.
// It is both the pin event and the host's pin command.
type Pin struct {
	ProductID string `json:"product_id"`
	VariantID string `json:"variant_id"`
}

// Unpin clears the pinned product. It has no fields.
type Unpin struct{}

// Chat is one chat line.
type Chat struct {
	ID     string   `json:"id"`
	Author Identity `json:"author"`
	Text   string   `json:"text"`
}

// Viewers is the current audience size.
type Viewers struct {
	Count int `json:"count"`
}

// Error codes carried by the error event.
const (
	ErrCodeBadRequest  = "bad_request"
	ErrCodeUnknownType = "unknown_type"
	ErrCodeForbidden   = "forbidden"
	ErrCodeNotFound    = "not_found"
	ErrCodeOutOfStock  = "out_of_stock"
	ErrCodeRateLimited = "rate_limited"
	ErrCodeInternal    = "internal" // the server could not do it; try again later
)

// Error tells one client that its command failed.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Min is the least amount that would have been accepted, for
	// ErrCodeBidTooLow. Optional.
	Min *money.Money `json:"min,omitempty"`
}

// Welcome is the first event a client gets: who it is and a full snapshot of
// the show. Its envelope's Seq is the seq of the last event the snapshot
// includes.
//
// When the server could honour a Resume, Resumed is true, Catalog, Pinned
// and Chat are left out (the client keeps its own), the envelope's Seq is
// the seq the client asked to resume after, and the events it missed follow
// in order.
type Welcome struct {
	Version  int       `json:"version"`
	Epoch    string    `json:"epoch"`
	Resumed  bool      `json:"resumed,omitempty"`
	You      Identity  `json:"you"`
	Show     ShowInfo  `json:"show"`
	Catalog  []Product `json:"catalog,omitempty"`
	Pinned   *Pin      `json:"pinned,omitempty"`
	Chat     []Chat    `json:"chat,omitempty"`
	Viewers  int       `json:"viewers"`
	Checkout string    `json:"checkout"` // link template; see CheckoutPlaceholder
	// The live formats, all optional: the running or last auction and
	// giveaway, and the gifts a viewer may send.
	Auction  *Auction   `json:"auction,omitempty"`
	Giveaway *Giveaway  `json:"giveaway,omitempty"`
	Gifts    []GiftKind `json:"gifts,omitempty"`
	// Alternates are other WebSocket URLs serving this show in the same
	// epoch, where a client that loses this one may resume. Optional; a
	// server that is not one of several edges sends none. Read them
	// through UsableAlternates: they are not checked by Validate, since a
	// bad one is skipped rather than spoiling the welcome.
	Alternates []string `json:"alternates,omitempty"`
}

// Hello is the client's first command.
type Hello struct {
	Version int     `json:"version"`
	Name    string  `json:"name"`
	Token   string  `json:"token,omitempty"` // host token; never shown
	Resume  *Resume `json:"resume,omitempty"`
	// ClientID names this client across reconnects (random, made by the
	// client once per run). Orders placed from its checkout links are
	// reported back to every connection with the same ClientID.
	ClientID string `json:"client_id,omitempty"`
}

// Resume asks to carry on where an earlier connection stopped: after the
// event with this seq, in this epoch of the show.
type Resume struct {
	Epoch string `json:"epoch"`
	Seq   uint64 `json:"seq"`
}

// Say sends a chat line.
type Say struct {
	Text string `json:"text"`
}

// Cart actions.
const (
	CartAdd    = "add"
	CartRemove = "remove"
	// CartCheckout says the viewer handed their cart to checkout: opened
	// the checkout link or put it on screen. It names no product.
	CartCheckout = "checkout"
)

// CartSignal tells the show that a viewer put something in, or took it out
// of, their cart, or handed it to checkout. The cart itself lives on the
// viewer's machine.
type CartSignal struct {
	Action    string `json:"action"`
	ProductID string `json:"product_id,omitempty"`
	VariantID string `json:"variant_id,omitempty"`
	Qty       int    `json:"qty,omitempty"`
}

// Item is a variant and a quantity.
type Item struct {
	VariantID string `json:"variant_id"`
	Qty       int    `json:"qty"`
}

// Buy records a purchase in the demo store and takes it out of stock.
type Buy struct {
	Items []Item `json:"items"`
}

// ValidID reports whether id is a usable identifier: 1 to MaxIDBytes of
// ASCII letters, digits, '-', '_' or '.'. IDs end up in checkout links and
// file names, so nothing else is allowed.
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

func checkID(what, id string) error {
	if !ValidID(id) {
		return fmt.Errorf("%s %q is not a valid id", what, truncateForError(id))
	}
	return nil
}

func checkText(what, s string, maxRunes int, required bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	if required && s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return fmt.Errorf("%s is %d characters, more than %d", what, n, maxRunes)
	}
	return nil
}

func checkQty(q int) error {
	if q < 1 || q > MaxQty {
		return fmt.Errorf("quantity %d is not between 1 and %d", q, MaxQty)
	}
	return nil
}

// truncateForError shortens s for an error message, on a rune boundary so
// the message stays valid UTF-8 (it may end up in a close frame).
func truncateForError(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) > 20 {
		return string([]rune(s)[:20]) + "…"
	}
	return s
}

// Validate checks the identity's fields.
func (i Identity) Validate() error {
	if err := checkID("identity id", i.ID); err != nil {
		return err
	}
	if err := checkText("name", i.Name, MaxNameRunes, true); err != nil {
		return err
	}
	if i.Role != RoleViewer && i.Role != RoleHost {
		return fmt.Errorf("unknown role %q", truncateForError(string(i.Role)))
	}
	return nil
}

// Validate checks the variant's fields.
func (v Variant) Validate() error {
	if err := checkID("variant id", v.ID); err != nil {
		return err
	}
	if err := checkText("variant name", v.Name, MaxProductNameRunes, true); err != nil {
		return err
	}
	if v.Stock < 0 || v.Stock > MaxStock {
		return fmt.Errorf("variant %s: stock %d is not between 0 and %d", v.ID, v.Stock, MaxStock)
	}
	if v.Price != nil {
		if err := v.Price.Validate(); err != nil {
			return fmt.Errorf("variant %s: price: %w", v.ID, err)
		}
	}
	return nil
}

// Validate checks the product, its price and its variants.
func (p Product) Validate() error {
	if err := checkID("product id", p.ID); err != nil {
		return err
	}
	if err := checkText("product name", p.Name, MaxProductNameRunes, true); err != nil {
		return err
	}
	if err := checkText("description", p.Description, MaxDescriptionRunes, false); err != nil {
		return err
	}
	if err := p.Price.Validate(); err != nil {
		return fmt.Errorf("product %s: price: %w", p.ID, err)
	}
	if len(p.Variants) == 0 || len(p.Variants) > MaxVariants {
		return fmt.Errorf("product %s: %d variants, want 1 to %d", p.ID, len(p.Variants), MaxVariants)
	}
	if p.Deal != nil {
		if err := p.Deal.Validate(p.Price); err != nil {
			return fmt.Errorf("product %s: deal: %w", p.ID, err)
		}
	}
	seen := make(map[string]bool, len(p.Variants))
	for _, v := range p.Variants {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("product %s: %w", p.ID, err)
		}
		if v.Price != nil && v.Price.Currency != p.Price.Currency {
			return fmt.Errorf("product %s: variant %s is priced in %s, the product in %s", p.ID, v.ID, v.Price.Currency, p.Price.Currency)
		}
		if seen[v.ID] {
			return fmt.Errorf("product %s: variant %s listed twice", p.ID, v.ID)
		}
		seen[v.ID] = true
	}
	return nil
}

// Validate checks both IDs.
func (p Pin) Validate() error {
	if err := checkID("product id", p.ProductID); err != nil {
		return err
	}
	return checkID("variant id", p.VariantID)
}

// Validate checks the chat line.
func (c Chat) Validate() error {
	if err := checkID("chat id", c.ID); err != nil {
		return err
	}
	if err := c.Author.Validate(); err != nil {
		return fmt.Errorf("author: %w", err)
	}
	return checkText("chat text", c.Text, MaxChatRunes, true)
}

// Validate refuses negative or absurd counts.
func (v Viewers) Validate() error {
	if v.Count < 0 || v.Count > 10_000_000 {
		return fmt.Errorf("viewer count %d out of range", v.Count)
	}
	return nil
}

// Validate checks the error's text.
func (e Error) Validate() error {
	if err := checkText("error code", e.Code, 32, true); err != nil {
		return err
	}
	if e.Min != nil {
		if err := e.Min.Validate(); err != nil {
			return fmt.Errorf("min: %w", err)
		}
	}
	return checkText("error message", e.Message, MaxErrorRunes, false)
}

// Validate checks the whole snapshot. One bad product spoils the welcome:
// a client that drew half a catalog would mislead its user.
func (w Welcome) Validate() error {
	if w.Version != Version {
		return fmt.Errorf("protocol version %d, want %d", w.Version, Version)
	}
	if err := w.You.Validate(); err != nil {
		return fmt.Errorf("you: %w", err)
	}
	if w.Epoch != "" && !ValidID(w.Epoch) {
		return fmt.Errorf("epoch %q is not a valid id", truncateForError(w.Epoch))
	}
	if err := checkID("show id", w.Show.ID); err != nil {
		return err
	}
	if err := checkText("show title", w.Show.Title, MaxTitleRunes, true); err != nil {
		return err
	}
	if err := checkText("host name", w.Show.Host, MaxNameRunes, false); err != nil {
		return err
	}
	if len(w.Catalog) > MaxProducts {
		return fmt.Errorf("catalog has %d products, more than %d", len(w.Catalog), MaxProducts)
	}
	for _, p := range w.Catalog {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
	}
	if w.Pinned != nil {
		if err := w.Pinned.Validate(); err != nil {
			return fmt.Errorf("pinned: %w", err)
		}
	}
	if len(w.Chat) > MaxRecentChat {
		return fmt.Errorf("snapshot has %d chat lines, more than %d", len(w.Chat), MaxRecentChat)
	}
	for _, c := range w.Chat {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("chat: %w", err)
		}
	}
	if w.Viewers < 0 {
		return errors.New("negative viewer count")
	}
	if len(w.Checkout) > MaxCheckoutURLBytes {
		return errors.New("checkout template too long")
	}
	if w.Auction != nil {
		if err := w.Auction.Validate(); err != nil {
			return fmt.Errorf("auction: %w", err)
		}
	}
	if w.Giveaway != nil {
		if err := w.Giveaway.Validate(); err != nil {
			return fmt.Errorf("giveaway: %w", err)
		}
	}
	if len(w.Gifts) > MaxGiftKinds {
		return fmt.Errorf("%d gift kinds, more than %d", len(w.Gifts), MaxGiftKinds)
	}
	for _, k := range w.Gifts {
		if err := k.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the greeting. Version is checked by the server separately
// so it can answer with its own close code.
func (h Hello) Validate() error {
	if err := checkText("name", h.Name, 4*MaxNameRunes, false); err != nil {
		return err
	}
	if err := checkText("token", h.Token, MaxTokenRunes, false); err != nil {
		return err
	}
	if h.ClientID != "" && !ValidID(h.ClientID) {
		return fmt.Errorf("client id %q is not a valid id", truncateForError(h.ClientID))
	}
	if h.Resume != nil {
		return checkText("resume epoch", h.Resume.Epoch, MaxIDBytes, true)
	}
	return nil
}

// Validate checks the chat text. Length is enforced after the server has
// sanitized it, so only UTF-8 and a generous bound are checked here.
func (s Say) Validate() error {
	return checkText("text", s.Text, 2*MaxChatRunes, true)
}

// Validate checks the action, IDs and quantity. A checkout carries none
// of them.
func (c CartSignal) Validate() error {
	if c.Action == CartCheckout {
		if c.ProductID != "" || c.VariantID != "" || c.Qty != 0 {
			return errors.New("cart checkout: product_id, variant_id and qty must be absent")
		}
		return nil
	}
	if c.Action != CartAdd && c.Action != CartRemove {
		return fmt.Errorf("cart action %q is not add, remove or checkout", truncateForError(c.Action))
	}
	if err := checkID("product id", c.ProductID); err != nil {
		return err
	}
	if err := checkID("variant id", c.VariantID); err != nil {
		return err
	}
	return checkQty(c.Qty)
}

// Validate checks the item.
func (i Item) Validate() error {
	if err := checkID("variant id", i.VariantID); err != nil {
		return err
	}
	return checkQty(i.Qty)
}

// Validate checks every item.
func (b Buy) Validate() error {
	if len(b.Items) == 0 || len(b.Items) > MaxBuyItems {
		return fmt.Errorf("%d items, want 1 to %d", len(b.Items), MaxBuyItems)
	}
	for _, it := range b.Items {
		if err := it.Validate(); err != nil {
			return err
		}
	}
	return nil
}
