package main

import (
	"testing"
	"time"

	"github.com/livecart/livecart/ui/live"
)

// TestStormEveryEventApplied runs a short storm through the real viewer:
// every event offered is applied, frames were drawn and the chat pane
// holds no more than its scrollback.
func TestStormEveryEventApplied(t *testing.T) {
	c := config{duration: time.Second, rate: 500, pinEvery: 200 * time.Millisecond, width: 120, height: 40,
		netFrame: time.Millisecond, scrollback: 100}
	res, err := run(c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Offered < 400 || !res.AllApplied || res.Applied != res.Offered {
		t.Errorf("offered %d, applied %d (all: %v): want every event of about 500 applied", res.Offered, res.Applied, res.AllApplied)
	}
	if res.Frames == 0 || res.Views == 0 {
		t.Errorf("%d frames, %d views during the storm", res.Frames, res.Views)
	}
	if res.ChatLines != 100 {
		t.Errorf("chat pane holds %d lines, want its scrollback of 100", res.ChatLines)
	}
}

// TestNaiveStormRuns: the naive mode feeds one message per event and
// reports what it took.
func TestNaiveStormRuns(t *testing.T) {
	c := config{duration: 500 * time.Millisecond, rate: 200, width: 80, height: 24, netFrame: time.Millisecond, naive: true}
	res, err := run(c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Offered == 0 || res.AppliedAtEnd == 0 || res.Messages < res.AppliedAtEnd {
		t.Errorf("naive: offered %d, applied %d in %d messages", res.Offered, res.AppliedAtEnd, res.Messages)
	}
}

func TestScheduleCountsWhatItMakes(t *testing.T) {
	start := time.Now()
	st := newStream(1000, 100*time.Millisecond, start)
	end := start.Add(time.Second)
	n := 0
	for {
		envs := st.frame(end, live.MaxBatch)
		if len(envs) == 0 {
			break
		}
		for i, e := range envs {
			if want := uint64(snapshotSeq + n + i + 1); e.Seq != want {
				t.Fatalf("event %d has seq %d, want %d", n+i, e.Seq, want)
			}
		}
		n += len(envs)
	}
	if n != st.scheduled(end) || n != st.offered() {
		t.Errorf("made %d events, offered() %d, scheduled() %d", n, st.offered(), st.scheduled(end))
	}
	if st.pins != 10 {
		t.Errorf("%d pins in a second, want 10", st.pins)
	}
}
