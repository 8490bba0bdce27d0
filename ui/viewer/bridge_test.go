package viewer

import (
	"testing"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

func TestBridgeRearmedWithTheMessagesTime(t *testing.T) {
	h := joined(t, 80, 24)
	r := h.Events(chatEnv(t, 101, "b1", "ana", "hi"))
	if len(r.Waits) != 1 {
		t.Fatalf("%d waits armed, want 1", len(r.Waits))
	}
	// h.Now is hours ahead of this machine's clock: the pause is still
	// at most a frame, so the wait returns.
	h.sess.Push(uitest.EventsUpdate(chatEnv(t, 102, "b2", "bo", "hello")))
	if um, ok := r.Wait(t).(live.UpdatesMsg); !ok || len(um.Updates) != 1 {
		t.Fatalf("wait = %#v", um)
	}
}

func TestStatsCountAppliedEvents(t *testing.T) {
	h := joined(t, 80, 24)
	before := h.M.Stats()
	h.Events(
		chatEnv(t, 101, "s1", "ana", "one"),
		uitest.Env(t, protocol.TypeChat, 102, "not a chat line"), // refused
		chatEnv(t, 103, "s3", "bo", "three"),
	)
	got := h.M.Stats()
	if got.Applied != before.Applied+2 || got.Seq != 103 || got.ChatLines != before.ChatLines+2 {
		t.Errorf("Stats = %+v after %+v, want 2 more applied, seq 103 and 2 more lines", got, before)
	}
}
