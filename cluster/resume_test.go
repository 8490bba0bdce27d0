package cluster

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// A viewer resumes on an edge whose recent buffer no longer reaches back
// to its seq: the edge takes the rest from the stream, and the viewer gets
// every event after its seq once, in order, with no missed marker.
func TestResumeFromTheStream(t *testing.T) {
	r := newRig(t)
	o, on := r.owner("127.0.0.1:0", r.showConfig())
	_, e1 := r.edge("e1")
	short, e2 := r.edge("short", func(c *EdgeConfig) { c.History = 8 })
	waitEdges(t, o, 2)
	deadline := time.Now().Add(testBudget)
	h := host(t, on.ws)
	ref := watch(t, "ref", on.ws)
	ref.waitKind(t, deadline, client.UpdateSnapshot, 1)
	onShort := watch(t, "on-short", e2.ws)
	onShort.waitKind(t, deadline, client.UpdateSnapshot, 1)
	say(t, h, "first")
	ref.waitChat(t, deadline, "first")

	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	c, err := client.Dial(ctx, client.Options{URL: e1.ws, Name: "away"})
	if err != nil {
		t.Fatal(err)
	}
	w, seq := c.Welcome()
	c.Close()

	chatRun(t, h, ref, "while-away-", 40, deadline)
	say(t, h, "last")
	ref.waitChat(t, deadline, "last")
	onShort.waitChat(t, deadline, "last") // the short edge has relayed it
	want := short.Server().Seq()
	if want-seq <= 8 {
		t.Fatalf("only %d events since the viewer left: the test needs more than the edge's buffer of 8", want-seq)
	}

	back, err := client.Dial(ctx, client.Options{URL: e2.ws, Name: "away", Resume: &protocol.Resume{Epoch: w.Epoch, Seq: seq}})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	bw, _ := back.Welcome()
	if !bw.Resumed {
		t.Fatalf("resume at %d (epoch %s) on an edge holding 8 events was refused: welcome epoch %s", seq, w.Epoch, bw.Epoch)
	}
	next := seq + 1
	texts := map[string]int{}
	for next <= want {
		select {
		case envs, ok := <-back.Events():
			if !ok {
				t.Fatalf("connection ended at seq %d of %d: %v", next, want, back.Err())
			}
			for _, env := range envs {
				if env.Seq == 0 {
					continue
				}
				if env.Seq != next {
					t.Fatalf("event %d after %d: a gap or a duplicate", env.Seq, next-1)
				}
				next++
				if env.Type == protocol.TypeChat {
					if ch, err := protocol.Decode[protocol.Chat](env); err == nil {
						texts[ch.Text]++
					}
				}
			}
		case <-time.After(time.Until(deadline)):
			t.Fatalf("resumed events stopped at %d of %d", next-1, want)
		}
	}
	for i := range 40 {
		if line := "while-away-" + strconv.Itoa(i); texts[line] != 1 {
			t.Errorf("%q came %d times, want once", line, texts[line])
		}
	}
	if texts["last"] != 1 {
		t.Errorf("the last line came %d times", texts["last"])
	}
}
