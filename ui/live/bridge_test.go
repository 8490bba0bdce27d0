package live

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// fakeSession is a session whose updates the test queues.
type fakeSession struct {
	updates chan client.Update
	once    sync.Once
	closes  int
}

func newFakeSession() *fakeSession {
	return &fakeSession{updates: make(chan client.Update, 2*MaxBatch)}
}

func (s *fakeSession) Updates() <-chan client.Update { return s.updates }
func (s *fakeSession) Send(protocol.Type, any) error { return nil }
func (s *fakeSession) Retry()                        {}
func (s *fakeSession) Close()                        { s.closes++; s.once.Do(func() { close(s.updates) }) }
func connecting(attempt int) client.Update {
	return client.Update{Kind: client.UpdateConnecting, Attempt: attempt}
}
func events(envs ...protocol.Envelope) client.Update {
	return client.Update{Kind: client.UpdateEvents, Events: envs}
}
func viewers(seq uint64) protocol.Envelope {
	return protocol.Envelope{Type: protocol.TypeViewers, Seq: seq}
}

func TestBridgeWaitsOutTheFrame(t *testing.T) {
	sess := newFakeSession()
	sess.updates <- connecting(1)
	sess.updates <- connecting(2)
	start := time.Now()
	msg := Wait(sess, start)()
	// Only a lower bound, which a slow machine or the race detector can
	// lengthen but never shorten.
	if waited := time.Since(start); waited < frameInterval {
		t.Errorf("a message %v after the last one: want it held to the frame (%v)", waited, frameInterval)
	}
	um, ok := msg.(UpdatesMsg)
	if !ok || len(um.Updates) != 2 {
		t.Fatalf("bridge = %#v, want one message with both updates", msg)
	}
}

func TestWaitBatchesQueuedUpdates(t *testing.T) {
	sess := newFakeSession()
	for i := range 3 {
		sess.updates <- events(viewers(uint64(i + 2)))
	}
	msg := Wait(sess, time.Time{})()
	um, ok := msg.(UpdatesMsg)
	if !ok || len(um.Updates) != 3 || um.At.IsZero() {
		t.Fatalf("Wait = %#v, want one UpdatesMsg with 3 updates and its time", msg)
	}
	for i, u := range um.Updates {
		if u.Events[0].Seq != uint64(i+2) {
			t.Errorf("update %d has seq %d: out of order", i, u.Events[0].Seq)
		}
	}

	// More than one message's worth comes in bounded messages.
	for range MaxBatch + 10 {
		sess.updates <- connecting(1)
	}
	if um := Wait(sess, time.Time{})().(UpdatesMsg); len(um.Updates) != MaxBatch {
		// Fatal: the next read would wait for an update that never comes.
		t.Fatalf("first message carries %d updates, want %d", len(um.Updates), MaxBatch)
	}
	if um := Wait(sess, time.Time{})().(UpdatesMsg); len(um.Updates) != 10 {
		t.Errorf("second message carries %d updates, want 10", len(um.Updates))
	}

	// The bound counts events: a burst of big updates comes a few at a
	// time, each whole.
	big := make([]protocol.Envelope, MaxBatch/2+1)
	for range 3 {
		sess.updates <- events(big...)
	}
	if um := Wait(sess, time.Time{})().(UpdatesMsg); len(um.Updates) != 2 {
		t.Errorf("a message carries %d updates of %d events, want 2", len(um.Updates), len(big))
	}
	if um := Wait(sess, time.Time{})().(UpdatesMsg); len(um.Updates) != 1 {
		t.Errorf("the rest came as %d updates, want 1", len(um.Updates))
	}

	// Updates queued before the stream closed come first, then the end.
	sess.updates <- client.Update{Kind: client.UpdateFailed, Err: errors.New("bye")}
	sess.Close()
	if um, ok := Wait(sess, time.Time{})().(UpdatesMsg); !ok || len(um.Updates) != 1 || um.Updates[0].Kind != client.UpdateFailed {
		t.Errorf("last updates = %#v", um)
	}
	if msg := Wait(sess, time.Time{})(); msg != (EndedMsg{}) {
		t.Errorf("closed stream = %#v", msg)
	}
}
