// Package show is the client's mirror of a live show: the catalog, the
// pinned product, the audience size, built from the welcome snapshot and
// kept current by applying events in order. Every string is sanitized on
// the way in, so everything downstream (the UI, the host dashboard) can draw
// it as it is.
package show

import (
	"fmt"
	"slices"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// Line is one chat line, sanitized.
type Line struct {
	ID     string
	Seq    uint64
	Author protocol.Identity
	Text   string
}

// Kind says what an applied event changed, so the caller can update only
// what it must.
type Kind int

// Kinds of change.
const (
	KindNone        Kind = iota // ignored (unknown type, pong)
	KindChat                    // Change.Line holds the new line
	KindPin                     // the pinned product changed (or was cleared)
	KindProduct                 // Change.ProductID's price or stock changed
	KindViewers                 // the viewer count changed
	KindError                   // Change.Err holds the server's error for us
	KindPurchase                // Change.Purchase: someone bought something
	KindChatDeleted             // Change.IDs: chat lines the host removed
	KindSettings                // State.SlowMode changed
	KindNotice                  // Change.Notice: a moderation action against us
	KindOrder                   // Change.Order: our order was placed
	KindMetrics                 // Change.Metrics: the host's numbers
	KindAuction                 // State.Auction changed; Change.Outbid says if we lost the lead
	KindAuctionWon              // State.Won: we won an auction and may pay
	KindMaxBid                  // State.MaxBid: our secret maximum was taken
	KindGiveaway                // State.Giveaway changed
	KindEntered                 // State.Entered: our giveaway entry is in
	KindGift                    // Change.Gift: someone's paid gift
	KindGiftLink                // Change.GiftLink: where to pay for the gift we asked for
)

// Change describes what one event did to the State.
type Change struct {
	Kind      Kind
	Line      Line
	ProductID string
	// Before is the product as it was before a KindProduct change, so the
	// caller can tell what moved (stock running out, a price drop).
	Before protocol.Product
	Err    protocol.Error

	Purchase protocol.Purchase
	IDs      []string
	Notice   protocol.Notice
	Order    protocol.Order
	Metrics  protocol.Metrics

	// Outbid is set on a KindAuction change that took the lead from us.
	Outbid   bool
	Gift     protocol.Gift
	GiftLink protocol.GiftLink
}

// State is the mirror. The zero value is empty; use FromWelcome.
type State struct {
	Show     protocol.ShowInfo
	You      protocol.Identity
	Checkout string
	Viewers  int
	Seq      uint64 // seq of the last show event applied
	SlowMode int    // seconds between a viewer's chat lines; 0 is off

	// The live formats. Auction and Giveaway are the running or last
	// ones (nil before the first); Gifts are what a viewer may send.
	Auction  *protocol.Auction
	Giveaway *protocol.Giveaway
	Gifts    []protocol.GiftKind
	// MaxBid is our secret maximum on Auction, as the server holds it;
	// Won is our win, held for us to pay; Entered is the ID of the
	// giveaway our entry is in. Each belongs to one auction or giveaway:
	// check its ID against the current one.
	MaxBid  *protocol.MaxBid
	Won     *protocol.AuctionWon
	Entered string

	products map[string]protocol.Product
	order    []string          // catalog order
	variants map[string]string // variant ID -> product ID
	pinned   *protocol.Pin
}

// FromWelcome builds the mirror from a validated welcome and its seq. It
// also returns the snapshot's recent chat as lines, oldest first.
func FromWelcome(w protocol.Welcome, seq uint64) (State, []Line) {
	s := State{
		Show: protocol.ShowInfo{
			ID:    w.Show.ID,
			Title: sanitize.Line(w.Show.Title),
			Host:  sanitize.Line(w.Show.Host),
		},
		You:      cleanIdentity(w.You),
		Checkout: w.Checkout,
		Viewers:  w.Viewers,
		Seq:      seq,
		products: make(map[string]protocol.Product, len(w.Catalog)),
		variants: make(map[string]string),
	}
	for _, p := range w.Catalog {
		s.putProduct(p)
	}
	if w.Pinned != nil && s.pinValid(*w.Pinned) {
		pin := *w.Pinned
		s.pinned = &pin
	}
	if w.Auction != nil {
		a := cleanAuction(*w.Auction)
		s.Auction = &a
	}
	if w.Giveaway != nil {
		g := cleanGiveaway(*w.Giveaway)
		s.Giveaway = &g
	}
	for _, k := range w.Gifts {
		k.Name = sanitize.Line(k.Name)
		s.Gifts = append(s.Gifts, k)
	}
	lines := make([]Line, 0, len(w.Chat))
	for _, c := range w.Chat {
		lines = append(lines, cleanChat(c, 0))
	}
	return s, lines
}

// Apply applies one event. Events are validated here; an invalid one is
// refused with an error and leaves the state as it was. Unknown types are
// ignored so a newer server can add events.
func (s *State) Apply(env protocol.Envelope) (Change, error) {
	ch, err := s.apply(env)
	if err == nil && env.Seq != 0 {
		// Only an accepted event counts as applied: a refused one leaves
		// the state, its seq included, as it was.
		s.Seq = env.Seq
	}
	return ch, err
}

func (s *State) apply(env protocol.Envelope) (Change, error) {
	switch env.Type {
	case protocol.TypeChat:
		c, err := decodeChat(env)
		if err != nil {
			return Change{}, err
		}
		return Change{Kind: KindChat, Line: cleanChat(c, env.Seq)}, nil
	case protocol.TypePin:
		p, err := protocol.Decode[protocol.Pin](env)
		if err != nil {
			return Change{}, err
		}
		if !s.pinValid(p) {
			return Change{}, fmt.Errorf("pin: unknown product %s or variant %s", p.ProductID, p.VariantID)
		}
		s.pinned = &p
		return Change{Kind: KindPin, ProductID: p.ProductID}, nil
	case protocol.TypeUnpin:
		s.pinned = nil
		return Change{Kind: KindPin}, nil
	case protocol.TypeProduct:
		p, err := protocol.Decode[protocol.Product](env)
		if err != nil {
			return Change{}, err
		}
		before, known := s.products[p.ID]
		if !known && len(s.products) >= protocol.MaxProducts {
			return Change{}, fmt.Errorf("product: catalog already has %d products", protocol.MaxProducts)
		}
		s.putProduct(p)
		if s.pinned != nil && !s.pinValid(*s.pinned) {
			s.pinned = nil // the pinned variant no longer exists
		}
		return Change{Kind: KindProduct, ProductID: p.ID, Before: before}, nil
	case protocol.TypeViewers:
		v, err := protocol.Decode[protocol.Viewers](env)
		if err != nil {
			return Change{}, err
		}
		s.Viewers = v.Count
		return Change{Kind: KindViewers}, nil
	case protocol.TypeError:
		e, err := protocol.Decode[protocol.Error](env)
		if err != nil {
			return Change{}, err
		}
		e.Code = sanitize.Line(e.Code)
		e.Message = sanitize.Line(e.Message)
		return Change{Kind: KindError, Err: e}, nil
	case protocol.TypePurchase:
		p, err := protocol.Decode[protocol.Purchase](env)
		if err != nil {
			return Change{}, err
		}
		p.Buyer, p.ProductName = sanitize.Line(p.Buyer), sanitize.Line(p.ProductName)
		return Change{Kind: KindPurchase, Purchase: p, ProductID: p.ProductID}, nil
	case protocol.TypeChatDeleted:
		d, err := protocol.Decode[protocol.ChatDeleted](env)
		if err != nil {
			return Change{}, err
		}
		return Change{Kind: KindChatDeleted, IDs: d.IDs}, nil
	case protocol.TypeSettings:
		st, err := protocol.Decode[protocol.Settings](env)
		if err != nil {
			return Change{}, err
		}
		s.SlowMode = st.SlowModeSeconds
		return Change{Kind: KindSettings}, nil
	case protocol.TypeNotice:
		n, err := protocol.Decode[protocol.Notice](env)
		if err != nil {
			return Change{}, err
		}
		n.Message = sanitize.Line(n.Message)
		return Change{Kind: KindNotice, Notice: n}, nil
	case protocol.TypeOrder:
		o, err := protocol.Decode[protocol.Order](env)
		if err != nil {
			return Change{}, err
		}
		for i := range o.Lines {
			o.Lines[i].Name, o.Lines[i].Variant = sanitize.Line(o.Lines[i].Name), sanitize.Line(o.Lines[i].Variant)
		}
		return Change{Kind: KindOrder, Order: o}, nil
	case protocol.TypeMetrics:
		mt, err := protocol.Decode[protocol.Metrics](env)
		if err != nil {
			return Change{}, err
		}
		for i, w := range mt.BlockedWords {
			mt.BlockedWords[i] = sanitize.Line(w)
		}
		for i := range mt.Supporters {
			mt.Supporters[i].Name = sanitize.Line(mt.Supporters[i].Name)
		}
		return Change{Kind: KindMetrics, Metrics: mt}, nil
	}
	return s.applyFormat(env)
}

// Pinned returns the pinned product and variant, if any.
func (s *State) Pinned() (protocol.Product, protocol.Variant, bool) {
	if s.pinned == nil {
		return protocol.Product{}, protocol.Variant{}, false
	}
	p := s.products[s.pinned.ProductID]
	v, _ := p.Variant(s.pinned.VariantID)
	return p, v, true
}

// Product returns a product by ID.
func (s *State) Product(id string) (protocol.Product, bool) {
	p, ok := s.products[id]
	return p, ok
}

// ProductOfVariant returns the product a variant belongs to.
func (s *State) ProductOfVariant(variantID string) (protocol.Product, bool) {
	id, ok := s.variants[variantID]
	if !ok {
		return protocol.Product{}, false
	}
	return s.Product(id)
}

// Catalog returns the products in catalog order.
func (s *State) Catalog() []protocol.Product {
	out := make([]protocol.Product, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.products[id])
	}
	return out
}

func (s *State) pinValid(p protocol.Pin) bool {
	prod, ok := s.products[p.ProductID]
	if !ok {
		return false
	}
	_, ok = prod.Variant(p.VariantID)
	return ok
}

// putProduct stores a sanitized copy, so later events cannot alias it.
func (s *State) putProduct(p protocol.Product) {
	if s.products == nil {
		s.products = make(map[string]protocol.Product)
		s.variants = make(map[string]string)
	}
	if old, ok := s.products[p.ID]; ok {
		for _, v := range old.Variants {
			delete(s.variants, v.ID)
		}
	} else {
		s.order = append(s.order, p.ID)
	}
	p.Name = sanitize.Line(p.Name)
	p.Description = sanitize.Line(p.Description)
	p.Variants = slices.Clone(p.Variants)
	for i := range p.Variants {
		p.Variants[i].Name = sanitize.Line(p.Variants[i].Name)
		s.variants[p.Variants[i].ID] = p.ID
	}
	s.products[p.ID] = p
}

func cleanIdentity(id protocol.Identity) protocol.Identity {
	id.Name = sanitize.Line(id.Name)
	if id.Name == "" {
		id.Name = "?"
	}
	return id
}

func cleanAuction(a protocol.Auction) protocol.Auction {
	if a.Leader != nil {
		l := cleanIdentity(*a.Leader)
		a.Leader = &l
	}
	return a
}

func cleanGiveaway(g protocol.Giveaway) protocol.Giveaway {
	if g.Winner != nil {
		w := cleanIdentity(*g.Winner)
		g.Winner = &w
	}
	return g
}

func cleanChat(c protocol.Chat, seq uint64) Line {
	return Line{ID: c.ID, Seq: seq, Author: cleanIdentity(c.Author), Text: sanitize.Line(c.Text)}
}
