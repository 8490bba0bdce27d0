package server

import (
	"context"
	"sync"

	"github.com/livecart/livecart/protocol"
)

// orderKeys makes placing an order idempotent. Each checkout page carries
// a random key in its form; the first post with a key places the order,
// and every later one, or one that arrives while the first is still being
// placed, gets that order back instead of a second one. A key whose order
// was refused is free to try again.
//
// It has its own lock, never held while an order is placed: claim and
// done bracket placeOrder, which takes Server.mu itself.
type orderKeys struct {
	mu      sync.Mutex
	orders  map[string]protocol.Order // key -> the order placed with it
	pending map[string]chan struct{}  // key -> closed when the attempt with it ends
}

// claim makes the caller the one to place key's order, or returns the
// order already placed with it. While another request is placing it,
// claim waits for that one to end; it gives up when ctx is done.
func (k *orderKeys) claim(ctx context.Context, key string) (prior protocol.Order, placed bool, err error) {
	for {
		k.mu.Lock()
		if o, ok := k.orders[key]; ok {
			k.mu.Unlock()
			return o, true, nil
		}
		wait, busy := k.pending[key]
		if !busy {
			if k.pending == nil {
				k.pending = make(map[string]chan struct{})
			}
			k.pending[key] = make(chan struct{})
		}
		k.mu.Unlock()
		if !busy {
			return protocol.Order{}, false, nil
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return protocol.Order{}, false, ctx.Err()
		}
	}
}

// done ends the claimed attempt with key: o is the order it placed, or
// nil when it placed none.
func (k *orderKeys) done(key string, o *protocol.Order) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if o != nil {
		k.placedLocked(key, *o)
	}
	if wait, ok := k.pending[key]; ok {
		close(wait)
		delete(k.pending, key)
	}
}

// placed records an order read back from the orders file.
func (k *orderKeys) placed(key string, o protocol.Order) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.placedLocked(key, o)
}

func (k *orderKeys) placedLocked(key string, o protocol.Order) {
	if k.orders == nil {
		k.orders = make(map[string]protocol.Order)
	}
	k.orders[key] = o
}
