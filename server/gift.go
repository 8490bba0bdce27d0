package server

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// This file is the show's side of gifts: a viewer asks for one, gets a
// link to pay for it on the show's own checkout page (giftpage.go), and
// only once it is paid does the show hear of it. Gifts never touch stock,
// deals or the pricing rule.

const (
	// maxUnpaidGifts is how many gift links one viewer may hold unpaid.
	// They count against the viewer's caps until paid or expired, so a
	// viewer cannot ask for more than the caps allow and pay them all.
	maxUnpaidGifts = 5
	// giftLinkTTL is how long a gift link may wait to be paid.
	giftLinkTTL = 15 * time.Minute
	// maxShowUnpaidGifts bounds the unpaid links of the whole show, which
	// a stream of new client IDs could otherwise grow without end.
	maxShowUnpaidGifts = 10_000
)

// DefaultGifts are the gifts a show offers when Config.Gifts is nil: a
// heart, a rose and a rocket at 1, 5 and 20 major units of currency.
func DefaultGifts(currency string) []protocol.GiftKind {
	unit := money.MajorUnit(currency)
	return []protocol.GiftKind{
		{ID: "heart", Name: "Heart", Amount: money.New(1*unit, currency)},
		{ID: "rose", Name: "Rose", Amount: money.New(5*unit, currency)},
		{ID: "rocket", Name: "Rocket", Amount: money.New(20*unit, currency)},
	}
}

// giftCap is protocol.GiftCapMajor in minor units of currency.
func giftCap(currency string) money.Money {
	return money.New(protocol.GiftCapMajor*money.MajorUnit(currency), currency)
}

// checkGifts refuses a list of gift kinds the show could not offer: too
// many, an invalid or repeated kind, another currency than the show's, or
// one that costs more than a viewer may give in a whole show.
func checkGifts(kinds []protocol.GiftKind, currency string) error {
	if len(kinds) > protocol.MaxGiftKinds {
		return fmt.Errorf("gifts: %d kinds, more than %d", len(kinds), protocol.MaxGiftKinds)
	}
	limit := giftCap(currency)
	seen := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		if err := k.Validate(); err != nil {
			return fmt.Errorf("gifts: %w", err)
		}
		if k.Amount.Currency != currency {
			return fmt.Errorf("gifts: %s is priced in %s, the show sells in %s", k.ID, k.Amount.Currency, currency)
		}
		if k.Amount.Amount > limit.Amount {
			return fmt.Errorf("gifts: %s costs %s, more than the %s a viewer may give in a show", k.ID, k.Amount, limit)
		}
		if seen[k.ID] {
			return fmt.Errorf("gifts: %s listed twice", k.ID)
		}
		seen[k.ID] = true
	}
	return nil
}

// giftState is where a gift link is on its way to the show.
type giftState int

const (
	giftUnpaid giftState = iota
	giftPaying           // its payment is being written down
	giftPaid
)

// giftLink is one gift a viewer asked for.
type giftLink struct {
	id       string
	kind     protocol.GiftKind
	from     protocol.Identity // the giver, as they were when they asked
	clientID string            // only this client's link may pay it
	made     time.Time         // server time; unpaid, it expires giftLinkTTL later
	state    giftState
}

// giver is what one identity has given, and holds unpaid, in this show.
type giver struct {
	id     string
	name   string
	gifts  int   // paid
	amount int64 // paid, in minor units
	since  uint64
	unpaid []*giftLink
}

// gifts is the server's side of the show's gifts. Guarded by the show's
// lock (see Server).
type gifts struct {
	kinds  []protocol.GiftKind
	links  map[string]*giftLink // by gift ID: unpaid, being paid and paid
	givers map[string]*giver    // by identity ID
	unpaid int                  // unpaid and being-paid links in the show
	ids    uint64               // numbers gift IDs
	// Paid gifts, as the host's metrics count them; those in the orders
	// file are counted too.
	paid     int
	revenue  int64
	payments uint64   // numbers payments, so a tie on the board goes to who got there first
	top      []*giver // the supporters board: most given first, at most protocol.MaxSupporters
}

func newGifts(kinds []protocol.GiftKind) gifts {
	return gifts{
		kinds:  slices.Clone(kinds),
		links:  make(map[string]*giftLink),
		givers: make(map[string]*giver),
	}
}

// kind returns the show's gift of the given kind.
func (g *gifts) kind(id string) (protocol.GiftKind, bool) {
	i := slices.IndexFunc(g.kinds, func(k protocol.GiftKind) bool { return k.ID == id })
	if i < 0 {
		return protocol.GiftKind{}, false
	}
	return g.kinds[i], true
}

// giver returns id's record, making one if need be.
func (g *gifts) giver(id, name string) *giver {
	gv, ok := g.givers[id]
	if !ok {
		gv = &giver{id: id}
		g.givers[id] = gv
	}
	gv.name = name
	return gv
}

// expired reports whether an unpaid link has waited too long at now. A
// link being paid is not expired: its payment is already on its way.
func (l *giftLink) expired(now time.Time) bool {
	return l.state == giftUnpaid && now.Sub(l.made) >= giftLinkTTL
}

// expire forgets gv's unpaid links that have expired at now.
func (g *gifts) expire(gv *giver, now time.Time) {
	gv.unpaid = slices.DeleteFunc(gv.unpaid, func(l *giftLink) bool {
		if !l.expired(now) {
			return false
		}
		delete(g.links, l.id)
		g.unpaid--
		return true
	})
}

// expireAll forgets every expired unpaid link of the show.
func (g *gifts) expireAll(now time.Time) {
	for _, gv := range g.givers {
		g.expire(gv, now)
	}
}

// capError says why one more gift of kind k would pass gv's caps, or
// returns nil. Links not yet paid count as if they were.
func (g *gifts) capError(gv *giver, k protocol.GiftKind) *protocol.Error {
	var pending int64
	for _, l := range gv.unpaid {
		pending += l.kind.Amount.Amount
	}
	limit := giftCap(k.Amount.Currency)
	unpaidNote := ""
	if n := len(gv.unpaid); n > 0 {
		unpaidNote = fmt.Sprintf(", counting your %d gift link(s) not yet paid", n)
	}
	switch {
	case len(gv.unpaid) >= maxUnpaidGifts:
		return newError(protocol.ErrCodeLimit, fmt.Sprintf(
			"you have %d gift links not yet paid, the most at once: pay one, or wait for them to expire (%d min)",
			len(gv.unpaid), int(giftLinkTTL/time.Minute)))
	case gv.gifts+len(gv.unpaid)+1 > protocol.MaxGiftsPerViewer:
		return newError(protocol.ErrCodeLimit, fmt.Sprintf(
			"a viewer may give at most %d gifts in a show; you have given %d%s", protocol.MaxGiftsPerViewer, gv.gifts, unpaidNote))
	case gv.amount+pending+k.Amount.Amount > limit.Amount:
		return newError(protocol.ErrCodeLimit, fmt.Sprintf(
			"a viewer may give at most %s in gifts in a show; a %s (%s) would take you to %s%s",
			limit, k.Name, k.Amount, money.New(gv.amount+pending+k.Amount.Amount, limit.Currency), unpaidNote))
	}
	return nil
}

// sendGiftLocked answers c's gift command: within c's caps, it makes an
// unpaid gift and sends c the link to pay it at. The show hears of the
// gift only once it is paid (giftpage.go).
func (s *Server) sendGiftLocked(c *conn, req protocol.SendGift) *protocol.Error {
	if c.id.Role != protocol.RoleViewer {
		return newError(protocol.ErrCodeForbidden, "the host cannot send gifts")
	}
	if c.clientID == "" {
		// The payment is reported back by client ID, and the caps follow
		// the identity a client ID gives across reconnects.
		return newError(protocol.ErrCodeForbidden, "sending gifts needs a client_id in your hello")
	}
	k, ok := s.gifts.kind(req.Kind)
	if !ok {
		return newError(protocol.ErrCodeNotFound, fmt.Sprintf("this show has no gift %q", req.Kind))
	}
	now := s.now()
	g := &s.gifts
	gv := g.giver(c.id.ID, c.id.Name)
	g.expire(gv, now)
	if e := g.capError(gv, k); e != nil {
		return e
	}
	if g.unpaid >= maxShowUnpaidGifts {
		if g.expireAll(now); g.unpaid >= maxShowUnpaidGifts {
			return newError(protocol.ErrCodeLimit, "too many gifts are waiting to be paid in this show; try again in a few minutes")
		}
	}
	g.ids++
	id := s.run + "-g" + strconv.FormatUint(g.ids, 10)
	link := protocol.GiftLink{GiftID: id, Kind: k.ID, Amount: k.Amount, Checkout: giftURL(linkBase(c), id, c.clientID)}
	if err := link.Validate(); err != nil {
		return newError(protocol.ErrCodeInternal, "the gift's link could not be made: "+err.Error())
	}
	l := &giftLink{id: id, kind: k, from: c.id, clientID: c.clientID, made: now}
	g.links[id] = l
	gv.unpaid = append(gv.unpaid, l)
	g.unpaid++
	s.hub.sendLocked(c, protocol.TypeGiftLink, link)
	return nil
}

// linkBase is the scheme, host and path prefix of the links c is given:
// its checkout template without the cart's path, so gift links and
// giveaway records follow the same public URL rule as checkout links.
func linkBase(c *conn) string {
	return strings.TrimSuffix(c.checkout, "/cart/"+protocol.CheckoutPlaceholder)
}

// giftURL is where the gift with id is paid, by the client clientID.
func giftURL(base, id, clientID string) string {
	return base + "/gift/" + id + "?ref=" + clientID
}

// count counts a gift paid by from, and ranks its giver on the
// supporters board: by amount given, a tie going to whoever reached that
// amount first.
func (g *gifts) count(from protocol.Identity, amount int64) {
	g.paid++
	g.revenue += amount
	g.payments++
	gv := g.giver(from.ID, from.Name)
	gv.gifts++
	gv.amount += amount
	gv.since = g.payments
	// Amounts only grow, so only the giver who just paid can move onto
	// the board or up it.
	if !slices.Contains(g.top, gv) {
		g.top = append(g.top, gv)
	}
	slices.SortFunc(g.top, func(a, b *giver) int {
		return cmp.Or(cmp.Compare(b.amount, a.amount), cmp.Compare(a.since, b.since))
	})
	if len(g.top) > protocol.MaxSupporters {
		g.top = g.top[:protocol.MaxSupporters]
	}
}

// giftMetricsLocked fills the gift fields of the host's metrics.
func (s *Server) giftMetricsLocked(m *protocol.Metrics) {
	g := &s.gifts
	if g.paid == 0 {
		return
	}
	m.Gifts = g.paid
	m.GiftRevenue = money.New(g.revenue, s.currency)
	m.Supporters = make([]protocol.Supporter, 0, len(g.top))
	for _, gv := range g.top {
		m.Supporters = append(m.Supporters, protocol.Supporter{
			ID: gv.id, Name: gv.name, Gifts: gv.gifts, Amount: money.New(gv.amount, s.currency),
		})
	}
}
