package server

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/livecart/livecart/protocol"
)

// audience is a server with n joined viewers that have no socket: each is a
// conn whose send queue a goroutine drains, standing in for its write loop.
// It measures what a broadcast costs the publisher (encode once, offer to
// every queue) without the network.
type audience struct {
	s     *Server
	conns []*conn
	wg    sync.WaitGroup
}

// benchQueue is each fake connection's send queue, in frames: room for
// the 201 broadcasts testing.AllocsPerRun makes without a pause, so the
// drainers need not keep up with it. A drainer that falls further behind
// is evicted as a real client would be, and the benchmark notices.
const benchQueue = 256

func newAudience(tb testing.TB, n int) *audience {
	tb.Helper()
	cat, err := ParseCatalog([]byte(testCatalogJSON))
	if err != nil {
		tb.Fatalf("test catalog: %v", err)
	}
	cfg := Config{Catalog: cat, HostToken: testToken, SendQueue: benchQueue}
	unlimited(&cfg)
	s, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	// The benchmark sends each batch itself; a flush loop running
	// alongside would take some of them and split the work.
	s.hub.out.manual = true
	a := &audience{s: s}
	for i := range n {
		// Its readDone is never closed: these conns have no read loop.
		c := newConn(s.hub, nil, "bench")
		c.id = protocol.Identity{ID: fmt.Sprintf("v%d", i), Name: fmt.Sprintf("viewer%d", i), Role: protocol.RoleViewer}
		// The drainer is c's writer: none is ever started for it.
		c.writing.Store(true)
		a.conns = append(a.conns, c)
		a.wg.Add(1)
		go a.drain(c)
	}
	// Joined as join does it, minus the welcome and the viewers event:
	// the viewers count is left alone so no announcement timer runs.
	h := s.hub
	h.locked(func() {
		for _, c := range a.conns {
			h.conns[c] = struct{}{}
			h.addJoinedLocked(c)
			h.joins++
			c.joinedAs = h.joins
		}
	})
	tb.Cleanup(a.close)
	return a
}

// drain is c's stand-in write loop: it takes frames off the queue until
// c is ended. Like the real one it selects on c's own channels only; a
// channel shared by every drainer would make them contend on its lock and
// measure that instead.
func (a *audience) drain(c *conn) {
	defer a.wg.Done()
	for {
		select {
		case <-c.send:
		case <-c.done:
			return
		}
	}
}

// close ends every connection, as shutting down does, which stops the
// drainers.
func (a *audience) close() {
	a.s.Close()
	a.wg.Wait()
}

// pace is how many broadcasts the benchmark publishes before it lets the
// drainers empty every queue, with the clock stopped: well under
// benchQueue, so a publisher faster than its drainers measures broadcast,
// not eviction.
const pace = benchQueue / 4

// settle waits until every drainer has emptied its queue.
func (a *audience) settle() {
	for _, c := range a.conns {
		for len(c.send) > 0 {
			runtime.Gosched()
		}
	}
}

// evicted counts the fake connections the server has ended: any at all
// means a drainer fell behind and the numbers measured eviction, not
// broadcast.
func (a *audience) evicted() int {
	n := 0
	a.s.hub.locked(func() {
		for _, c := range a.conns {
			if c.ended {
				n++
			}
		}
	})
	return n
}

var benchAuthor = protocol.Identity{ID: "u-bench", Name: "ana", Role: protocol.RoleViewer}

const benchLine = "that blue mug is gorgeous, is there a matching saucer?"

// say publishes one chat line the way a viewer's say command does, minus
// the read loop's decoding and rate limiting, and sends it at once as a
// batch of its own: a broadcast with nothing to share its write with.
func (a *audience) say(tb testing.TB) {
	a.sayN(tb, 1)
}

// sayN publishes k chat lines and sends them as one batch.
func (a *audience) sayN(tb testing.TB, k int) {
	for range k {
		var e *protocol.Error
		a.s.hub.locked(func() { e = a.s.sayLocked(benchAuthor, benchLine, nil) })
		if e != nil {
			tb.Fatalf("say refused: %s: %s", e.Code, e.Message)
		}
	}
	a.s.hub.flush(true)
}

// BenchmarkPublish measures one chat broadcast to n joined viewers: the
// lock, the encode, the history and the offer to every send queue, with
// the drainers running alongside. Every pace broadcasts the clock stops
// while they catch up, so ns/op is the publisher's cost, not the whole
// machine's.
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("viewers=%d", n), func(b *testing.B) {
			a := newAudience(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i > 0 && i%pace == 0 {
					b.StopTimer()
					a.settle()
					b.StartTimer()
				}
				a.say(b)
			}
			b.StopTimer()
			if k := a.evicted(); k > 0 {
				b.Fatalf("%d of %d fake viewers were evicted: the drainers fell behind, so this measured eviction", k, n)
			}
		})
	}
}

// BenchmarkBatch measures a busy chat: 16 lines published, then sent to n
// viewers as one batch. ns/op is per batch; the per-event cost is a
// sixteenth of it.
func BenchmarkBatch(b *testing.B) {
	const lines = 16
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("viewers=%d", n), func(b *testing.B) {
			a := newAudience(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i > 0 && i%pace == 0 {
					b.StopTimer()
					a.settle()
					b.StartTimer()
				}
				a.sayN(b, lines)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/event")
			if k := a.evicted(); k > 0 {
				b.Fatalf("%d of %d fake viewers were evicted: the drainers fell behind, so this measured eviction", k, n)
			}
		})
	}
}

// TestPublishAllocsIndependentOfViewers guards the broadcast design: the
// event is encoded once and the same bytes are offered to every queue, so
// a broadcast to 1000 viewers allocates (nearly) no more than one to 10.
func TestPublishAllocsIndependentOfViewers(t *testing.T) {
	allocs := func(n int) float64 {
		a := newAudience(t, n)
		got := testing.AllocsPerRun(200, func() { a.say(t) })
		if k := a.evicted(); k > 0 {
			t.Fatalf("%d of %d fake viewers were evicted", k, n)
		}
		return got
	}
	few, many := allocs(10), allocs(1000)
	t.Logf("allocations per broadcast: %.0f at 10 viewers, %.0f at 1000", few, many)
	// A copy or an allocation per viewer would add about 990 here; the
	// slack is for the runtime's own allocations under load (parking 1000
	// drainers), which counted 2 more in one loaded -race run.
	if many > few+8 {
		t.Errorf("a broadcast to 1000 viewers allocates %.0f times, to 10 viewers %.0f: allocations grow with the audience", many, few)
	}
}
