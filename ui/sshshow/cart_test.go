package sshshow_test

import (
	"testing"
)

// TestCartFollowsTheKey: what a key puts in its cart is there when it
// comes back, and another key's cart is its own.
func TestCartFollowsTheKey(t *testing.T) {
	r := startRig(t)
	host := r.host()
	r.pin(host, 1)
	ana, bo := newKey(t), newKey(t)

	tm := r.open("ana", ana, 100, 30)
	tm.waitFor("a add •")
	tm.keys("a")
	tm.waitFor("Added")
	tm.waitFor("Cart · 1 item")
	tm.keys("q")
	tm.waitEnd()

	again := r.open("ana", ana, 100, 30)
	again.waitFor("Cart · 1 item")

	other := r.open("bo", bo, 100, 30)
	other.waitFor("a add •")
	other.waitFor("Empty · a adds")
}
