package client_test

import (
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
)

// fault damages the link between the viewer and the show.
type fault struct {
	// before runs before the viewer connects: toxics on every link.
	before func(t *testing.T, p *toxiproxy.Proxy)
	// inject runs mid-stream; heal once the viewer has noticed the damage.
	inject, heal func(t *testing.T, p *toxiproxy.Proxy)
	// within, when set, is how soon after inject the viewer must notice.
	within time.Duration
}

// runResumable checks a fault the show can repair without loss: the viewer
// behind the proxy must end with exactly the reference's events, from one
// snapshot, resuming as often as it had to.
func runResumable(t *testing.T, f fault) {
	deadline := time.Now().Add(faultBudget)
	show := showtest.Start(t, showConfig(t))
	proxy := startProxy(t, show.Addr)
	h := startHost(t, show.WS, deadline)
	ref, _ := record(t, "reference", client.SessionOptions{Options: client.Options{URL: show.WS}})
	ref.waitMarks(t, deadline, client.UpdateSnapshot, 1)
	if f.before != nil {
		f.before(t, proxy)
	}
	viewer, vs := record(t, "viewer", client.SessionOptions{Options: client.Options{URL: wsAt(proxy.Listen)}})
	viewer.waitMarks(t, deadline, client.UpdateSnapshot, 1)

	var injected time.Time
	h.publish(deadline, 0, 200, map[int]func(){100: func() {
		if f.inject != nil {
			injected = time.Now()
			f.inject(t, proxy)
		}
	}})
	if f.inject != nil {
		down := viewer.waitMarks(t, deadline, client.UpdateWaiting, 1)
		f.heal(t, proxy)
		back := viewer.waitRecovery(t, deadline)
		if back.Kind != client.UpdateResumed {
			t.Fatalf("recovered with %s, want a resume: %s", back.Kind, viewer.summary())
		}
		noticed := down.at.Sub(injected)
		t.Logf("noticed after %s (%v); resumed %s after the fault, %s after noticing",
			noticed.Round(time.Millisecond), down.Err, back.at.Sub(injected).Round(time.Millisecond),
			back.at.Sub(down.at).Round(time.Millisecond))
		if f.within != 0 && noticed > f.within {
			t.Errorf("fault noticed after %s, want within %s", noticed, f.within)
		}
	}
	h.publish(deadline, 200, 300, nil)
	h.say(endLine)
	ref.waitChat(t, deadline, endLine)
	viewer.waitChat(t, deadline, endLine)

	end := ref.seqOfChat(t, endLine)
	starts, _, parts := viewer.segments()
	if len(starts) != 1 {
		t.Fatalf("viewer took %d snapshots, want 1: %s", len(starts), viewer.summary())
	}
	matchReference(t, ref, starts[0], parts[0], end)
	if ref.count(client.UpdateWaiting) != 0 {
		t.Fatalf("the reference lost its link: %s", ref.summary())
	}
	st := vs.Stats()
	if f.inject == nil && st.Connections != 1 {
		t.Errorf("viewer connected %d times through a link that never broke: %s", st.Connections, viewer.summary())
	}
	t.Logf("viewer: %d events, %+v", len(parts[0]), st)
}

func TestFaultLatency(t *testing.T) {
	runResumable(t, fault{before: func(t *testing.T, p *toxiproxy.Proxy) {
		for _, dir := range []string{"downstream", "upstream"} {
			addToxic(t, p, "latency_"+dir, "latency", dir, 1, map[string]any{"latency": 50, "jitter": 20})
		}
	}})
}

// One-byte TCP segments both ways: every frame, the welcome included,
// arrives in as many pieces as it has bytes.
func TestFaultOneByteSegments(t *testing.T) {
	runResumable(t, fault{before: func(t *testing.T, p *toxiproxy.Proxy) {
		for _, dir := range []string{"downstream", "upstream"} {
			addToxic(t, p, "slicer_"+dir, "slicer", dir, 1, map[string]any{"average_size": 1, "size_variation": 0, "delay": 0})
		}
	}})
}

// The proxy resets both sides (RST, not FIN) in the middle of the stream.
func TestFaultConnectionReset(t *testing.T) {
	runResumable(t, fault{
		// A reset_peer toxic present when a link starts is what makes the
		// proxy close with SO_LINGER 0, i.e. send RST. This one never
		// fires (toxicity 0); the one added mid-stream does.
		before: func(t *testing.T, p *toxiproxy.Proxy) {
			addToxic(t, p, "linger", "reset_peer", "downstream", 0, map[string]any{"timeout": 0})
		},
		inject: func(t *testing.T, p *toxiproxy.Proxy) {
			addToxic(t, p, "reset", "reset_peer", "downstream", 1, map[string]any{"timeout": 0})
		},
		heal: func(t *testing.T, p *toxiproxy.Proxy) { removeToxic(t, p, "reset") },
	})
}

// A black hole: nothing passes either way and nothing is closed, as with
// a dead Wi-Fi link. Only the heartbeat can notice.
func TestFaultBlackHole(t *testing.T) {
	dirs := []string{"downstream", "upstream"}
	runResumable(t, fault{
		inject: func(t *testing.T, p *toxiproxy.Proxy) {
			for _, dir := range dirs {
				addToxic(t, p, "hole_"+dir, "timeout", dir, 1, map[string]any{"timeout": 0})
			}
		},
		heal: func(t *testing.T, p *toxiproxy.Proxy) {
			for _, dir := range dirs {
				removeToxic(t, p, "hole_"+dir)
			}
		},
		// Two ping periods of silence, plus scheduling slack.
		within: 2*pingPeriod + pingPeriod/2,
	})
}

// The link is cut 40 bytes after the toxic goes in. Every show event is
// longer than that, so the cut lands inside a frame: only the last 40
// bytes of one, or twenty 2-byte control frames, would end exactly there.
func TestFaultCutMidFrame(t *testing.T) {
	runResumable(t, fault{
		inject: func(t *testing.T, p *toxiproxy.Proxy) {
			addToxic(t, p, "cut", "limit_data", "downstream", 1, map[string]any{"bytes": 40})
		},
		heal: func(t *testing.T, p *toxiproxy.Proxy) { removeToxic(t, p, "cut") },
	})
}

// More events than the server keeps pass while the viewer cannot reach
// it: resuming is impossible, so it gets a snapshot marked Missed, and
// from there on exactly the reference's events.
func TestFaultHistoryExceeded(t *testing.T) {
	deadline := time.Now().Add(faultBudget)
	cfg := showConfig(t)
	cfg.History = 16
	show := showtest.Start(t, cfg)
	proxy := startProxy(t, show.Addr)
	h := startHost(t, show.WS, deadline)
	ref, _ := record(t, "reference", client.SessionOptions{Options: client.Options{URL: show.WS}})
	ref.waitMarks(t, deadline, client.UpdateSnapshot, 1)
	viewer, _ := record(t, "viewer", client.SessionOptions{Options: client.Options{URL: wsAt(proxy.Listen)}})
	viewer.waitMarks(t, deadline, client.UpdateSnapshot, 1)

	h.publish(deadline, 0, 50, nil)
	proxy.Stop() // drops the viewer's link and refuses new ones
	cut := time.Now()
	viewer.waitMarks(t, deadline, client.UpdateWaiting, 1)
	h.publish(deadline, 50, 150, nil)
	if err := proxy.Start(); err != nil {
		t.Fatalf("restart proxy: %v", err)
	}
	reopened := time.Now()
	snap := viewer.waitMarks(t, deadline, client.UpdateSnapshot, 2)
	t.Logf("snapshot %s after the cut, %s after the proxy reopened",
		snap.at.Sub(cut).Round(time.Millisecond), snap.at.Sub(reopened).Round(time.Millisecond))
	h.publish(deadline, 150, 200, nil)
	h.say(endLine)
	ref.waitChat(t, deadline, endLine)
	viewer.waitChat(t, deadline, endLine)

	starts, missed, parts := viewer.segments()
	if len(starts) != 2 || missed[0] || !missed[1] {
		t.Fatalf("snapshots at %v, missed %v; want two, the second missed", starts, missed)
	}
	if viewer.count(client.UpdateResumed) != 0 {
		t.Fatal("resumed past the server's history")
	}
	matchReference(t, ref, starts[0], parts[0], 0)
	matchReference(t, ref, starts[1], parts[1], ref.seqOfChat(t, endLine))
}

// The server restarts on the same address: a new epoch, so the viewer gets
// a snapshot marked Missed and then every event of the new show.
func TestFaultServerRestart(t *testing.T) {
	deadline := time.Now().Add(faultBudget)
	cfg := showConfig(t)
	show := showtest.Start(t, cfg)
	h := startHost(t, show.WS, deadline)
	ref, _ := record(t, "reference", client.SessionOptions{Options: client.Options{URL: show.WS}})
	ref.waitMarks(t, deadline, client.UpdateSnapshot, 1)
	viewer, _ := record(t, "viewer", client.SessionOptions{Options: client.Options{URL: show.WS}})
	viewer.waitMarks(t, deadline, client.UpdateSnapshot, 1)
	h.publish(deadline, 0, 100, nil)
	// A server going away drops what it had queued; the first show's
	// stream is compared up to its last line.
	ref.waitChat(t, deadline, "line 099")
	viewer.waitChat(t, deadline, "line 099")

	show.Stop()
	stopped := time.Now()
	down := viewer.waitMarks(t, deadline, client.UpdateWaiting, 1)
	srv := showtest.StartAt(t, show.Addr, cfg).Server
	// The second show's reference replays it from its first event, so it
	// holds whatever the viewer's snapshot is followed by.
	rc, err := client.Dial(t.Context(), client.Options{
		URL: show.WS, Name: "reference-2", Resume: &protocol.Resume{Epoch: srv.Epoch(), Seq: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := rc.Welcome(); !w.Resumed {
		t.Fatal("the second reference could not replay the new show from its start")
	}
	ref2 := recordConn(t, "reference-2", rc)
	snap := viewer.waitMarks(t, deadline, client.UpdateSnapshot, 2)
	t.Logf("noticed after %s (%v); new snapshot %s after the stop",
		down.at.Sub(stopped).Round(time.Millisecond), down.Err, snap.at.Sub(stopped).Round(time.Millisecond))
	h.rec.waitMarks(t, deadline, client.UpdateSnapshot, 2)
	h.publish(deadline, 100, 200, nil)
	h.say(endLine)
	ref2.waitChat(t, deadline, endLine)
	viewer.waitChat(t, deadline, endLine)

	starts, missed, parts := viewer.segments()
	if len(starts) != 2 || missed[0] || !missed[1] || snap.Welcome.Epoch != srv.Epoch() {
		t.Fatalf("snapshots at %v, missed %v; want two, the second missed and of the new epoch", starts, missed)
	}
	matchReference(t, ref, starts[0], parts[0], ref.seqOfChat(t, "line 099"))
	matchReference(t, ref2, starts[1], parts[1], ref2.seqOfChat(t, endLine))
}
