package cluster

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// A viewer on an edge gets the owner's welcome and the show's events at
// the stream's seqs; its chat goes to the owner and comes back to
// everyone; the welcome lists the other edges.
func TestEdgeRelaysTheOwnersShow(t *testing.T) {
	r := newRig(t)
	o, on := r.owner("127.0.0.1:0", r.showConfig())
	_, e1 := r.edge("e1")
	_, e2 := r.edge("e2")
	waitEdges(t, o, 2)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	ref := watch(t, "ref", on.ws)
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)
	say(t, h, "before")
	v := watch(t, "v", e1.ws)
	snap := v.waitKind(t, deadline, client.UpdateSnapshot, 1)
	if snap.Welcome.You.ID == "" || snap.Welcome.You.Role != protocol.RoleViewer {
		t.Fatalf("welcome identity %+v", snap.Welcome.You)
	}
	// Heartbeats carry edge URLs to the owner; a later welcome lists e2.
	v.waitFor(t, deadline, "some event", func() bool { return len(v.events) > 0 || v.first > 0 })
	say(t, h, "hello edges")
	v.waitChat(t, deadline, "hello edges")
	if err := v.s.Send(protocol.TypeSay, protocol.Say{Text: "from the edge"}); err != nil {
		t.Fatal(err)
	}
	ref.waitChat(t, deadline, "from the edge")
	v.waitChat(t, deadline, "from the edge")
	say(t, h, "end")
	v.waitChat(t, deadline, "end")
	ref.waitChat(t, deadline, "end")
	if err := v.sameAs(ref); err != nil {
		t.Fatal(err)
	}
	w := watch(t, "w", e1.ws)
	w.waitFor(t, deadline, "alternates", func() bool {
		for _, u := range w.kinds {
			if u.Kind == client.UpdateSnapshot {
				return len(u.Welcome.Alternates) == 1 && u.Welcome.Alternates[0] == e2.ws
			}
		}
		return false
	})
}

// Viewers on different edges are different viewers to the owner, even
// when each is the first its edge took: each one's line carries its own
// identity, and neither is dropped when the other joins or leaves.
func TestViewersOnTwoEdgesStayApart(t *testing.T) {
	r := newRig(t)
	o, on := r.owner("127.0.0.1:0", r.showConfig())
	_, e1 := r.edge("e1")
	_, e2 := r.edge("e2")
	waitEdges(t, o, 2)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	ref := watch(t, "ref", on.ws)
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)
	a := watch(t, "alice", e1.ws)
	b := watch(t, "bob", e2.ws)
	idA := a.waitKind(t, deadline, client.UpdateSnapshot, 1).Welcome.You.ID
	idB := b.waitKind(t, deadline, client.UpdateSnapshot, 1).Welcome.You.ID
	if idA == "" || idA == idB {
		t.Fatalf("identities %q and %q", idA, idB)
	}
	for _, v := range []*viewer{a, b} {
		if err := v.s.Send(protocol.TypeSay, protocol.Say{Text: "line of " + v.name}); err != nil {
			t.Fatal(err)
		}
	}
	ref.waitChat(t, deadline, "line of alice")
	ref.waitChat(t, deadline, "line of bob")
	ref.mu.Lock()
	for _, ev := range ref.events {
		if strings.Contains(ev, "line of alice") && !strings.Contains(ev, idA) ||
			strings.Contains(ev, "line of bob") && !strings.Contains(ev, idB) {
			t.Errorf("a line under another's identity: %s (alice %s, bob %s)", ev, idA, idB)
		}
	}
	ref.mu.Unlock()
	b.s.Close()
	if err := a.s.Send(protocol.TypeSay, protocol.Say{Text: "alice again"}); err != nil {
		t.Fatal(err)
	}
	ref.waitChat(t, deadline, "alice again")
	say(t, h, "end")
	a.waitChat(t, deadline, "end")
	if err := a.sameAs(ref); err != nil {
		t.Fatal(err)
	}
}

// An owner listening on every address sends the edges' page requests to
// the host the browser reached the edge by, at the owner's port: the
// wildcard would name the browser's own machine.
func TestWildcardOwnerLinksOnTheViewersHost(t *testing.T) {
	r := newRig(t)
	o, on := r.owner("0.0.0.0:0", r.showConfig())
	_, en := r.edge("e1")
	waitEdges(t, o, 1)
	_, ownerPort, err := net.SplitHostPort(on.addr)
	if err != nil {
		t.Fatal(err)
	}
	_, edgePort, err := net.SplitHostPort(en.addr)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, "http://"+en.addr+"/cart/mug-sand:1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "localhost:" + edgePort
	noFollow := &http.Client{Timeout: testBudget, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "http://localhost:" + ownerPort + "/cart/mug-sand:1"; resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != want {
		t.Fatalf("HTTP %d to %q, want %d to %q", resp.StatusCode, resp.Header.Get("Location"), http.StatusTemporaryRedirect, want)
	}

	// A viewer's checkout links, which the owner makes, are on that host
	// too.
	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	v, err := client.Dial(ctx, client.Options{URL: "ws://localhost:" + edgePort + "/ws", Name: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	w, _ := v.Welcome()
	if want := "http://localhost:" + ownerPort + "/cart/" + protocol.CheckoutPlaceholder; !strings.HasPrefix(w.Checkout, want) {
		t.Fatalf("the welcome's checkout is %q, want it to start %q", w.Checkout, want)
	}
}
