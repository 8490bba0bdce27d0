package viewer

import (
	"testing"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

func TestBridgeRearmedWithTheMessagesTime(t *testing.T) {
	h := joined(t, 80, 24)
	r := h.events(chatEnv(t, 101, "b1", "ana", "hi"))
	if len(r.waits) != 1 {
		t.Fatalf("%d waits armed, want 1", len(r.waits))
	}
	// h.now is hours ahead of this machine's clock: the pause is still
	// at most a frame, so the wait returns.
	h.sess.updates <- eventsUpdate(chatEnv(t, 102, "b2", "bo", "hello"))
	if um, ok := runWait(t, r).(live.UpdatesMsg); !ok || len(um.Updates) != 1 {
		t.Fatalf("wait = %#v", um)
	}
}

func TestStatsCountAppliedEvents(t *testing.T) {
	h := joined(t, 80, 24)
	before := h.m.Stats()
	h.events(
		chatEnv(t, 101, "s1", "ana", "one"),
		env(t, protocol.TypeChat, 102, "not a chat line"), // refused
		chatEnv(t, 103, "s3", "bo", "three"),
	)
	got := h.m.Stats()
	if got.Applied != before.Applied+2 || got.Seq != 103 || got.ChatLines != before.ChatLines+2 {
		t.Errorf("Stats = %+v after %+v, want 2 more applied, seq 103 and 2 more lines", got, before)
	}
}
