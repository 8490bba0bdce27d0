package auction

import (
	"errors"
	"testing"
	"time"
)

func TestCounterBidExtension(t *testing.T) {
	a := start(t, 1000) // ends at t0+60s, counter 10s
	end := t0.Add(time.Minute)

	// Exactly the counter-bid time left: no extension.
	r := bid(t, a, "ann", 1000, false, end.Add(-10*time.Second))
	if r.Extended || !r.End.Equal(end) {
		t.Fatalf("with exactly 10s left: %+v", r)
	}
	// A nanosecond less: the end becomes now+10s.
	at := end.Add(-10*time.Second + 1)
	r = bid(t, a, "bob", 1100, false, at)
	if !r.Extended || !r.End.Equal(at.Add(10*time.Second)) {
		t.Fatalf("with under 10s left: %+v", r)
	}
	end = r.End
	if s := a.Snapshot(); s.Extensions != 1 || !s.End.Equal(end) {
		t.Fatalf("snapshot after one extension: %+v", s)
	}

	// A maximum that only provokes the leader's counter-bid still moves
	// the price, so it extends too.
	bid(t, a, "bob", 5000, true, at.Add(time.Second)) // bob raises: no change, no extension
	if s := a.Snapshot(); s.Extensions != 1 || !s.End.Equal(end) {
		t.Fatalf("a raise extended the clock: %+v", s)
	}
	at = end.Add(-time.Second)
	r = bid(t, a, "cat", 2000, false, at)
	if r.Leading || !r.Extended || !r.End.Equal(at.Add(10*time.Second)) || r.Price != usd(2100) {
		t.Fatalf("counter-bid in the last second: %+v", r)
	}
	if got := a.Snapshot().Extensions; got != 2 {
		t.Fatalf("extensions = %d, want 2", got)
	}
}

func TestCustomCounter(t *testing.T) {
	a, err := New(Config{Start: usd(100), Duration: 30 * time.Second, Counter: 20 * time.Second}, t0)
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(15 * time.Second) // 15s left, under 20s
	if r := bid(t, a, "ann", 100, false, at); !r.Extended || !r.End.Equal(at.Add(20*time.Second)) {
		t.Fatalf("20s counter: %+v", r)
	}
}

func TestSuddenDeathNeverExtends(t *testing.T) {
	a, err := New(Config{Start: usd(1000), Duration: 10 * time.Second, Sudden: true}, t0)
	if err != nil {
		t.Fatal(err)
	}
	end := t0.Add(10 * time.Second)
	bid(t, a, "ann", 3000, true, end.Add(-2*time.Second))
	bid(t, a, "bob", 2000, false, end.Add(-time.Second))
	r := bid(t, a, "cat", 4000, false, end.Add(-1))
	if r.Extended || !r.End.Equal(end) || !r.Leading {
		t.Fatalf("last-nanosecond bid: %+v", r)
	}
	if s := a.Snapshot(); s.Extensions != 0 || !s.End.Equal(end) || !s.Sudden {
		t.Fatalf("sudden death: %+v", s)
	}
	if _, err := a.Bid("ann", 9000, false, end); !errors.Is(err, ErrEnded) {
		t.Fatalf("bid at the end: err = %v, want ErrEnded", err)
	}
	out, ok := a.Close(end)
	if !ok || out != (Outcome{Sold: true, Winner: "cat", Price: usd(4000)}) {
		t.Fatalf("Close = %+v, %v", out, ok)
	}
}

func TestBidAtOrAfterEndRefused(t *testing.T) {
	a := start(t, 1000)
	end := t0.Add(time.Minute)
	for _, at := range []time.Time{end, end.Add(time.Hour)} {
		if _, err := a.Bid("ann", 1000, false, at); !errors.Is(err, ErrEnded) {
			t.Fatalf("bid at %v: err = %v, want ErrEnded", at, err)
		}
	}
	if s := a.Snapshot(); s.Bids != 0 || s.Ended {
		t.Fatalf("a refused bid changed the auction: %+v", s)
	}
	bid(t, a, "ann", 1000, false, end.Add(-1))
}

func TestCloseBeforeEndDoesNothing(t *testing.T) {
	a := start(t, 1000)
	bid(t, a, "ann", 1000, false, soon)
	end := t0.Add(time.Minute)
	if out, ok := a.Close(end.Add(-1)); ok || out != (Outcome{}) {
		t.Fatalf("Close before the end = %+v, %v", out, ok)
	}
	if s := a.Snapshot(); s.Ended {
		t.Fatal("Close before the end ended it")
	}
	bid(t, a, "bob", 1100, false, end.Add(-time.Hour)) // still open
}

func TestSold(t *testing.T) {
	a := start(t, 1000)
	bid(t, a, "ann", 9000, true, soon)
	bid(t, a, "bob", 4000, false, soon)
	end := t0.Add(time.Minute)
	want := Outcome{Sold: true, Winner: "ann", Price: usd(4200)}
	for i := range 2 { // Close is idempotent: the second call reports the same
		out, ok := a.Close(end.Add(time.Duration(i) * time.Hour))
		if !ok || out != want {
			t.Fatalf("Close #%d = %+v, %v, want %+v", i+1, out, ok, want)
		}
	}
	if _, err := a.Bid("bob", 10000, false, end.Add(-time.Hour)); !errors.Is(err, ErrEnded) {
		t.Fatalf("bid after Close, even with an early clock: err = %v", err)
	}
	if s := a.Snapshot(); !s.Ended || s.Cancelled {
		t.Fatalf("after Close: %+v", s)
	}
	if err := a.Cancel(); !errors.Is(err, ErrEnded) {
		t.Fatalf("Cancel after Close: err = %v", err)
	}
}

func TestUnsold(t *testing.T) {
	a := start(t, 1000)
	if out, ok := a.Close(t0.Add(time.Minute)); !ok || out != (Outcome{}) {
		t.Fatalf("no bids: Close = %+v, %v, want unsold", out, ok)
	}
}

func TestCancel(t *testing.T) {
	a := start(t, 1000)
	if err := a.Cancel(); err != nil {
		t.Fatalf("Cancel before bids: %v", err)
	}
	if err := a.Cancel(); err != nil {
		t.Fatalf("second Cancel: %v", err)
	}
	if _, err := a.Bid("ann", 1000, false, soon); !errors.Is(err, ErrCancelled) {
		t.Fatalf("bid after Cancel: err = %v", err)
	}
	if s := a.Snapshot(); !s.Ended || !s.Cancelled {
		t.Fatalf("after Cancel: %+v", s)
	}
	if out, ok := a.Close(soon); !ok || out.Sold {
		t.Fatalf("Close after Cancel = %+v, %v, want unsold", out, ok)
	}

	a = start(t, 1000)
	bid(t, a, "ann", 1000, false, soon)
	if err := a.Cancel(); !errors.Is(err, ErrHasBids) {
		t.Fatalf("Cancel after a bid: err = %v, want ErrHasBids", err)
	}
	if s := a.Snapshot(); s.Ended {
		t.Fatal("a refused Cancel ended the auction")
	}
}
