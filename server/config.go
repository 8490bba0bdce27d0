package server

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"time"

	"golang.org/x/time/rate"

	"github.com/livecart/livecart/protocol"
)

// Config says what the show sells and how the server behaves. Zero values
// mean the documented defaults.
type Config struct {
	// Catalog is the show and what it sells; New copies it.
	Catalog Catalog
	// HostToken gives the host role to a hello that carries it. Empty means
	// nobody can be host; otherwise CheckHostToken must accept it. An
	// address that keeps sending wrong tokens is refused for a while,
	// whatever token it sends (see tokenGuessRate).
	HostToken string
	// StoreCheckout, when set, is the checkout link template of the real
	// store the catalog was read from, holding protocol.CheckoutPlaceholder
	// once (https://STORE/cart/{items}?ref=livecart-SHOW). Viewers then
	// check out on that store, and the welcome carries it as it is: no ref
	// or seen total of this server's, since orders placed on the store are
	// never seen here. The server's own checkout page still answers.
	StoreCheckout string
	// PublicURL is the base of checkout links, e.g. http://127.0.0.1:7420.
	// Empty means each connection's link is built from its request's Host.
	// Its host is one the server answers to, as if in AllowedHosts.
	PublicURL string
	// AllowedHosts are the host names (or IP addresses), without scheme or
	// port, that requests may name in their Host header besides the
	// loopback names (localhost, 127.0.0.0/8, ::1) and, on a request that
	// came in on an address that is not loopback, any IP address. Any other
	// Host is answered 421 on every route, so a web page cannot reach the
	// show through a DNS name it points at this machine (DNS rebinding).
	// A show served under a domain lists it here, or in PublicURL.
	AllowedHosts []string
	// SendQueue is how many frames may wait for one client before it is
	// evicted as a slow consumer. Zero means 32.
	SendQueue int
	// History is how many recent show events are kept to replay to clients
	// that resume after a drop. Zero means protocol.HistorySize.
	History int
	// AllowedOrigins are the browser origins, besides the server's own
	// host, that may open a socket: origins such as "https://shop.example"
	// or bare hosts such as "shop.example:8443". Requests without an Origin
	// (native clients) are always allowed.
	AllowedOrigins []string
	// MaxConns caps open WebSockets in total; zero means DefaultMaxConns
	// and a negative value means no cap.
	MaxConns int
	// MaxConnsPerIP caps open WebSockets from one remote IP; zero means
	// DefaultMaxConnsPerIP and a negative value means no cap. A demo that
	// runs its simulated audience from one machine needs at least the
	// audience plus a few.
	MaxConnsPerIP int
	// ChatRate limits one connection's say commands; zero fields mean 2 a
	// second with bursts of 5.
	ChatRate Rate
	// ChatCap is how many viewers' chat lines a second the show broadcasts,
	// in bursts of as many. Past it a line goes to its author alone, so a
	// chat storm reaches every viewer as an even sample of at most ChatCap
	// lines a second, and nobody's own lines vanish from their screen. The
	// host's lines are never held back. Zero means DefaultChatCap; negative
	// means no cap.
	ChatCap int
	// BidRate limits one connection's bid commands; zero fields mean 4 a
	// second with bursts of 8.
	BidRate Rate
	// AuctionHold is how long a won auction's unit is held for its winner
	// to pay, between protocol.MinAuctionHold and protocol.MaxAuctionHold;
	// zero means DefaultAuctionHold.
	AuctionHold time.Duration
	// CommandRate limits all of one connection's commands; zero fields mean
	// 20 a second with bursts of 40.
	CommandRate Rate
	// GiftRate limits one connection's gift commands; zero fields mean one
	// a second with bursts of 5.
	GiftRate Rate
	// Gifts are the gifts viewers may send, as the welcome lists them, in
	// the catalog's currency. Nil means DefaultGifts; an empty list
	// offers none.
	Gifts []protocol.GiftKind
	// RateStrikes is how many commands one connection may have dropped for
	// going over a rate within a minute before it is closed with
	// protocol.CloseRateLimited. Zero means DefaultRateStrikes; negative
	// means never.
	RateStrikes int
	// OrderRate limits POST /orders per remote IP; zero fields mean one a
	// second with bursts of 10. A PerSecond of math.Inf(1) turns it off.
	OrderRate Rate
	// OrdersFile is where placed orders are kept, one JSON object a line,
	// appended and synced to disk before the buyer is told. New reads it
	// back, so orders, units sold and revenue survive a restart. Empty
	// keeps orders in memory only.
	OrdersFile string
	// PingPeriod is the heartbeat's period: the server pings a client it
	// has written nothing to, or heard nothing from, for between 1⅛ and 1½
	// periods, and closes one heard nothing from for two (see
	// docs/PROTOCOL.md). Zero means protocol.PingPeriod.
	PingPeriod time.Duration
	// Logger receives connects, disconnects and evictions; nil discards
	// them. The server never writes to stdout or stderr.
	Logger *slog.Logger
	// Now is the server's clock: it stamps events and times deals,
	// giveaways, gift links, timeouts, slow mode, the chat rate and the
	// wait after wrong host tokens; nil means time.Now.
	Now func() time.Time

	// The fields below make the server the owner of a show that edges
	// serve too (package cluster); a show of its own leaves them zero.

	// Journal, when set, stores every event before anyone sees it (see
	// Journal); the server stops when it refuses.
	Journal Journal
	// JournalFailed, when set, is told (once, from the flusher) why the
	// journal refused, after the server has closed every socket.
	JournalFailed func(error)
	// Epoch names the show's history, when it outlives this process (the
	// journal's); empty makes a new one. IDs the show hands out (chat
	// lines, orders, gifts) are prefixed with one of the process's own
	// either way, so a restart never hands out the same ID twice.
	Epoch string
	// IdentityKey, when set (16 bytes or more), keys identity IDs instead
	// of a secret made at start, so a viewer keeps its identity across a
	// restart of the server.
	IdentityKey []byte
	// Alternates, when set, gives a local viewer's welcome its alternates:
	// the show's edges.
	Alternates func() []string
}

// Rate is a token bucket: PerSecond commands on average, up to Burst at
// once. A PerSecond of math.Inf(1) turns the limit off.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Defaults for the Config fields left zero.
const (
	// DefaultMaxConns is the cap on open WebSockets in total.
	DefaultMaxConns = 20_000
	// DefaultMaxConnsPerIP is the cap on open WebSockets from one IP: a
	// household or an office behind one address, not a botnet of one.
	DefaultMaxConnsPerIP = 64
	// DefaultChatCap is the show's chat cap in lines a second: about as
	// fast as anyone can still read a chat.
	DefaultChatCap = 30
	// DefaultRateStrikes is how many commands a connection may have
	// dropped within a minute before it is closed.
	DefaultRateStrikes = 20
)

var (
	defaultChatRate    = Rate{PerSecond: 2, Burst: 5}
	defaultCommandRate = Rate{PerSecond: 20, Burst: 40}
	defaultGiftRate    = Rate{PerSecond: 1, Burst: 5}
	// Faster than chat: in the last seconds of a bidding war a viewer
	// answers each counter-bid at once, but nobody taps more than a few
	// times a second.
	defaultBidRate = Rate{PerSecond: 4, Burst: 8}
	// One order a second is far more than a person places; the burst lets
	// a household behind one address order together.
	defaultOrderRate = Rate{PerSecond: 1, Burst: 10}
)

// orDefault fills r's zero fields from def.
func (r Rate) orDefault(def Rate) (Rate, error) {
	if r.PerSecond < 0 || math.IsNaN(r.PerSecond) || r.Burst < 0 {
		return r, fmt.Errorf("rate %v a second, burst %d: must not be negative", r.PerSecond, r.Burst)
	}
	if r.PerSecond == 0 {
		r.PerSecond = def.PerSecond
	}
	if r.Burst == 0 {
		r.Burst = def.Burst
	}
	return r, nil
}

// limiter returns a fresh token bucket for r, full.
func (r Rate) limiter() *rate.Limiter {
	return rate.NewLimiter(rate.Limit(r.PerSecond), r.Burst)
}

// newChatCap returns the token bucket for Config.ChatCap n.
func newChatCap(n int) *rate.Limiter {
	if n < 0 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	n = cmp.Or(n, DefaultChatCap)
	return rate.NewLimiter(rate.Limit(n), n)
}

// orDefaultCap turns a zero cap into def and a negative one into "none".
func orDefaultCap(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return math.MaxInt
	}
	return n
}
