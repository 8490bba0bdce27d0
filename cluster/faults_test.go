package cluster

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// audience is how many viewers the kill test runs (LIVECART_CLUSTER_VIEWERS
// changes it); a few hundred under -race.
func audience() int {
	if n, err := strconv.Atoi(os.Getenv("LIVECART_CLUSTER_VIEWERS")); err == nil && n > 0 {
		return n
	}
	return 300
}

// chatRun has the host say lines prefix0 … prefixN-1, waiting every ten
// lines for the reference to have them, so a fault lands mid-stream.
func chatRun(t *testing.T, h *client.Conn, ref *viewer, prefix string, n int, deadline time.Time) {
	t.Helper()
	for i := range n {
		say(t, h, prefix+strconv.Itoa(i))
		if i%10 == 9 {
			ref.waitChat(t, deadline, prefix+strconv.Itoa(i))
		}
	}
}

// firstURL is where v got its first welcome.
func (v *viewer) firstURL() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, u := range v.kinds {
		if u.Kind == client.UpdateSnapshot {
			return u.URL
		}
	}
	return ""
}

func (v *viewer) resumes() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for _, u := range v.kinds {
		if u.Kind == client.UpdateResumed {
			n++
		}
	}
	return n
}

// Kill an edge under load: its viewers move to the other edges and resume
// there, and every viewer ends with exactly the events of a viewer that
// never disconnected.
func TestKillAnEdgeUnderLoad(t *testing.T) {
	r := newRig(t)
	o, on := r.owner("127.0.0.1:0", r.showConfig())
	var edges []*node
	for i := range 3 {
		_, n := r.edge("e" + strconv.Itoa(i))
		edges = append(edges, n)
	}
	waitEdges(t, o, 3)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	ref := watch(t, "ref", on.ws)
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)

	viewers := make([]*viewer, audience())
	for i := range viewers {
		urls := []string{edges[i%3].ws, edges[(i+1)%3].ws, edges[(i+2)%3].ws}
		viewers[i] = watch(t, "v"+strconv.Itoa(i), urls...)
	}
	for _, v := range viewers {
		v.waitKind(t, deadline, client.UpdateSnapshot, 1)
	}
	chatRun(t, h, ref, "before-", 50, deadline)
	// Kill edge 0 while lines are on their way.
	go chatRun(t, h, ref, "during-", 50, deadline)
	edges[0].kill(t)
	ref.waitChat(t, deadline, "during-49")
	chatRun(t, h, ref, "after-", 50, deadline)
	say(t, h, "end")
	moved := 0
	for _, v := range viewers {
		v.waitChat(t, deadline, "end")
		if err := v.sameAs(ref); err != nil {
			t.Error(err)
		}
		if v.firstURL() == edges[0].ws {
			moved++
			if v.resumes() == 0 {
				t.Errorf("%s was on the killed edge and did not resume: %v", v.name, v.summary())
			}
		}
	}
	if moved == 0 {
		t.Fatal("no viewer was on the killed edge")
	}
	t.Logf("%d viewers, %d moved off the killed edge", len(viewers), moved)
}

// Restart the owner: the epoch is kept, viewers on edges stay and those on
// the owner resume, nothing is lost or doubled, and orders, stock and
// identities are intact.
func TestRestartTheOwner(t *testing.T) {
	r := newRig(t)
	cfg := r.showConfig()
	o, on := r.owner("127.0.0.1:0", cfg)
	_, e1 := r.edge("e1")
	_, e2 := r.edge("e2")
	waitEdges(t, o, 2)
	deadline := time.Now().Add(testBudget)
	epoch := o.Epoch()
	h := host(t, on.ws)
	ref := watch(t, "ref", e1.ws, e2.ws)
	onOwner := watch(t, "direct", on.ws)
	buyer := watch(t, "buyer", e2.ws, e1.ws)
	var viewers []*viewer
	for i := range 10 {
		viewers = append(viewers, watch(t, "v"+strconv.Itoa(i), e1.ws, e2.ws))
	}
	buyerID := buyer.waitKind(t, deadline, client.UpdateSnapshot, 1).Welcome.You.ID
	onOwner.waitKind(t, deadline, client.UpdateSnapshot, 1)
	for _, v := range viewers {
		v.waitKind(t, deadline, client.UpdateSnapshot, 1)
	}
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)
	if err := h.Send(protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"}); err != nil {
		t.Fatal(err)
	}
	if err := buyer.s.Send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "mug-blue", Qty: 2}}}); err != nil {
		t.Fatal(err)
	}
	chatRun(t, h, ref, "before-", 20, deadline)
	buyer.waitFor(t, deadline, "its order", func() bool { return strings.Contains(fmt.Sprint(buyer.events), "purchase") })
	stock, _ := o.Server().Stock("mug-blue")
	orders := o.Server().Metrics().Orders

	if err := on.shutdown(t); err != nil {
		t.Fatalf("owner stopped with %v", err)
	}
	o2, on2 := r.owner(on.addr, cfg)
	if o2.Epoch() != epoch {
		t.Fatalf("epoch after the restart %q, want %q", o2.Epoch(), epoch)
	}
	if got, _ := o2.Server().Stock("mug-blue"); got != stock {
		t.Fatalf("stock after the restart %d, want %d", got, stock)
	}
	if got := o2.Server().Metrics().Orders; got != orders || orders == 0 {
		t.Fatalf("orders after the restart %d, want %d (not 0)", got, orders)
	}
	if pin, ok := o2.Server().Pinned(); !ok || pin.VariantID != "mug-blue" {
		t.Fatalf("pin after the restart %+v %v", pin, ok)
	}
	h2 := host(t, on2.ws)
	chatRun(t, h2, ref, "after-", 20, deadline)
	// A viewer on an edge speaks to the new owner as the same identity.
	if err := buyer.s.Send(protocol.TypeSay, protocol.Say{Text: "still me"}); err != nil {
		t.Fatal(err)
	}
	ref.waitChat(t, deadline, "still me")
	say(t, h2, "end")
	ref.waitChat(t, deadline, "end")
	ref.mu.Lock()
	for _, ev := range ref.events {
		if strings.Contains(ev, "still me") && !strings.Contains(ev, buyerID) {
			t.Errorf("after the restart the buyer speaks as another: %s (was %s)", ev, buyerID)
		}
	}
	ref.mu.Unlock()
	for _, v := range append(viewers, buyer, onOwner) {
		v.waitChat(t, deadline, "end")
		if err := v.sameAs(ref); err != nil {
			t.Error(err)
		}
	}
	if onOwner.resumes() == 0 {
		t.Errorf("the viewer on the owner did not resume: %v", onOwner.summary())
	}
}

// An auction and a giveaway open when the owner stops end when it comes
// back: their bids, entries and timers went with the old process, so the
// auction is withdrawn and the giveaway void, and the units they set aside
// are back in stock; viewers on an edge are told.
func TestOwnerRestartEndsWhatWasOpen(t *testing.T) {
	r := newRig(t)
	cfg := r.showConfig()
	o, on := r.owner("127.0.0.1:0", cfg)
	_, e1 := r.edge("e1")
	waitEdges(t, o, 1)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	v := watch(t, "v", e1.ws)
	v.waitKind(t, deadline, client.UpdateSnapshot, 1)
	before, _ := o.Server().Stock("mug-blue")
	if err := h.Send(protocol.TypeStartAuction, protocol.StartAuction{ProductID: "mug", VariantID: "mug-blue", Start: 1200, Seconds: 60}); err != nil {
		t.Fatal(err)
	}
	if err := h.Send(protocol.TypeStartGiveaway, protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 60}); err != nil {
		t.Fatal(err)
	}
	seen := func(typ protocol.Type, state string) func() bool {
		return func() bool {
			for _, ev := range v.events {
				if strings.HasPrefix(ev, string(typ)+" ") && strings.Contains(ev, `"state":"`+state+`"`) {
					return true
				}
			}
			return false
		}
	}
	v.waitFor(t, deadline, "the open auction", seen(protocol.TypeAuction, protocol.AuctionOpen))
	v.waitFor(t, deadline, "the open giveaway", seen(protocol.TypeGiveaway, protocol.GiveawayOpen))
	if got, _ := o.Server().Stock("mug-blue"); got != before-2 {
		t.Fatalf("stock with an auction and a giveaway open %d, want %d", got, before-2)
	}

	if err := on.shutdown(t); err != nil {
		t.Fatalf("owner stopped with %v", err)
	}
	o2, _ := r.owner(on.addr, cfg)
	v.waitFor(t, deadline, "the auction withdrawn", seen(protocol.TypeAuction, protocol.AuctionCancelled))
	v.waitFor(t, deadline, "the giveaway void", seen(protocol.TypeGiveaway, protocol.GiveawayVoid))
	if got, _ := o2.Server().Stock("mug-blue"); got != before {
		t.Fatalf("stock after the restart %d, want %d: the set-aside units back", got, before)
	}
}

// Partition an edge from NATS: a short cut, and its viewers catch up from
// the stream; a long one, and they are told to go and resume on another
// edge. Nothing is delivered twice.
func TestPartitionAnEdge(t *testing.T) {
	r := newRig(t)
	o, on := r.owner("127.0.0.1:0", r.showConfig())
	proxy := toxiproxy.NewProxy(toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop()), "nats", "127.0.0.1:0", strings.TrimPrefix(r.nats.URL(), "nats://"))
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Stop)
	_, cut := r.edge("cut", func(c *EdgeConfig) { c.NATS = "nats://" + proxy.Listen })
	_, other := r.edge("other")
	waitEdges(t, o, 2)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	ref := watch(t, "ref", on.ws)
	var viewers []*viewer
	for i := range 20 {
		viewers = append(viewers, watch(t, "v"+strconv.Itoa(i), cut.ws, other.ws))
	}
	for _, v := range viewers {
		v.waitKind(t, deadline, client.UpdateSnapshot, 1)
	}
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)
	chatRun(t, h, ref, "before-", 20, deadline)

	// A cut shorter than LostAfter: the viewers stay and catch up.
	proxy.Stop()
	chatRun(t, h, ref, "short-", 20, deadline)
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	for _, v := range viewers {
		v.waitChat(t, deadline, "short-19")
		if n := v.resumes(); n != 0 {
			t.Fatalf("%s reconnected during a short cut: %v", v.name, v.summary())
		}
	}

	// A long cut: the edge sends its viewers to the other edge.
	proxy.Stop()
	chatRun(t, h, ref, "long-", 20, deadline)
	for _, v := range viewers {
		v.waitChat(t, deadline, "long-19")
	}
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	say(t, h, "end")
	for _, v := range viewers {
		v.waitChat(t, deadline, "end")
		if err := v.sameAs(ref); err != nil {
			t.Error(err)
		}
		if v.resumes() == 0 {
			t.Errorf("%s never moved during the long cut: %v", v.name, v.summary())
		}
	}
}

// A slow edge (its consumer stalled) holds up neither the owner nor the
// other edges, and catches up once it goes on.
func TestSlowEdge(t *testing.T) {
	r := newRig(t)
	o, on := r.owner("127.0.0.1:0", r.showConfig())
	var stall sync.Mutex
	_, slow := r.edge("slow", func(c *EdgeConfig) { c.beforeRelay = func() { stall.Lock(); stall.Unlock() } })
	_, fast := r.edge("fast")
	waitEdges(t, o, 2)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	ref := watch(t, "ref", on.ws)
	onSlow := watch(t, "on-slow", slow.ws)
	onFast := watch(t, "on-fast", fast.ws)
	for _, v := range []*viewer{ref, onSlow, onFast} {
		v.waitKind(t, deadline, client.UpdateSnapshot, 1)
	}
	chatRun(t, h, ref, "before-", 10, deadline)
	onSlow.waitChat(t, deadline, "before-9")

	stall.Lock()
	start := time.Now()
	chatRun(t, h, ref, "stalled-", 200, deadline)
	onFast.waitChat(t, deadline, "stalled-199")
	took := time.Since(start)
	onSlow.mu.Lock()
	got := onSlow.chats["stalled-199"]
	onSlow.mu.Unlock()
	stall.Unlock()
	if got {
		t.Fatal("the stalled edge delivered while stalled")
	}
	t.Logf("200 lines reached the owner's and the fast edge's viewers in %s with an edge stalled", took)
	say(t, h, "end")
	for _, v := range []*viewer{onSlow, onFast} {
		v.waitChat(t, deadline, "end")
		if err := v.sameAs(ref); err != nil {
			t.Error(err)
		}
	}
}

// A second owner started on the same stream is fenced out at its first
// event: it stops with a clear log line, and the first carries on.
func TestSecondOwnerIsFencedOut(t *testing.T) {
	r := newRig(t)
	_, first := r.owner("127.0.0.1:0", r.showConfig())
	deadline := time.Now().Add(testBudget)
	h1 := host(t, first.ws)
	ref := watch(t, "ref", first.ws)
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)
	say(t, h1, "one")
	ref.waitChat(t, deadline, "one")

	var logged bytes.Buffer
	var logMu sync.Mutex
	cfg := r.showConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logged}, nil))
	_, second := r.owner("127.0.0.1:0", cfg)
	h2 := host(t, second.ws)
	say(t, h1, "two") // the first owner writes on
	ref.waitChat(t, deadline, "two")
	say(t, h2, "stale") // the second's seqs are stale now
	if err := second.wait(t); err == nil || !strings.Contains(err.Error(), "fenced out") {
		t.Fatalf("second owner stopped with %v, want fenced out", err)
	}
	logMu.Lock()
	if !strings.Contains(logged.String(), "fenced out") {
		t.Errorf("no clear log line: %s", logged.String())
	}
	logMu.Unlock()
	say(t, h1, "three")
	ref.waitChat(t, deadline, "three")
	late := watch(t, "late", first.ws)
	late.waitKind(t, deadline, client.UpdateSnapshot, 1)
	say(t, h1, "end")
	late.waitChat(t, deadline, "end")
	ref.waitChat(t, deadline, "end")
	ref.mu.Lock()
	defer ref.mu.Unlock()
	if ref.chats["stale"] {
		t.Fatal("the fenced owner's line reached a viewer")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
