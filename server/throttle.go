package server

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/livecart/livecart/protocol"
)

const (
	// strikeWindow is how long a dropped command counts against its
	// connection: Config.RateStrikes drops within one window close it. The
	// window starts at the first drop after the previous one ran out.
	strikeWindow = time.Minute
	// rateErrorEvery spaces out the rate_limited errors to one client, so
	// the answers to a flood are not a flood of their own.
	rateErrorEvery = time.Second
)

// throttle is one connection's rate limits; the read loop alone uses it.
type throttle struct {
	commands    *rate.Limiter // every command, chat included
	chat        *rate.Limiter // say only
	gifts       *rate.Limiter // gift only
	bids        *rate.Limiter // bid only
	strikes     int           // drops in the current window
	windowStart time.Time
	lastError   time.Time // when the last rate_limited error was sent
}

func (s *Server) newThrottle() throttle {
	return throttle{commands: s.commandRate.limiter(), chat: s.chatRate.limiter(), gifts: s.giftRate.limiter(), bids: s.bidRate.limiter()}
}

// throttle decides whether a command of c's of type typ may run. A command over
// its rate is dropped and told so now and then; it returns an ending once
// the client has had too many dropped.
func (s *Server) throttle(c *conn, typ protocol.Type) (drop bool, e *ending) {
	t := &c.limits
	var why string
	switch {
	case !t.commands.Allow():
		why = fmt.Sprintf("more than %v commands a second; slow down", s.commandRate.PerSecond)
	case typ == protocol.TypeSay && !t.chat.Allow():
		why = fmt.Sprintf("more than %v chat lines a second; slow down", s.chatRate.PerSecond)
	case typ == protocol.TypeGift && !t.gifts.Allow():
		why = fmt.Sprintf("more than %v gifts a second; slow down", s.giftRate.PerSecond)
	case typ == protocol.TypeBid && !t.bids.Allow():
		why = fmt.Sprintf("more than %v bids a second; slow down", s.bidRate.PerSecond)
	default:
		return false, nil
	}
	now := time.Now()
	if now.Sub(t.windowStart) > strikeWindow {
		t.windowStart, t.strikes = now, 0
	}
	t.strikes++
	if t.strikes >= s.rateStrikes {
		return true, &ending{code: protocol.CloseRateLimited, reason: "kept sending too fast", linger: true, tell: true}
	}
	if now.Sub(t.lastError) >= rateErrorEvery {
		t.lastError = now
		s.hub.send(c, protocol.TypeError, newError(protocol.ErrCodeRateLimited, why))
	}
	return true, nil
}

// maxTrackedIPs bounds how many addresses ipLimits remembers. Past it,
// addresses whose bucket has filled up again are forgotten (a fresh bucket
// is full too); if that frees nothing, new addresses are refused until
// some do.
const maxTrackedIPs = 1 << 16

// ipLimits is one token bucket per remote address. It has a lock of its
// own: the show's state has nothing to do with it.
type ipLimits struct {
	rate    Rate
	mu      sync.Mutex
	buckets map[string]*rate.Limiter // guarded by mu
}

func newIPLimits(r Rate) *ipLimits {
	return &ipLimits{rate: r, buckets: make(map[string]*rate.Limiter)}
}

// allow takes a token from ip's bucket.
func (l *ipLimits) allow(ip string) bool {
	if math.IsInf(l.rate.PerSecond, 1) {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(ip, now)
	return b != nil && b.AllowN(now, 1)
}

// with runs fn with ip's bucket, as bucket returns it, and l locked, so
// that fn may look at the tokens and take one in one step.
func (l *ipLimits) with(ip string, now time.Time, fn func(b *rate.Limiter)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fn(l.bucket(ip, now))
}

// bucket returns ip's bucket, a full one for an address it does not
// remember, or nil when it has no room for another address. Call it with
// mu held.
func (l *ipLimits) bucket(ip string, now time.Time) *rate.Limiter {
	if b, ok := l.buckets[ip]; ok {
		return b
	}
	if len(l.buckets) >= maxTrackedIPs {
		for k, old := range l.buckets {
			if old.TokensAt(now) >= float64(l.rate.Burst) {
				delete(l.buckets, k)
			}
		}
		if len(l.buckets) >= maxTrackedIPs {
			return nil
		}
	}
	b := l.rate.limiter()
	l.buckets[ip] = b
	return b
}
