package sshshow

import (
	"net"
	"testing"

	"github.com/livecart/livecart/protocol"
)

// TestClientIDs: a key's client ID is a valid protocol ID, the same for
// the same key and secret, and another for another key or another
// server's secret.
func TestClientIDs(t *testing.T) {
	a, b := []byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210")
	id := clientIDFor(a, "SHA256:key-one")
	if !protocol.ValidID(id) {
		t.Fatalf("client ID %q is not a valid ID", id)
	}
	if again := clientIDFor(a, "SHA256:key-one"); again != id {
		t.Errorf("the same key gave %q, then %q", id, again)
	}
	if other := clientIDFor(a, "SHA256:key-two"); other == id {
		t.Error("two keys gave one client ID")
	}
	if other := clientIDFor(b, "SHA256:key-one"); other == id {
		t.Error("two servers' secrets gave one client ID")
	}
}

// TestGate: places are counted per address and in all, and given back
// once however often release is called.
func TestGate(t *testing.T) {
	g := newGate(2, 3)
	a := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 1}
	a2 := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 2}
	b := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 1}
	c := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 3), Port: 1}
	r1, ok1 := g.acquire(a)
	_, ok2 := g.acquire(a2)
	if !ok1 || !ok2 {
		t.Fatal("two places for one address were refused")
	}
	if _, ok := g.acquire(a); ok {
		t.Fatal("a third place for one address was given")
	}
	if _, ok := g.acquire(b); !ok {
		t.Fatal("another address was refused")
	}
	if _, ok := g.acquire(c); ok {
		t.Fatal("a fourth place in all was given")
	}
	r1()
	r1()
	if _, ok := g.acquire(c); !ok {
		t.Fatal("a place given back was not free")
	}
	if _, ok := g.acquire(c); ok {
		t.Fatal("releasing twice freed two places")
	}
}
