package client

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
)

// testPolicy is the documented default policy with a fixed jitter source.
func testPolicy(r float64) backoff {
	return backoff{
		min:         defaultMinBackoff,
		max:         defaultMaxBackoff,
		serverFloor: defaultServerBackoff,
		stableAfter: defaultStableAfter,
		rand:        func() float64 { return r },
	}
}

func TestBackoffNext(t *testing.T) {
	const almost = 0.999999
	cases := []struct {
		name     string
		rand     float64
		attempt  int           // the attempt that just ended
		lasted   time.Duration // how long its connection stayed up
		ask      serverAsk
		wantNext int
		wantWait time.Duration
	}{
		{"first failure, top of range", almost, 1, 0, serverAsk{}, 2, 499_999_500},
		{"first failure, no jitter", 0, 1, 0, serverAsk{}, 2, 0},
		{"jitter scales the cap", 0.5, 1, 0, serverAsk{}, 2, 250 * time.Millisecond},
		{"doubles per failure", 0.5, 3, 0, serverAsk{}, 4, time.Second},
		{"capped", 0.5, 7, 0, serverAsk{}, 8, 15 * time.Second},
		{"stays capped far out", 0.5, 1000, 0, serverAsk{}, 1001, 15 * time.Second},
		{"short connection counts as failed", 0.5, 4, 9 * time.Second, serverAsk{}, 5, 2 * time.Second},
		{"stable connection resets", 0.5, 4, 10 * time.Second, serverAsk{}, 1, 250 * time.Millisecond},
		{"server backoff floor", 0.5, 1, 0, serverAsk{backoff: true}, 2, 5 * time.Second},
		{"jitter above the floor wins", 0.5, 7, 0, serverAsk{backoff: true}, 8, 15 * time.Second},
		{"retry-after honoured", 0, 1, 0, serverAsk{retryIn: 7 * time.Second}, 2, 7 * time.Second},
		{"retry-after above the floor", 0, 1, 0, serverAsk{backoff: true, retryIn: 9 * time.Second}, 2, 9 * time.Second},
		{"broken source stays in range", 7, 1, 0, serverAsk{}, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			next, wait := testPolicy(c.rand).next(c.attempt, c.lasted, c.ask)
			if next != c.wantNext || wait != c.wantWait {
				t.Fatalf("next(%d, %s, %+v) = %d, %s; want %d, %s",
					c.attempt, c.lasted, c.ask, next, wait, c.wantNext, c.wantWait)
			}
		})
	}
}

// Every wait is drawn from Rand: a different draw gives a different wait,
// never outside [0, cap).
func TestBackoffJitterUsesRand(t *testing.T) {
	draws := []float64{0.1, 0.9, 0.3}
	calls := 0
	b := testPolicy(0)
	b.rand = func() float64 { r := draws[calls%len(draws)]; calls++; return r }
	var waits []time.Duration
	for range draws {
		_, w := b.next(2, 0, serverAsk{})
		waits = append(waits, w)
	}
	want := []time.Duration{100 * time.Millisecond, 900 * time.Millisecond, 300 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	if calls != len(draws) {
		t.Fatalf("Rand called %d times, want %d", calls, len(draws))
	}
}

func TestBackoffHugeMinimumDoesNotOverflow(t *testing.T) {
	b := testPolicy(0.5)
	b.min, b.max = 1<<62, 1<<62+1<<61
	for attempt := 1; attempt < 70; attempt++ {
		if _, w := b.next(attempt, 0, serverAsk{}); w < 0 || w > b.max {
			t.Fatalf("attempt %d: wait %d outside [0, %d]", attempt, w, b.max)
		}
	}
}

func TestJudge(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		wantAsk   serverAsk
		wantFinal bool
	}{
		{"server restarting", &CloseError{Code: protocol.CloseGoingAway}, serverAsk{backoff: true}, false},
		{"slow consumer", &CloseError{Code: protocol.CloseSlowConsumer}, serverAsk{backoff: true}, false},
		{"silent link", &CloseError{Code: protocol.CloseHeartbeat}, serverAsk{}, false},
		{"refused version", &CloseError{Code: protocol.CloseUnsupportedVersion}, serverAsk{}, true},
		{"show ended", &CloseError{Code: protocol.CloseShowEnded}, serverAsk{}, true},
		{"show ended at dial", &DialError{Status: http.StatusGone}, serverAsk{}, true},
		{"refused hello at dial", &DialError{Close: protocol.CloseBadHello, Retryable: false}, serverAsk{}, true},
		{"full at dial", &DialError{Close: protocol.CloseTryAgainLater, Retryable: true}, serverAsk{backoff: true}, false},
		{"503 with retry-after", &DialError{Status: http.StatusServiceUnavailable, Retryable: true, RetryIn: 3 * time.Second},
			serverAsk{backoff: true, retryIn: 3 * time.Second}, false},
		{"404", &DialError{Status: http.StatusNotFound}, serverAsk{}, true},
		{"unreachable", &DialError{Retryable: true}, serverAsk{}, false},
		{"gap", errGap, serverAsk{}, false},
		{"lost", errors.New("connection lost: EOF"), serverAsk{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ask, final := judge(c.err)
			if ask != c.wantAsk || final != c.wantFinal {
				t.Fatalf("judge(%v) = %+v, %v; want %+v, %v", c.err, ask, final, c.wantAsk, c.wantFinal)
			}
		})
	}
}
