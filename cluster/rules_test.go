package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
)

// The owner's rules reach viewers on edges: a chat rate refuses a viewer's
// lines past its burst, told to that viewer alone; a ban closes every
// connection of the viewer, on every edge, and refuses it on any edge
// afterwards.
func TestOwnerRulesApplyOnEdges(t *testing.T) {
	r := newRig(t)
	cfg := r.showConfig()
	cfg.ChatRate = server.Rate{PerSecond: 0.01, Burst: 2}
	o, on := r.owner("127.0.0.1:0", cfg)
	_, e1 := r.edge("e1")
	_, e2 := r.edge("e2")
	waitEdges(t, o, 2)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	ref := watch(t, "ref", on.ws)
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)

	chatty := watch(t, "chatty", e1.ws)
	chatty.waitKind(t, deadline, client.UpdateSnapshot, 1)
	for i := range 5 {
		if err := chatty.s.Send(protocol.TypeSay, protocol.Say{Text: "chatty " + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	chatty.waitFor(t, deadline, "a rate-limit error", func() bool {
		return strings.Contains(strings.Join(chatty.unicast, "\n"), protocol.ErrCodeRateLimited)
	})
	// The owner took the lines in order and refused the last: anything it
	// let through is before the host's next line.
	say(t, h, "after chatty")
	ref.waitChat(t, deadline, "after chatty")
	ref.mu.Lock()
	got := 0
	for text := range ref.chats {
		if strings.HasPrefix(text, "chatty ") {
			got++
		}
	}
	ref.mu.Unlock()
	if got != 2 {
		t.Errorf("%d of chatty's 5 lines reached the show, want the burst of 2", got)
	}

	troll1 := watchAs(t, "troll", "troll-client-1", e1.ws)
	troll2 := watchAs(t, "troll", "troll-client-1", e2.ws)
	id := troll1.waitKind(t, deadline, client.UpdateSnapshot, 1).Welcome.You.ID
	if id2 := troll2.waitKind(t, deadline, client.UpdateSnapshot, 1).Welcome.You.ID; id2 != id {
		t.Fatalf("one client on two edges has identities %q and %q", id, id2)
	}
	if err := h.Send(protocol.TypeBan, protocol.Ban{UserID: id}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*viewer{troll1, troll2} {
		v.waitKind(t, deadline, client.UpdateFailed, 1)
		v.mu.Lock()
		notices := strings.Join(v.unicast, "\n")
		v.mu.Unlock()
		if !strings.Contains(notices, string(protocol.NoticeBan)) {
			t.Errorf("%s on its edge was closed without the ban notice: %s", v.name, notices)
		}
	}
	again := watchAs(t, "troll", "troll-client-1", e2.ws, e1.ws)
	again.waitKind(t, deadline, client.UpdateFailed, 1)
	again.mu.Lock()
	for _, u := range again.kinds {
		if u.Kind == client.UpdateSnapshot {
			t.Errorf("a banned client was welcomed again on %s", u.URL)
		}
	}
	again.mu.Unlock()
	say(t, h, "end")
	chatty.waitChat(t, deadline, "end")
}

// A chat storm on the owner (its chat cap holding viewers' lines back)
// reaches its edges with the events, so that they batch as long as the
// owner does.
func TestAStormReachesEdges(t *testing.T) {
	r := newRig(t)
	cfg := r.showConfig()
	cfg.ChatCap = 1
	o, on := r.owner("127.0.0.1:0", cfg)
	e, en := r.edge("e1")
	waitEdges(t, o, 1)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	v := watch(t, "v", en.ws)
	v.waitKind(t, deadline, client.UpdateSnapshot, 1)

	say(t, h, "calm")
	v.waitChat(t, deadline, "calm")
	if e.edge.Storming() {
		t.Fatal("the edge batches as in a storm before any line was held back")
	}
	for i := range 3 {
		if err := v.s.Send(protocol.TypeSay, protocol.Say{Text: "storm " + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	// The cap lets the first through and sends the held ones to their
	// author alone; the host's next line is an event of the storm.
	v.waitFor(t, deadline, "the held line", func() bool {
		return strings.Contains(strings.Join(v.unicast, "\n"), "storm c")
	})
	say(t, h, "stormy")
	v.waitChat(t, deadline, "stormy")
	if !e.edge.Storming() {
		t.Error("the owner's storm did not reach the edge")
	}
}
