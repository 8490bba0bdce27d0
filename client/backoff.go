package client

import "time"

// Backoff defaults, used when SessionOptions leaves a field zero.
const (
	defaultMinBackoff    = 500 * time.Millisecond
	defaultMaxBackoff    = 30 * time.Second
	defaultStableAfter   = 10 * time.Second
	defaultServerBackoff = 5 * time.Second
)

// backoff is the reconnect policy, kept free of clocks and sockets so it can
// be tested as a table. Waits use full jitter: a random point between zero
// and an exponentially growing cap, so a crowd of viewers dropped together
// does not come back together.
type backoff struct {
	min, max    time.Duration
	serverFloor time.Duration // least wait when the server says it is shedding load
	stableAfter time.Duration // a connection this old resets the attempt count
	rand        func() float64
}

// serverAsk is what the server said about waiting, from a close code or a
// refused upgrade.
type serverAsk struct {
	backoff bool          // a close code or status that means "not now"
	retryIn time.Duration // Retry-After
}

// and is what two servers asked, together: a wait if either wants one,
// for the longer Retry-After.
func (a serverAsk) and(b serverAsk) serverAsk {
	return serverAsk{backoff: a.backoff || b.backoff, retryIn: max(a.retryIn, b.retryIn)}
}

// stable reports whether a connection that lasted this long worked: it
// starts the attempt count afresh.
func (b backoff) stable(lasted time.Duration) bool { return lasted >= b.stableAfter }

// next returns the number of the next attempt and how long to wait before
// it, after attempt ended. lasted is how long its connection stayed up (zero
// when the dial failed): one that was stable starts the count afresh, while
// one that dropped straight away counts as failed, so a server that accepts
// and then drops at once is not hammered.
func (b backoff) next(attempt int, lasted time.Duration, ask serverAsk) (int, time.Duration) {
	if b.stable(lasted) {
		attempt = 0
	}
	wait := b.jitter(max(attempt, 1))
	if ask.backoff {
		wait = max(wait, b.serverFloor)
	}
	return attempt + 1, max(wait, ask.retryIn)
}

// jitter returns a random wait in [0, min(max, min×2^(failed-1))).
func (b backoff) jitter(failed int) time.Duration {
	ceiling := min(b.min, b.max)
	for i := 1; i < failed && ceiling < b.max; i++ {
		// Doubling stops at the cap, so it cannot overflow.
		ceiling = min(2*ceiling, b.max)
		if ceiling < 0 {
			ceiling = b.max
		}
	}
	r := b.rand()
	if r < 0 || r >= 1 {
		r = 0 // a broken source must not stretch the wait past the cap
	}
	return time.Duration(r * float64(ceiling))
}
