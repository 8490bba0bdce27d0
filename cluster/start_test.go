package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/internal/showtest"
)

// An edge that starts while the show's owner is away keeps trying to reach
// it, and gives up as soon as its context ends, not at its next try.
func TestEdgeStopsWaitingForTheOwner(t *testing.T) {
	r := newRig(t)
	_, on := r.owner("127.0.0.1:0", r.showConfig())
	if err := on.shutdown(t); err != nil {
		t.Fatalf("owner stopped with %v", err)
	}
	// The show's stream is there and its owner is not, so every try fails
	// at once; the next one is an hour away.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		e, err := NewEdge(ctx, EdgeConfig{
			NATS: r.nats.URL(), ShowID: showtest.Catalog(t, demo.Catalog()).Show.ID,
			Logger: testLog().With("node", "edge"), ownerRetry: time.Hour,
		})
		if e != nil {
			e.nc.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "owner does not answer") {
			t.Fatalf("NewEdge: %v, want the owner not answering", err)
		}
	case <-time.After(testBudget):
		t.Fatal("the edge still waits for the owner after its context ended")
	}
}
