package store

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/store/storetest"
)

// logLines keeps what a follower logs.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	s := r.Message
	r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }

func TestFollowerAppliesAndBacksOff(t *testing.T) {
	st := storetest.NewShopify("USD", storetest.Demo())
	defer st.Close()
	src, _, _ := ParseSource("shopify:" + st.URL)
	ticks := make(chan time.Time)
	asked := make(chan time.Duration, 1) // each wait the follower starts
	applied := make(chan []protocol.Product, 10)
	logs := &logLines{}
	var warnings []string
	f := Follower{
		Warn:   func(w string) { warnings = append(warnings, w) },
		Source: src, Options: Options{Currency: "USD"}, Every: time.Minute, Log: slog.New(logs),
		Apply: func(ps []protocol.Product) []string { applied <- ps; return nil },
		After: func(d time.Duration) <-chan time.Time {
			asked <- d
			return ticks
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- f.Run(ctx) }()
	expectWait := func(want time.Duration) {
		t.Helper()
		if got := <-asked; got != want {
			t.Errorf("wait %s, want %s", got, want)
		}
	}
	expectWait(time.Minute)

	products := storetest.Demo()
	products[0].Variants[1].Price = "1199.00"
	products[1].Variants[0].Available = true
	st.Set(products)
	ticks <- time.Time{}
	ps := <-applied
	if got := ps[0].RegularOf("8002").Amount; got != 119900 {
		t.Errorf("large print %d, want 119900", got)
	}
	if ps[1].Variants[0].Stock == 0 {
		t.Error("the sticker is still sold out")
	}
	expectWait(time.Minute)

	st.Fail(http.StatusTooManyRequests, "1800", "")
	ticks <- time.Time{}
	expectWait(30 * time.Minute) // Retry-After, longer than the back-off
	st.Fail(http.StatusServiceUnavailable, "", "")
	ticks <- time.Time{}
	expectWait(4 * time.Minute) // twice, twice
	st.Fail(0, "", "")
	ticks <- time.Time{}
	<-applied
	expectWait(time.Minute)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 3 || !strings.Contains(warnings[0], "rate limiting") || !strings.Contains(warnings[1], "503") || warnings[2] != "" {
		t.Errorf("warnings %q, want the 429's, the 503's, then cleared", warnings)
	}
	all := strings.Join(logs.lines, "\n")
	if !strings.Contains(all, "keeps its last good catalog") || !strings.Contains(all, "works again") {
		t.Errorf("log:\n%s", all)
	}
}

func TestBackoffCaps(t *testing.T) {
	if got := backoff(5*time.Minute, 10, errors.New("x")); got != maxBackoff {
		t.Errorf("backoff = %s, want %s", got, maxBackoff)
	}
}
