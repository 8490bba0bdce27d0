package sshshow_test

import (
	"testing"

	"github.com/livecart/livecart/protocol"
)

// TestBannedKeyStaysOut: the host bans the identity behind an SSH
// session's chat line; the session is told, and the same key cannot come
// back, under another user name too, while another key can.
func TestBannedKeyStaysOut(t *testing.T) {
	r := startRig(t)
	host := r.host()
	key := newKey(t)

	tm := r.open("mallory", key, 100, 30)
	tm.waitFor("press enter to chat")
	tm.keys("\rbuy my stuff elsewhere\r")
	line := chatFrom(t, host, "buy my stuff elsewhere")
	if err := host.Send(protocol.TypeBan, protocol.Ban{UserID: line.Author.ID}); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("removed you")

	back := r.open("someone-else", key, 100, 30)
	back.waitFor("removed you from this show")

	other := r.open("ana", newKey(t), 100, 30)
	other.waitFor("connected")
}

// TestResizeRelaysTheScreen: a window-change request reaches the program,
// which lays the screen out for the new size: the cart panel beside the
// card on a wide window, a one-line cart summary on a narrow one.
func TestResizeRelaysTheScreen(t *testing.T) {
	r := startRig(t)
	r.pin(r.host(), 1)
	tm := r.open("ana", newKey(t), 100, 30)
	tm.waitFor("Empty · a adds the pinned product")
	tm.resize(60, 24)
	tm.waitFor("Cart empty")
	tm.resize(100, 30)
	tm.waitFor("Empty · a adds the pinned product")
}
