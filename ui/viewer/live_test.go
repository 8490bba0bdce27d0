package viewer

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// struck matches a "$" drawn with the strikethrough attribute (SGR 9).
var struck = regexp.MustCompile(`\x1b\[(?:[0-9:;]*;)?9(?:;[0-9:;]*)?m\$`)

// stamped is an event stamped with the show's clock.
func stamped(t *testing.T, typ protocol.Type, seq uint64, at time.Time, data any) protocol.Envelope {
	t.Helper()
	e := uitest.Env(t, typ, seq, data)
	e.TS = at
	return e
}

// mugOnDeal is the pinned mug with a deal ending at ends.
func mugOnDeal(ends time.Time, perBuyer int) protocol.Product {
	mug := testWelcome().Catalog[0]
	mug.Deal = &protocol.Deal{Price: money.New(1800, "USD"), Percent: 25, EndsAt: ends, PerBuyer: perBuyer}
	return mug
}

// TestDealCountdownFollowsTheShowsClock: this machine's clock is an hour
// behind the show's; the countdown is still right, ticks every second and
// the card changes back the moment the deal ends.
func TestDealCountdownFollowsTheShowsClock(t *testing.T) {
	tk := &uitest.Ticker{}
	h := joined(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	showNow := uitest.T0.Add(time.Hour) // the server's clock
	h.Updates(uitest.EventsUpdate(stamped(t, protocol.TypeProduct, 101, showNow, mugOnDeal(showNow.Add(150*time.Second), 2))))

	h.MustShow("FLASH DEAL · 2:30 left", "limit 2 each", "$24.00 $18.00")
	if raw := h.M.View().Content; !struck.MatchString(raw) {
		t.Error("the regular price is not struck through")
	}

	h.Send(tk.LastClock(t, uitest.T0.Add(10*time.Second)))
	h.MustShow("FLASH DEAL · 2:20 left")

	h.Send(tk.LastClock(t, uitest.T0.Add(151*time.Second)))
	h.MustNotShow("FLASH DEAL", "$18.00")
	h.MustShow("Green 4 left", "$24.00")
	n := len(tk.Fns)
	h.Send(tk.LastClock(t, uitest.T0.Add(152*time.Second)))
	if len(tk.Fns) != n {
		t.Error("the clock kept ticking after the deal ended")
	}
}

func TestAddDuringDealUsesDealPrice(t *testing.T) {
	h := joined(t, 80, 24)
	h.Updates(uitest.EventsUpdate(stamped(t, protocol.TypeProduct, 101, uitest.T0, mugOnDeal(uitest.T0.Add(time.Minute), 0))))
	h.PressSettle("a")
	lines := h.M.Cart().Lines()
	if len(lines) != 1 || lines[0].Unit != money.New(1800, "USD") {
		t.Fatalf("cart = %+v, want one mug at the deal price", lines)
	}
}

func TestDeletedChatVanishes(t *testing.T) {
	h := joined(t, 80, 24)
	h.MustShow("dee: same")
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeChatDeleted, 101, protocol.ChatDeleted{IDs: []string{"c11"}})))
	h.MustNotShow("dee: same")
	h.MustShow("ana: scarf next?")
}

func TestPurchaseToast(t *testing.T) {
	h := joined(t, 80, 24)
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypePurchase, 101, protocol.Purchase{
		Buyer: "Ana", ProductID: "scarf", ProductName: "Merino Scarf", VariantID: "scarf-red", Qty: 1})))
	h.MustShow("Ana just bought Merino Scarf")
}

func TestSoldOutToastForWhatIsInTheCart(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a")
	gone := testWelcome().Catalog[0]
	gone.Variants[0].Stock = 0
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeProduct, 101, gone)))
	h.MustShow("sold out: Speckled Mug (Blue) stays out of checkout")

	// Stock running out of something not in the cart says nothing.
	h2 := joined(t, 80, 24)
	scarf := testWelcome().Catalog[1]
	scarf.Variants[0].Stock = 0
	h2.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeProduct, 101, scarf)))
	h2.MustNotShow("sold out:", "stays out of checkout")
}

func TestOrderConfirmedAndTakenOutOfTheCart(t *testing.T) {
	h := joined(t, 80, 24)
	h.PressSettle("a", "a") // two mugs
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeOrder, 0, protocol.Order{
		ID:    "o-7",
		Lines: []protocol.OrderLine{{ProductID: "mug", VariantID: "mug-blue", Name: "Speckled Mug", Variant: "Blue", Unit: money.New(2400, "USD"), Qty: 1}},
		Total: money.New(2400, "USD"),
	})))
	h.MustShow("You bought 1 × Speckled Mug (Blue) · total $24.00 · order o-7")
	if got := h.M.Cart().Units(); got != 1 {
		t.Fatalf("cart holds %d units after ordering 1 of 2, want 1", got)
	}
	saved, _ := h.store.get(testCartKey)
	if saved.Units() != 1 {
		t.Errorf("saved cart holds %d units, want 1", saved.Units())
	}
}

func TestTimeoutNotice(t *testing.T) {
	h := joined(t, 100, 24)
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeNotice, 0, protocol.Notice{
		Kind: protocol.NoticeTimeout, Until: uitest.T0.Add(5 * time.Minute), Message: "You are timed out for 5m"})))
	h.MustShow("You are timed out for 5m")
}

func TestRailAddsAnEarlierProduct(t *testing.T) {
	h := joined(t, 80, 24)
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"})))
	h.MustShow("Earlier: 1 Speckled Mug $24.00")
	h.PressSettle("1")
	lines := h.M.Cart().Lines()
	if len(lines) != 1 || lines[0].VariantID != "mug-blue" {
		t.Fatalf("1 added %+v, want the mug that was pinned", lines)
	}
	h.PressSettle("2") // nothing there
	if h.M.Cart().Units() != 1 {
		t.Errorf("2 changed the cart: %+v", h.M.Cart().Lines())
	}
}

func TestMentionsStandOut(t *testing.T) {
	h := joined(t, 80, 24)
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeChat, 101, protocol.Chat{ID: "c99", Author: uitest.Viewer("u-bo", "bo"), Text: "@me you have to get the mug"})))
	h.MustShow("@ bo: @me you have to get the mug")
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeChat, 102, protocol.Chat{ID: "c100", Author: uitest.Viewer("u-bo", "bo"), Text: "@meg hi"})))
	h.MustShow("bo: @meg hi")
	h.MustNotShow("@ bo: @meg hi") // @meg is someone else
}

func TestSlowModeIsShownInTheInput(t *testing.T) {
	h := joined(t, 100, 24)
	h.Updates(uitest.EventsUpdate(uitest.Env(t, protocol.TypeSettings, 101, protocol.Settings{SlowModeSeconds: 10})))
	h.MustShow("slow mode: one line per 10s")
}

// TestGoldenDealCard: the pinned card with a deal running, a rail of
// earlier products, at 80x24 and 120x40.
func TestGoldenDealCard(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		h := joined(t, sz.w, sz.h)
		showNow := uitest.T0.Add(time.Hour)
		h.Updates(uitest.EventsUpdate(
			uitest.Env(t, protocol.TypePin, 101, protocol.Pin{ProductID: "scarf", VariantID: "scarf-red"}),
			uitest.Env(t, protocol.TypePin, 102, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"}),
			stamped(t, protocol.TypeProduct, 103, showNow, mugOnDeal(showNow.Add(4*time.Minute+5*time.Second), 2)),
		))
		h.Golden("deal_" + strconv.Itoa(sz.w) + "x" + strconv.Itoa(sz.h))
	}
}

// A deal already running when the viewer joins counts down from the first
// frame: a snapshot starts the clock as an event does.
func TestDealInTheSnapshotStartsTheClock(t *testing.T) {
	tk := &uitest.Ticker{}
	h := newHarness(t, 80, 24, func(o *Options) { o.Tick = tk.Tick })
	w := testWelcome()
	w.Catalog[0] = mugOnDeal(uitest.T0.Add(90*time.Second), 0)
	h.Join(w, 100)
	h.MustShow("FLASH DEAL · 1:30 left")
	h.Send(tk.LastClock(t, uitest.T0.Add(10*time.Second)))
	h.MustShow("FLASH DEAL · 1:20 left")
}
