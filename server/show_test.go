package server

import (
	"testing"

	"github.com/livecart/livecart/protocol"
)

// The welcome is encoded while the lock is held, but its snapshot must not
// depend on that: it shares no memory with the live state.
func TestWelcomeSnapshotIsACopy(t *testing.T) {
	s, err := New(Config{Catalog: testCatalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := &conn{id: protocol.Identity{ID: "u1", Name: "ana", Role: protocol.RoleViewer}}
	s.hub.mu.Lock()
	s.pinned = &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"}
	w := s.welcomeLocked(c, false)
	s.products[0].Variants[0].Stock = 0
	s.pinned.VariantID = "mug-sand"
	s.hub.mu.Unlock()
	if w.Catalog[0].Variants[0].Stock != 5 || w.Pinned.VariantID != "mug-blue" {
		t.Fatalf("snapshot changed with the show: %+v, pinned %+v", w.Catalog[0].Variants[0], w.Pinned)
	}
}

func TestChatRingKeepsNewestOldestFirst(t *testing.T) {
	var r chatRing
	if got := r.list(); len(got) != 0 {
		t.Fatalf("empty ring lists %v", got)
	}
	for i := range protocol.MaxRecentChat + 3 {
		r.add(protocol.Chat{ID: "c" + string(rune('0'+i%10)), Text: string(rune('a' + i%26))})
	}
	got := r.list()
	if len(got) != protocol.MaxRecentChat || got[0].Text != "d" || got[len(got)-1].Text != string(rune('a'+(protocol.MaxRecentChat+2)%26)) {
		t.Fatalf("ring = %d lines, first %q, last %q", len(got), got[0].Text, got[len(got)-1].Text)
	}
}
