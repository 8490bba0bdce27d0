package protocol

import (
	"errors"
	"fmt"
	"time"

	"github.com/livecart/livecart/money"
)

// Events added for deals, purchases, moderation and the host's metrics.
const (
	TypePurchase    Type = "purchase"     // show event: someone bought something
	TypeChatDeleted Type = "chat_deleted" // show event: the host removed a line
	TypeSettings    Type = "settings"     // show event: slow mode changed
	TypeNotice      Type = "notice"       // unicast: timed out, banned, slow down
	TypeOrder       Type = "order"        // unicast: your order was placed
	TypeMetrics     Type = "metrics"      // unicast to hosts, once a second
)

// Host-only commands. TypePin and TypeUnpin are host commands too.
const (
	TypeQueue        Type = "queue"         // set the up-next list
	TypePinNext      Type = "pin_next"      // pin the head of the up-next list
	TypeStartDeal    Type = "start_deal"    // start a flash deal
	TypeEndDeal      Type = "end_deal"      // end a deal early
	TypeSetStock     Type = "set_stock"     // set a variant's stock
	TypeSetPrice     Type = "set_price"     // set a product's price
	TypeDeleteChat   Type = "delete_chat"   // remove a chat line for everyone
	TypeTimeout      Type = "timeout"       // mute a viewer for a while
	TypeBan          Type = "ban"           // remove a viewer from the show
	TypeSlowMode     Type = "slow_mode"     // at most one line per N seconds per viewer
	TypeBlockedWords Type = "blocked_words" // chat lines with these words are refused
)

// Limits of deals and moderation.
const (
	MinDeal         = 30 * time.Second
	MaxDeal         = 20 * time.Minute
	MaxTimeout      = 24 * time.Hour
	MaxSlowMode     = 10 * time.Minute
	MaxBlockedWords = 100
	MaxBlockedRunes = 40 // per word
	MaxQueue        = MaxProducts
)

// Deal is a flash deal on a product.
type Deal struct {
	Price     money.Money `json:"price"`                // the price during the deal
	Percent   int         `json:"percent,omitempty"`    // percent off, as the host set it
	AmountOff int64       `json:"amount_off,omitempty"` // or minor units off
	EndsAt    time.Time   `json:"ends_at"`              // server time
	PerBuyer  int         `json:"per_buyer,omitempty"`  // units one buyer may take at this price; 0 = no limit
	// Code is a discount code of the real store the show sells on that
	// gives the deal's price at its checkout; empty for none. Checkout
	// links that order units at the deal's price carry it.
	Code string `json:"code,omitempty"`
}

// ValidDiscountCode reports whether code is fit to be a deal's store
// discount code: 1 to MaxDiscountCodeBytes letters (A-Z, a-z), digits,
// '-' and '_', which read the same unescaped anywhere in a URL.
func ValidDiscountCode(code string) bool {
	if code == "" || len(code) > MaxDiscountCodeBytes {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func checkDiscountCode(code string) error {
	if code != "" && !ValidDiscountCode(code) {
		return fmt.Errorf("discount code %q is not 1 to %d letters, digits, - or _", truncateForError(code), MaxDiscountCodeBytes)
	}
	return nil
}

// Validate checks the deal against the product's regular price.
func (d Deal) Validate(regular money.Money) error {
	if err := d.Price.Validate(); err != nil {
		return fmt.Errorf("price: %w", err)
	}
	if d.Price.Currency != regular.Currency {
		return errors.New("deal currency differs from the product's")
	}
	if d.Price.Amount >= regular.Amount {
		return fmt.Errorf("deal price %s is not below %s", d.Price, regular)
	}
	if d.EndsAt.IsZero() {
		return errors.New("deal has no end")
	}
	if d.PerBuyer < 0 || d.PerBuyer > MaxQty {
		return fmt.Errorf("per-buyer limit %d is not between 0 and %d", d.PerBuyer, MaxQty)
	}
	return checkDiscountCode(d.Code)
}

// Active reports whether the deal is still on at the given server time.
func (d *Deal) Active(serverNow time.Time) bool { return d != nil && serverNow.Before(d.EndsAt) }

// DealPrice is regular with percent off (rounded to the nearest minor
// unit, halves up) or amountOff off, never below one minor unit, and
// always a real discount. The server prices a deal with it when the host
// starts one, and every peer prices a variant with its own price with it.
func DealPrice(regular money.Money, percent int, amountOff int64) (money.Money, error) {
	var amount int64
	switch {
	case percent > 0:
		amount = (regular.Amount*int64(100-percent) + 50) / 100
	case amountOff >= regular.Amount:
		return money.Money{}, fmt.Errorf("%s off is not below the price %s",
			money.New(amountOff, regular.Currency), regular)
	default:
		amount = regular.Amount - amountOff
	}
	amount = max(amount, 1)
	if amount >= regular.Amount {
		return money.Money{}, fmt.Errorf("%d%% off %s leaves no discount", percent, regular)
	}
	return money.New(amount, regular.Currency), nil
}

// DealOf is the price of one unit of the variant under the product's deal
// and true, or false when no deal runs at serverNow or the deal takes
// nothing off this variant. A variant at the product's price gets the
// deal's Price; one with its own price gets the deal's percent or amount
// off that price (DealPrice), and no discount when that leaves none.
func (p Product) DealOf(variantID string, serverNow time.Time) (money.Money, bool) {
	if !p.Deal.Active(serverNow) {
		return money.Money{}, false
	}
	regular := p.RegularOf(variantID)
	if regular == p.Price {
		return p.Deal.Price, true
	}
	price, err := DealPrice(regular, p.Deal.Percent, p.Deal.AmountOff)
	if err != nil || (p.Deal.Percent == 0 && p.Deal.AmountOff == 0) {
		return money.Money{}, false
	}
	return price, true
}

// VariantPriceAt is what one unit of the variant costs at the given server
// time: DealOf while it takes something off, RegularOf otherwise. It is
// PriceAt for one variant.
func (p Product) VariantPriceAt(variantID string, serverNow time.Time) money.Money {
	if price, ok := p.DealOf(variantID, serverNow); ok {
		return price
	}
	return p.RegularOf(variantID)
}

// PriceAt is what one unit of the product costs at the given server time:
// the deal's price while a deal runs. It is the product's price, for a
// variant without a price of its own; VariantPriceAt prices any variant. A cart, a checkout page and an order
// are priced by pricing.Price, which also applies the deal's per-buyer
// limit and the stock.
func (p Product) PriceAt(serverNow time.Time) money.Money {
	if p.Deal.Active(serverNow) {
		return p.Deal.Price
	}
	return p.Price
}

// Purchase tells the show that someone bought something (social proof).
type Purchase struct {
	Buyer       string `json:"buyer"` // display name
	ProductID   string `json:"product_id"`
	ProductName string `json:"product_name"`
	VariantID   string `json:"variant_id"`
	Qty         int    `json:"qty"`
}

// Validate checks the purchase.
func (p Purchase) Validate() error {
	if err := checkText("buyer", p.Buyer, MaxNameRunes, true); err != nil {
		return err
	}
	if err := checkID("product id", p.ProductID); err != nil {
		return err
	}
	if err := checkText("product name", p.ProductName, MaxProductNameRunes, true); err != nil {
		return err
	}
	if err := checkID("variant id", p.VariantID); err != nil {
		return err
	}
	return checkQty(p.Qty)
}

// ChatDeleted removes chat lines from every viewer's chat.
type ChatDeleted struct {
	IDs []string `json:"ids"`
}

// Validate checks the IDs.
func (c ChatDeleted) Validate() error {
	if len(c.IDs) == 0 || len(c.IDs) > MaxRecentChat*20 {
		return fmt.Errorf("%d ids", len(c.IDs))
	}
	for _, id := range c.IDs {
		if err := checkID("chat id", id); err != nil {
			return err
		}
	}
	return nil
}

// Settings are show-wide chat rules viewers should know about.
type Settings struct {
	SlowModeSeconds int `json:"slow_mode_seconds"` // 0 = off
}

// Validate checks the bounds.
func (s Settings) Validate() error {
	if s.SlowModeSeconds < 0 || s.SlowModeSeconds > int(MaxSlowMode/time.Second) {
		return fmt.Errorf("slow mode %d s out of range", s.SlowModeSeconds)
	}
	return nil
}

// Notice kinds.
const (
	NoticeTimeout = "timeout"
	NoticeBan     = "ban"
)

// Notice tells one viewer about a moderation action against them.
type Notice struct {
	Kind    string    `json:"kind"`
	Until   time.Time `json:"until,omitzero"` // server time, for timeouts
	Message string    `json:"message"`
}

// Validate checks the notice.
func (n Notice) Validate() error {
	if n.Kind != NoticeTimeout && n.Kind != NoticeBan {
		return fmt.Errorf("unknown notice kind %q", truncateForError(n.Kind))
	}
	return checkText("notice", n.Message, MaxErrorRunes, false)
}

// OrderLine is one line of a placed order, at the price paid.
type OrderLine struct {
	ProductID string      `json:"product_id"`
	VariantID string      `json:"variant_id"`
	Name      string      `json:"name"`
	Variant   string      `json:"variant"`
	Unit      money.Money `json:"unit"`
	Qty       int         `json:"qty"`
}

// Order confirms an order to the client whose checkout link placed it.
type Order struct {
	ID    string      `json:"id"`
	Lines []OrderLine `json:"lines"`
	Total money.Money `json:"total"`
}

// Validate checks the order.
func (o Order) Validate() error {
	if err := checkID("order id", o.ID); err != nil {
		return err
	}
	if len(o.Lines) == 0 || len(o.Lines) > MaxOrderLines {
		return fmt.Errorf("%d order lines", len(o.Lines))
	}
	for _, l := range o.Lines {
		if err := checkID("variant id", l.VariantID); err != nil {
			return err
		}
		if err := l.Unit.Validate(); err != nil {
			return err
		}
		if err := checkQty(l.Qty); err != nil {
			return err
		}
	}
	return o.Total.Validate()
}

// ProductMetrics counts what happened to one product.
type ProductMetrics struct {
	ProductID string `json:"product_id"`
	Adds      int    `json:"adds"`    // add-to-cart signals, units
	Removes   int    `json:"removes"` // removals, units
	Sold      int    `json:"sold"`    // units in orders
}

// Funnel counts distinct clients at each step.
type Funnel struct {
	Viewers     int `json:"viewers"` // ever joined
	AddedToCart int `json:"added_to_cart"`
	CheckedOut  int `json:"checked_out"` // placed an order
}

// Metrics is the host's live view of the show, sent once a second.
type Metrics struct {
	Viewers          int              `json:"viewers"`
	PeakViewers      int              `json:"peak_viewers"`
	ChatPerMinute    int              `json:"chat_per_minute"` // lines in the last 60 s
	ChatHeld         int              `json:"chat_held"`       // lines the chat cap sent to their authors only
	Products         []ProductMetrics `json:"products"`
	CheckoutsStarted int              `json:"checkouts_started"` // checkout pages opened
	Orders           int              `json:"orders"`
	UnitsSold        int              `json:"units_sold"`
	Revenue          money.Money      `json:"revenue"`
	// OrdersUnknown says viewers check out on a real store whose orders
	// the show never sees: Orders, UnitsSold and Revenue are then unknown,
	// not zero. Optional; absent means false.
	OrdersUnknown bool `json:"orders_unknown,omitempty"`
	// StoreWarning is why the last read of the real store the show sells
	// from failed, while it keeps its last good catalog; empty once a read
	// works again. Optional.
	StoreWarning    string   `json:"store_warning,omitempty"`
	Funnel          Funnel   `json:"funnel"`
	UpNext          []string `json:"up_next"` // product IDs
	SlowModeSeconds int      `json:"slow_mode_seconds"`
	BlockedWords    []string `json:"blocked_words"`

	// The live formats, all optional. Bids counts the bids accepted in
	// this show (proxy bids included) and Bidders the viewers who placed
	// them; an auction's sale counts in Orders and Revenue once it is
	// paid. Gifts and GiftRevenue count paid gifts, and Supporters is the
	// top of the board by amount given.
	Bids        int         `json:"bids,omitempty"`
	Bidders     int         `json:"bidders,omitempty"`
	Gifts       int         `json:"gifts,omitempty"`
	GiftRevenue money.Money `json:"gift_revenue,omitzero"`
	Supporters  []Supporter `json:"supporters,omitempty"`
}

// Validate bounds the lists.
func (m Metrics) Validate() error {
	if len(m.Products) > MaxProducts || len(m.UpNext) > MaxQueue || len(m.BlockedWords) > MaxBlockedWords || len(m.Supporters) > MaxSupporters {
		return errors.New("metrics lists too long")
	}
	if err := checkText("store warning", m.StoreWarning, MaxErrorRunes, false); err != nil {
		return err
	}
	for _, sp := range m.Supporters {
		if err := checkText("supporter", sp.Name, MaxNameRunes, true); err != nil {
			return err
		}
		if err := sp.Amount.Validate(); err != nil {
			return fmt.Errorf("supporter %s: %w", sp.Name, err)
		}
	}
	if m.Viewers < 0 || m.PeakViewers < 0 || m.ChatPerMinute < 0 || m.ChatHeld < 0 || m.UnitsSold < 0 || m.Orders < 0 ||
		m.Bids < 0 || m.Bidders < 0 || m.Gifts < 0 {
		return errors.New("negative metrics")
	}
	return nil
}

// Queue sets the up-next list (host).
type Queue struct {
	ProductIDs []string `json:"product_ids"`
}

// Validate checks the IDs.
func (q Queue) Validate() error {
	if len(q.ProductIDs) > MaxQueue {
		return fmt.Errorf("%d products queued, more than %d", len(q.ProductIDs), MaxQueue)
	}
	for _, id := range q.ProductIDs {
		if err := checkID("product id", id); err != nil {
			return err
		}
	}
	return nil
}

// StartDeal starts a flash deal (host). Exactly one of Percent (1-90) and
// AmountOff (minor units, below the price) is set.
type StartDeal struct {
	ProductID string `json:"product_id"`
	Percent   int    `json:"percent,omitempty"`
	AmountOff int64  `json:"amount_off,omitempty"`
	Seconds   int    `json:"seconds"`
	PerBuyer  int    `json:"per_buyer,omitempty"`
	Code      string `json:"code,omitempty"` // the store's discount code behind the deal, if any (see Deal.Code)
}

// Validate checks the deal's shape; the server checks it against the price.
func (d StartDeal) Validate() error {
	if err := checkID("product id", d.ProductID); err != nil {
		return err
	}
	switch {
	case d.Percent != 0 && d.AmountOff != 0, d.Percent == 0 && d.AmountOff == 0:
		return errors.New("give either percent or amount_off")
	case d.Percent < 0 || d.Percent > 90:
		return fmt.Errorf("percent %d is not between 1 and 90", d.Percent)
	case d.AmountOff < 0:
		return errors.New("negative amount_off")
	}
	dur := time.Duration(d.Seconds) * time.Second
	if dur < MinDeal || dur > MaxDeal {
		return fmt.Errorf("deal of %d s is not between %d s and %d s", d.Seconds, int(MinDeal.Seconds()), int(MaxDeal.Seconds()))
	}
	if d.PerBuyer < 0 || d.PerBuyer > MaxQty {
		return fmt.Errorf("per-buyer limit %d is not between 0 and %d", d.PerBuyer, MaxQty)
	}
	return checkDiscountCode(d.Code)
}

// EndDeal ends a product's deal early (host).
type EndDeal struct {
	ProductID string `json:"product_id"`
}

// Validate checks the ID.
func (e EndDeal) Validate() error { return checkID("product id", e.ProductID) }

// SetStock sets a variant's stock (host).
type SetStock struct {
	VariantID string `json:"variant_id"`
	Stock     int    `json:"stock"`
}

// Validate refuses negative stock.
func (s SetStock) Validate() error {
	if err := checkID("variant id", s.VariantID); err != nil {
		return err
	}
	if s.Stock < 0 || s.Stock > MaxStock {
		return fmt.Errorf("stock %d is not between 0 and %d", s.Stock, MaxStock)
	}
	return nil
}

// SetPrice sets a product's regular price (host).
type SetPrice struct {
	ProductID string      `json:"product_id"`
	Price     money.Money `json:"price"`
}

// Validate checks the price.
func (s SetPrice) Validate() error {
	if err := checkID("product id", s.ProductID); err != nil {
		return err
	}
	return s.Price.Validate()
}

// DeleteChat removes a line (host).
type DeleteChat struct {
	ID string `json:"id"`
}

// Validate checks the ID.
func (d DeleteChat) Validate() error { return checkID("chat id", d.ID) }

// Timeout mutes a viewer (host), by the identity ID their lines carry.
type Timeout struct {
	UserID  string `json:"user_id"`
	Seconds int    `json:"seconds"`
}

// Validate checks the bounds.
func (t Timeout) Validate() error {
	if err := checkID("user id", t.UserID); err != nil {
		return err
	}
	if t.Seconds < 1 || time.Duration(t.Seconds)*time.Second > MaxTimeout {
		return fmt.Errorf("timeout of %d s out of range", t.Seconds)
	}
	return nil
}

// Ban removes a viewer from the show for its lifetime (host).
type Ban struct {
	UserID string `json:"user_id"`
}

// Validate checks the ID.
func (b Ban) Validate() error { return checkID("user id", b.UserID) }

// SlowMode sets the chat's slow mode (host); 0 turns it off.
type SlowMode struct {
	Seconds int `json:"seconds"`
}

// Validate checks the bounds.
func (s SlowMode) Validate() error { return Settings{SlowModeSeconds: s.Seconds}.Validate() }

// BlockedWords replaces the list of blocked words (host).
type BlockedWords struct {
	Words []string `json:"words"`
}

// Validate checks the list.
func (b BlockedWords) Validate() error {
	if len(b.Words) > MaxBlockedWords {
		return fmt.Errorf("%d blocked words, more than %d", len(b.Words), MaxBlockedWords)
	}
	for _, w := range b.Words {
		if err := checkText("blocked word", w, MaxBlockedRunes, true); err != nil {
			return err
		}
	}
	return nil
}
