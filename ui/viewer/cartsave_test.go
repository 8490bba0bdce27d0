package viewer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// diskFull is what a save on a full disk fails with.
var diskFull = &fs.PathError{Op: "write", Path: "/carts/.cosy.json42", Err: syscall.ENOSPC}

// expireToast ends the status message on screen, as its timer would.
func (h *harness) expireToast() {
	h.T.Helper()
	h.M.ClearStatus()
	if h.M.Status.Text != "" {
		h.T.Fatalf("status %q did not expire", h.M.Status.Text)
	}
}

// A failed save is shown until a save works, not for a toast's lifetime,
// and whatever toasts come and go meanwhile.
func TestUnsavedStaysUntilASaveWorks(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{50, 15}, {80, 24}, {120, 40}} {
		h := joined(t, sz.w, sz.h)
		h.store.set(func(s *memStore) { s.saveErr = diskFull })

		h.PressSettle("a")
		if h.M.unsaved == "" {
			t.Fatalf("%dx%d: a failed save left the model saved", sz.w, sz.h)
		}
		// The add's toast shares the line with the mark.
		h.MustShow("Added Speckled", unsavedBadge)
		h.expireToast()
		h.MustShow("Cart not saved: no space left on device")
		uitest.CheckScreen(t, h.M.View().Content, sz.w, sz.h)

		// Every further change is not saved either, and says so.
		h.PressSettle("a")
		h.MustShow(unsavedBadge)
		h.expireToast()
		h.MustShow("Cart not saved: no space left on device")
		// In the cart, too.
		h.Press("c")
		h.MustShow("Cart not saved: no space left on device")
		h.Press("c")

		// Room again: the next save works and the state clears.
		h.store.set(func(s *memStore) { s.saveErr = nil })
		h.PressSettle("a")
		if h.M.unsaved != "" {
			t.Fatalf("%dx%d: a save that worked left %q", sz.w, sz.h, h.M.unsaved)
		}
		h.MustShow("Cart saved")
		h.MustNotShow(unsavedBadge, "not saved")
		h.expireToast()
		h.MustNotShow("not saved")
		if saved, _ := h.store.get(testCartKey); saved.Units() != 3 {
			t.Errorf("%dx%d: the store holds %d units, want the 3 in the cart", sz.w, sz.h, saved.Units())
		}
	}
}

// Save results may arrive in any order: only the newest save's counts, and
// a save skipped for a newer one says nothing.
func TestSaveResultsOutOfOrder(t *testing.T) {
	h := joined(t, 80, 24)
	m, _ := uitest.Update(t, h.M, cartSavedMsg{gen: 2})
	m, _ = uitest.Update(t, m, cartSavedMsg{gen: 1, err: diskFull})
	if m.unsaved != "" {
		t.Errorf("an older save's failure replaced a newer one's success: %q", m.unsaved)
	}
	m, _ = uitest.Update(t, m, cartSavedMsg{gen: 3, err: diskFull})
	m, _ = uitest.Update(t, m, cartSavedMsg{gen: 4, skipped: true})
	if m.unsaved == "" {
		t.Error("a skipped save cleared a failure")
	}
	m, _ = uitest.Update(t, m, cartSavedMsg{gen: 5})
	if m.unsaved != "" || m.Status.Text != "Cart saved" {
		t.Errorf("after a save that worked: unsaved %q, toast %q", m.unsaved, m.Status.Text)
	}
}

// The carts folder cannot be made (a file stands where it should be): the
// viewer says so at load, every change says it is not saved, and once the
// folder can be made the next change is saved and the warning goes.
func TestCartFolderBlocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "carts")
	if err := os.WriteFile(dir, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := cart.Store{Dir: dir}
	h := joined(t, 50, 15, func(o *Options) { o.Carts = CartFiles{Store: store} })
	defer h.M.Close()
	if !strings.Contains(h.M.Status.Text, "Could not load the saved cart") {
		t.Errorf("load toast = %q", h.M.Status.Text)
	}
	h.expireToast()
	h.MustShow("Cart not saved: not a directory")

	for range 2 {
		h.PressSettle("a")
		h.MustShow("Added", unsavedBadge)
		h.expireToast()
		h.MustShow("Cart not saved: not a directory")
		uitest.CheckScreen(t, h.M.View().Content, 50, 15)
	}

	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	h.PressSettle("a")
	if h.M.unsaved != "" {
		t.Fatalf("still not saved after the folder was freed: %q", h.M.unsaved)
	}
	h.expireToast()
	h.MustNotShow("not saved")
	got, err := store.Load(testCartKey)
	if err != nil || !reflect.DeepEqual(got.Lines(), h.M.Cart().Lines()) || got.Units() != 3 {
		t.Fatalf("on disk %+v (%v), in memory %+v", got.Lines(), err, h.M.Cart().Lines())
	}
	// The session holds the cart now: a second viewer is locked out.
	if _, err := store.Open(testCartKey); !errors.Is(err, cart.ErrLocked) {
		t.Errorf("Open while the viewer holds the cart = %v, want ErrLocked", err)
	}
}

// When the file could not be opened at load, a cart that appears there
// later was never loaded into this session: it is not overwritten.
func TestLateOpenKeepsACartOnDisk(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.store.openErr = &fs.PathError{Op: "mkdir", Path: "/carts", Err: syscall.ENOTDIR}
	h.Join(testWelcome(), 1)
	if h.M.unsaved == "" || !h.M.saving {
		t.Fatalf("after a failed open: unsaved %q, saving %v", h.M.unsaved, h.M.saving)
	}
	elsewhere, err := cart.Cart{}.Add(cart.Line{ProductID: "scarf", VariantID: "scarf-red", Name: "Merino Scarf", Variant: "Red", Unit: testWelcome().Catalog[1].Price, Qty: 1}, -1)
	if err != nil {
		t.Fatal(err)
	}
	h.store.set(func(s *memStore) { s.openErr, s.carts[testCartKey] = nil, elsewhere })
	h.PressSettle("a")
	if got, _ := h.store.get(testCartKey); !reflect.DeepEqual(got.Lines(), elsewhere.Lines()) {
		t.Errorf("the cart on disk was replaced by %+v", got.Lines())
	}
	h.expireToast()
	h.MustShow("Cart not saved: a cart saved earlier is on disk")
}

// The program may end before the command of its last save runs: Close
// saves what the cart is at the end.
func TestCloseSavesTheLastChange(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a")
	h.Press("a") // its save is never run
	h.M.Close()
	if saved, _ := h.store.get(testCartKey); saved.Units() != 2 {
		t.Errorf("after Close the store holds %d units, want 2", saved.Units())
	}
	if h.store.closed != 1 {
		t.Errorf("the cart file was closed %d times", h.store.closed)
	}
}

// A save that failed is tried once more at quit.
func TestCloseRetriesAFailedSave(t *testing.T) {
	h := joined(t, 80, 24)
	h.store.set(func(s *memStore) { s.saveErr = diskFull })
	h.PressSettle("a", "a")
	if h.M.unsaved == "" {
		t.Fatal("the saves did not fail")
	}
	h.store.set(func(s *memStore) { s.saveErr = nil })
	h.M.Close()
	if saved, _ := h.store.get(testCartKey); saved.Units() != 2 {
		t.Errorf("after Close the store holds %d units, want 2", saved.Units())
	}
}

// A cart file is as untrusted as the network: what it names reaches the
// screen only as sanitize.Line leaves it. The show no longer sells the
// variant, so the names shown are the file's.
func TestHostileCartFileNeverReachesTheTerminal(t *testing.T) {
	store := cart.Store{Dir: t.TempDir()}
	file := `{"version":1,"show":"` + testCartKey + `","lines":[` +
		`{"product_id":"mug","variant_id":"mug-old","name":"Mug ` + `\u202egnp.exe","variant":"\u001b]0;pwn\u0007Blue","unit":{"amount":2400,"currency":"USD"},"qty":1}]}`
	if err := os.WriteFile(store.Path(testCartKey), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	h := joined(t, 100, 40, func(o *Options) { o.Carts = CartFiles{Store: store} })
	defer h.M.Close()
	if h.M.Cart().Len() != 1 {
		t.Fatalf("the cart did not load: %+v (toast %q)", h.M.Cart().Lines(), h.M.Status.Text)
	}
	h.Press("c")
	assertSafeView(t, h.M.View().Content)
	h.MustShow("Mug gnp.exe (Blue)", "no longer in this show: Mug gnp.exe (Blue) stays out of checkout")
}
