package live_test

import (
	"errors"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

func TestBridgeWaitsOutTheFrame(t *testing.T) {
	sess := uitest.NewSession()
	sess.Push(uitest.Connecting(1))
	sess.Push(uitest.Connecting(2))
	start := time.Now()
	msg := live.Wait(sess, start)()
	// Only a lower bound, which a slow machine or the race detector can
	// lengthen but never shorten.
	if waited := time.Since(start); waited < live.FrameInterval {
		t.Errorf("a message %v after the last one: want it held to the frame (%v)", waited, live.FrameInterval)
	}
	um, ok := msg.(live.UpdatesMsg)
	if !ok || len(um.Updates) != 2 {
		t.Fatalf("bridge = %#v, want one message with both updates", msg)
	}
}

func TestWaitBatchesQueuedUpdates(t *testing.T) {
	sess := uitest.NewSession()
	for i := range 3 {
		sess.Push(uitest.EventsUpdate(protocol.Envelope{Type: protocol.TypeViewers, Seq: uint64(i + 2)}))
	}
	msg := live.Wait(sess, time.Time{})()
	um, ok := msg.(live.UpdatesMsg)
	if !ok || len(um.Updates) != 3 || um.At.IsZero() {
		t.Fatalf("live.Wait = %#v, want one live.UpdatesMsg with 3 updates and its time", msg)
	}
	for i, u := range um.Updates {
		if u.Events[0].Seq != uint64(i+2) {
			t.Errorf("update %d has seq %d: out of order", i, u.Events[0].Seq)
		}
	}

	// More than one message's worth comes in bounded messages.
	for range live.MaxBatch + 10 {
		sess.Push(uitest.Connecting(1))
	}
	if um := live.Wait(sess, time.Time{})().(live.UpdatesMsg); len(um.Updates) != live.MaxBatch {
		// Fatal: the next read would wait for an update that never comes.
		t.Fatalf("first message carries %d updates, want %d", len(um.Updates), live.MaxBatch)
	}
	if um := live.Wait(sess, time.Time{})().(live.UpdatesMsg); len(um.Updates) != 10 {
		t.Errorf("second message carries %d updates, want 10", len(um.Updates))
	}

	// The bound counts events: a burst of big updates comes a few at a
	// time, each whole.
	big := make([]protocol.Envelope, live.MaxBatch/2+1)
	for range 3 {
		sess.Push(uitest.EventsUpdate(big...))
	}
	if um := live.Wait(sess, time.Time{})().(live.UpdatesMsg); len(um.Updates) != 2 {
		t.Errorf("a message carries %d updates of %d events, want 2", len(um.Updates), len(big))
	}
	if um := live.Wait(sess, time.Time{})().(live.UpdatesMsg); len(um.Updates) != 1 {
		t.Errorf("the rest came as %d updates, want 1", len(um.Updates))
	}

	// Updates queued before the stream closed come first, then the end.
	sess.Push(uitest.Failed(errors.New("bye")))
	sess.Close()
	if um, ok := live.Wait(sess, time.Time{})().(live.UpdatesMsg); !ok || len(um.Updates) != 1 || um.Updates[0].Kind != client.UpdateFailed {
		t.Errorf("last updates = %#v", um)
	}
	if msg := live.Wait(sess, time.Time{})(); msg != (live.EndedMsg{}) {
		t.Errorf("closed stream = %#v", msg)
	}
}
