package viewer

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/livecart/livecart/ui/chat"
)

// TestChatStormMemoryBounded floods a live viewer with 50,000 chat lines
// in bridge-sized bursts and checks that the pane keeps only its
// scrollback and that the heap stops growing once the pane is full: a
// flood costs a bounded amount of memory however long it lasts.
func TestChatStormMemoryBounded(t *testing.T) {
	const (
		total     = 50_000
		perBurst  = 100
		baseline  = 5_000 // events after which the heap is measured first
		drawEvery = 1_000 // events between frames drawn
		// heapSlack is how far the heap may grow past the baseline. A
		// pane that kept every line costs about 300 bytes a line here
		// (measured with a 100,000-line scrollback), 13 MB over the
		// 45,000 lines after the baseline; a bounded one grows by noise.
		heapSlack = 8 << 20
	)
	// Fewer collections during the flood keep the test quick under -race;
	// the measurements below each follow a full collection, so they do not
	// depend on it.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	m := liveModel(t, 120, 40)
	var base uint64
	for first := 101; first < 101+total; first += perBurst {
		m = step(t, m, burst(stormEvents(t, first, perBurst)))
		done := first + perBurst - 101
		if done%drawEvery == 0 {
			if v := m.View().Content; v == "" {
				t.Fatalf("empty frame after %d events", done)
			}
		}
		if done == baseline {
			base = liveHeap()
		}
	}
	if got := m.chat.Len(); got > chat.DefaultScrollback {
		t.Errorf("chat pane holds %d lines after the storm, more than its scrollback of %d", got, chat.DefaultScrollback)
	}
	end := liveHeap()
	t.Logf("heap after %d events: %d KiB; after %d: %d KiB (%+d KiB)", baseline, base>>10, total, end>>10, (int64(end)-int64(base))>>10)
	if end > base+heapSlack {
		t.Errorf("heap grew from %d KiB after %d events to %d KiB after %d: more than %d MiB for a pane capped at %d lines",
			base>>10, baseline, end>>10, total, heapSlack>>20, chat.DefaultScrollback)
	}
	runtime.KeepAlive(m)
}

// liveHeap is the heap in use by live objects, after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
