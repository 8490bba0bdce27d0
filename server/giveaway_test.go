package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/draw"
	"github.com/livecart/livecart/protocol"
)

// giveawayTimers makes s's giveaway timers, the draw's and the entrant
// counts', fake ones.
func giveawayTimers(s *Server) *timers {
	ts := &timers{}
	s.hub.mu.Lock()
	s.give.after = ts.after
	s.hub.mu.Unlock()
	return ts
}

// fireArmed runs the armed timers set for d, as if their time had come.
func (ts *timers) fireArmed(d time.Duration) {
	ts.mu.Lock()
	var due []*fakeTimer
	for _, ft := range ts.pending {
		if !ft.done && ft.d == d {
			ft.done = true
			due = append(due, ft)
		}
	}
	ts.mu.Unlock()
	for _, ft := range due {
		ft.f()
	}
}

// openGiveaway has the host start a giveaway and returns it as viewer
// sees it.
func openGiveaway(t *testing.T, host, viewer *client, sg protocol.StartGiveaway) protocol.Giveaway {
	t.Helper()
	host.send(protocol.TypeStartGiveaway, sg)
	g := decode[protocol.Giveaway](t, viewer.nextOf(protocol.TypeGiveaway))
	host.sync() // the timer is set after the event is queued
	return g
}

// enter sends an enter and waits for its entered.
func (c *client) enter(id string) {
	c.t.Helper()
	c.send(protocol.TypeEnter, protocol.Enter{GiveawayID: id})
	env := c.nextOfAny(protocol.TypeEntered, protocol.TypeError)
	if env.Type == protocol.TypeError {
		c.t.Fatalf("enter %s: %s", id, env.Data)
	}
	if e := decode[protocol.Entered](c.t, env); e.GiveawayID != id {
		c.t.Fatalf("entered %s, want %s", e.GiveawayID, id)
	}
}

// giveawayEvents returns the giveaway events c has waiting.
func giveawayEvents(t *testing.T, c *client) []protocol.Giveaway {
	t.Helper()
	var out []protocol.Giveaway
	for _, env := range c.sync() {
		if env.Type == protocol.TypeGiveaway {
			out = append(out, decode[protocol.Giveaway](t, env))
		}
	}
	return out
}

// awaitDraw reads c's events until the giveaway is drawn (or void) and,
// for a winner, its prize order has come too: the order is sent to the
// winner alone and may overtake the show's event.
func awaitDraw(t *testing.T, c *client) (protocol.Giveaway, protocol.Order) {
	t.Helper()
	var g protocol.Giveaway
	var o protocol.Order
	for g.State == "" || g.State == protocol.GiveawayOpen || g.Winner != nil && g.Winner.ID == c.welcome.You.ID && o.ID == "" {
		switch env := c.nextOfAny(protocol.TypeGiveaway, protocol.TypeOrder); env.Type {
		case protocol.TypeGiveaway:
			g = decode[protocol.Giveaway](t, env)
		case protocol.TypeOrder:
			o = decode[protocol.Order](t, env)
		}
	}
	return g, o
}

// fetchRecord gets a giveaway's published record and parses it.
func fetchRecord(t *testing.T, link string) (draw.Record, string, http.Header) {
	t.Helper()
	resp, body := get(t, link, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", link, resp.StatusCode, body)
	}
	rec, err := draw.ParseRecord([]byte(body))
	if err != nil {
		t.Fatalf("record %s: %v", body, err)
	}
	return rec, body, resp.Header
}

func TestGiveawayEnterTwiceIsOneEntryAndCountsAreCoalesced(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk), unlimited)
	timers := giveawayTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	anaPhone := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")

	start := clk.Now()
	g := openGiveaway(t, host, bo, protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 60})
	if g.State != protocol.GiveawayOpen || g.Entrants != 0 || !g.EndsAt.Equal(start.Add(time.Minute)) ||
		len(g.Commitment) != 64 || g.Seed != "" || g.Record != "" || g.Winner != nil {
		t.Fatalf("giveaway at the start: %+v", g)
	}
	if got := timers.armed(); !slices.Equal(got, []time.Duration{time.Minute}) {
		t.Fatalf("timers armed: %v", got)
	}
	if resp, _ := get(t, ts.URL, "/giveaways/"+g.ID); resp.StatusCode != http.StatusNotFound || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("record before the draw: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}

	ana.enter(g.ID)
	ana.enter(g.ID) // again: answered, but one entry
	anaPhone.nextOf(protocol.TypeEntered)
	bo.enter(g.ID)
	// The counts wait for their timer: nothing goes out per entry.
	if evs := giveawayEvents(t, bo); len(evs) != 0 {
		t.Fatalf("giveaway events before the count's timer: %+v", evs)
	}
	if got := timers.armed(); !slices.Equal(got, []time.Duration{time.Minute, countEvery}) {
		t.Fatalf("timers armed: %v", got)
	}
	timers.fireArmed(countEvery)
	if got := decode[protocol.Giveaway](t, bo.nextOf(protocol.TypeGiveaway)); got.Entrants != 2 || got.State != protocol.GiveawayOpen {
		t.Fatalf("count update %+v", got)
	}

	// A storm of entries makes one count update.
	for i := range 20 {
		dialClient(t, ts.URL, "v", "client-v"+string(rune('a'+i))).enter(g.ID)
	}
	if evs := giveawayEvents(t, bo); len(evs) != 0 {
		t.Fatalf("%d giveaway events during the storm", len(evs))
	}
	timers.fireArmed(countEvery)
	if evs := giveawayEvents(t, bo); len(evs) != 1 || evs[0].Entrants != 22 {
		t.Fatalf("after the storm: %+v", evs)
	}
	// Once countEvery has passed since the last, a count goes at once.
	clk.advance(countEvery)
	dialClient(t, ts.URL, "late", "client-late").enter(g.ID)
	if evs := giveawayEvents(t, bo); len(evs) != 1 || evs[0].Entrants != 23 {
		t.Fatalf("a count after a quiet spell: %+v", evs)
	}

	// Coming back, an entrant hears it is in, and the welcome has the count.
	back := dialClient(t, ts.URL, "ana", "client-ana")
	if w := back.welcome.Giveaway; w == nil || w.ID != g.ID || w.Entrants != 23 {
		t.Fatalf("welcome giveaway %+v", w)
	}
	back.nextOf(protocol.TypeEntered)

	host.send(protocol.TypeEnter, protocol.Enter{GiveawayID: g.ID})
	host.expectError(protocol.ErrCodeForbidden)
	bo.send(protocol.TypeEnter, protocol.Enter{GiveawayID: "nope"})
	bo.expectError(protocol.ErrCodeNotFound)
	host.send(protocol.TypeStartGiveaway, protocol.StartGiveaway{ProductID: "tote", VariantID: "tote-natural", Seconds: 60})
	if e := host.expectError(protocol.ErrCodeForbidden); !strings.Contains(e.Message, "still open") {
		t.Errorf("a second giveaway: %q", e.Message)
	}
}

func TestGiveawayStartRefusals(t *testing.T) {
	_, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	ana.send(protocol.TypeStartGiveaway, protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 60})
	ana.expectError(protocol.ErrCodeForbidden)
	for _, c := range []struct {
		sg   protocol.StartGiveaway
		code string
	}{
		{protocol.StartGiveaway{ProductID: "candle", VariantID: "candle-large", Seconds: 60}, protocol.ErrCodeOutOfStock},
		{protocol.StartGiveaway{ProductID: "mug", VariantID: "tote-natural", Seconds: 60}, protocol.ErrCodeNotFound},
		{protocol.StartGiveaway{ProductID: "nope", VariantID: "mug-blue", Seconds: 60}, protocol.ErrCodeNotFound},
		{protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 301}, protocol.ErrCodeBadRequest},
	} {
		host.send(protocol.TypeStartGiveaway, c.sg)
		host.expectError(c.code)
	}
	host.send(protocol.TypeDraw, protocol.Draw{GiveawayID: "nope"})
	host.expectError(protocol.ErrCodeNotFound)
	ana.send(protocol.TypeDraw, protocol.Draw{GiveawayID: "nope"})
	ana.expectError(protocol.ErrCodeForbidden)
}

func TestGiveawayBuyersOnly(t *testing.T) {
	s, ts := startServer(t)
	giveawayTimers(s)
	host := dial(t, ts.URL, "", testToken)
	bo := dialClient(t, ts.URL, "bo", "client-bo")
	g := openGiveaway(t, host, bo, protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-sand", Seconds: 60, BuyersOnly: true})
	if !g.BuyersOnly {
		t.Fatalf("giveaway %+v", g)
	}
	bo.send(protocol.TypeEnter, protocol.Enter{GiveawayID: g.ID})
	if e := bo.expectError(protocol.ErrCodeForbidden); !strings.Contains(e.Message, "buyers only") {
		t.Errorf("a viewer who bought nothing: %q", e.Message)
	}
	// An order from the client's checkout link makes it a buyer.
	if status, body := postOrder(t, ts.URL, order("tote-natural:1", "client-bo"), nil); status != http.StatusOK {
		t.Fatalf("order: %d\n%s", status, body)
	}
	bo.nextOf(protocol.TypeOrder)
	bo.enter(g.ID)
}

func TestGiveawayHostDrawsEarly(t *testing.T) {
	clk := newClock()
	orders := filepath.Join(t.TempDir(), "orders.jsonl")
	s, ts := startServer(t, withClock(clk), func(c *Config) { c.OrdersFile = orders })
	timers := giveawayTimers(s)
	host := dial(t, ts.URL, "", testToken)
	viewers := []*client{
		dialClient(t, ts.URL, "ana", "client-ana"),
		dialClient(t, ts.URL, "bo", "client-bo"),
		dialClient(t, ts.URL, "cy", "client-cy"),
	}
	watcher := dial(t, ts.URL, "watcher", "")
	start := openGiveaway(t, host, watcher, protocol.StartGiveaway{ProductID: "tote", VariantID: "tote-natural", Seconds: 120})
	if n, _ := s.Stock("tote-natural"); n != 2 {
		t.Fatalf("stock with the prize set aside: %d", n)
	}
	var ids []string
	for _, v := range viewers {
		v.enter(start.ID)
		ids = append(ids, v.welcome.You.ID)
	}
	clk.advance(30 * time.Second)
	host.send(protocol.TypeDraw, protocol.Draw{GiveawayID: start.ID})
	g, _ := awaitDraw(t, watcher)
	if g.State != protocol.GiveawayDrawn || g.Entrants != 3 || g.Winner == nil || !g.EndsAt.Equal(clk.Now()) ||
		g.Commitment != start.Commitment || g.Record != ts.URL+"/giveaways/"+g.ID {
		t.Fatalf("drawn giveaway %+v", g)
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	host.sync()
	if got := timers.armed(); len(got) != 0 {
		t.Errorf("timers armed after the draw: %v", got)
	}

	rec, body, h := fetchRecord(t, g.Record)
	if err := rec.Verify(); err != nil {
		t.Fatalf("the published record does not verify: %v\n%s", err, body)
	}
	slices.Sort(ids)
	if rec.Commitment != g.Commitment || rec.EntrantsHash != g.EntrantsHash || rec.Seed != g.Seed ||
		rec.WinnerIndex != g.WinnerIndex || rec.Winner != g.Winner.ID || rec.WinnerName != g.Winner.Name ||
		!slices.Equal(rec.Entrants, ids) || rec.GiveawayID != g.ID || rec.ProductID != "tote" || rec.ProductName != "Canvas Tote" {
		t.Fatalf("record %+v does not match the event %+v", rec, g)
	}
	if strings.Contains(body, "client-") {
		t.Errorf("the record gives client IDs away: %s", body)
	}
	if ct, cc := h.Get("Content-Type"), h.Get("Cache-Control"); ct != "application/json" || !strings.Contains(cc, "max-age") {
		t.Errorf("record headers: Content-Type %q, Cache-Control %q", ct, cc)
	}
	// One entrant changed, and the record no longer verifies.
	tampered := rec
	tampered.Entrants = slices.Clone(rec.Entrants)
	tampered.Entrants[(rec.WinnerIndex+1)%3] = "u-0000000000"
	slices.Sort(tampered.Entrants)
	var mismatch *draw.MismatchError
	if err := tampered.Verify(); !errors.As(err, &mismatch) || mismatch.Field != draw.FieldEntrantsHash {
		t.Fatalf("a tampered record: %v", err)
	}

	// The winner gets the tote, at no cost; nobody else gets an order.
	var winner *client
	for _, v := range viewers {
		if v.welcome.You.ID == g.Winner.ID {
			winner = v
		}
	}
	if winner == nil || g.Winner.Name != winner.welcome.You.Name {
		t.Fatalf("winner %+v is none of the entrants", g.Winner)
	}
	_, o := awaitDraw(t, winner)
	if o.Total.Amount != 0 || len(o.Lines) != 1 || o.Lines[0].VariantID != "tote-natural" || o.Lines[0].Qty != 1 || o.Lines[0].Unit.Amount != 0 {
		t.Fatalf("prize order %+v", o)
	}
	for _, v := range viewers {
		for _, env := range v.sync() {
			if env.Type == protocol.TypeOrder {
				t.Errorf("%s got a second order %s", v.welcome.You.Name, env.Data)
			}
		}
	}
	if n, _ := s.Stock("tote-natural"); n != 2 {
		t.Errorf("stock after the draw: %d, want 2", n)
	}
	if m := s.Metrics(); m.Orders != 1 || m.UnitsSold != 1 || m.Revenue.Amount != 0 || m.Funnel.CheckedOut != 0 {
		t.Errorf("metrics after the prize: %+v", m)
	}
	data, err := os.ReadFile(orders)
	if err != nil {
		t.Fatal(err)
	}
	var line orderRecord
	if err := json.Unmarshal(data, &line); err != nil || line.Type != "giveaway" || line.Giveaway != g.ID || line.ID != o.ID || line.Buyer != g.Winner.Name {
		t.Fatalf("prize record %s: %v", data, err)
	}

	host.send(protocol.TypeDraw, protocol.Draw{GiveawayID: g.ID})
	host.expectError(protocol.ErrCodeForbidden)
	viewers[0].send(protocol.TypeEnter, protocol.Enter{GiveawayID: g.ID})
	viewers[0].expectError(protocol.ErrCodeForbidden)
	if w := dial(t, ts.URL, "late", "").welcome.Giveaway; w == nil || w.State != protocol.GiveawayDrawn || w.Winner == nil || w.Winner.ID != g.Winner.ID {
		t.Errorf("a late viewer's welcome has %+v", w)
	}
	// A restart reads the prize back as an order.
	again, err := New(Config{Catalog: testCatalog(t), OrdersFile: orders})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if m := again.Metrics(); m.Orders != 1 || m.UnitsSold != 1 {
		t.Errorf("metrics read back: %+v", m)
	}
}

func TestGiveawayTimerDraws(t *testing.T) {
	clk := newClock()
	s, ts := startServer(t, withClock(clk))
	timers := giveawayTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dialClient(t, ts.URL, "bo", "client-bo")
	start := openGiveaway(t, host, ana, protocol.StartGiveaway{ProductID: "candle", VariantID: "candle-small", Seconds: 30})
	ana.enter(start.ID)
	bo.enter(start.ID)
	// Banned before the draw, bo is not in it.
	host.send(protocol.TypeBan, protocol.Ban{UserID: bo.welcome.You.ID})
	host.sync()

	// The timer firing early sets itself again for what is left.
	clk.advance(10 * time.Second)
	timers.fireArmed(30 * time.Second)
	if got := timers.armed(); !slices.Contains(got, 20*time.Second) {
		t.Fatalf("timers armed after an early firing: %v", got)
	}
	clk.advance(20 * time.Second)
	// Past the end, nobody enters, even before the timer fires.
	late := dialClient(t, ts.URL, "late", "client-late")
	late.send(protocol.TypeEnter, protocol.Enter{GiveawayID: start.ID})
	if e := late.expectError(protocol.ErrCodeForbidden); !strings.Contains(e.Message, "closed") {
		t.Errorf("a late entry: %q", e.Message)
	}
	timers.fireArmed(20 * time.Second)
	g, _ := awaitDraw(t, ana)
	if g.State != protocol.GiveawayDrawn || g.Entrants != 1 || g.WinnerIndex != 0 || g.Winner.ID != ana.welcome.You.ID || !g.EndsAt.Equal(start.EndsAt) {
		t.Fatalf("drawn by the timer: %+v", g)
	}
	rec, _, _ := fetchRecord(t, g.Record)
	if err := rec.Verify(); err != nil || rec.Seed != g.Seed || rec.EntrantsHash != g.EntrantsHash || rec.Commitment != start.Commitment {
		t.Fatalf("record %+v: %v", rec, err)
	}
	if n, _ := s.Stock("candle-small"); n != 9 {
		t.Errorf("stock after the draw: %d", n)
	}
}

func TestGiveawayVoidWithNoEntrants(t *testing.T) {
	s, ts := startServer(t)
	giveawayTimers(s)
	host := dial(t, ts.URL, "", testToken)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	start := openGiveaway(t, host, ana, protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 60})
	if n, _ := s.Stock("mug-blue"); n != 4 {
		t.Fatalf("stock with the prize set aside: %d", n)
	}
	host.send(protocol.TypeDraw, protocol.Draw{GiveawayID: start.ID})
	// The unit set aside goes back to stock, then the giveaway is void.
	if p := decode[protocol.Product](t, ana.nextOf(protocol.TypeProduct)); p.ID != "mug" || p.Variants[0].Stock != 5 {
		t.Fatalf("product after a void draw: %+v", p)
	}
	g := decode[protocol.Giveaway](t, ana.nextOf(protocol.TypeGiveaway))
	if g.State != protocol.GiveawayVoid || g.Winner != nil || g.Entrants != 0 || g.Seed == "" || g.Record == "" {
		t.Fatalf("void giveaway %+v", g)
	}
	rec, body, _ := fetchRecord(t, g.Record)
	if err := rec.Verify(); err != nil || rec.WinnerIndex != draw.NoWinner || rec.Winner != "" || !strings.Contains(body, `"entrants":[]`) {
		t.Fatalf("void record %s: %v", body, err)
	}
	for _, env := range ana.sync() {
		if env.Type == protocol.TypeOrder {
			t.Fatalf("an order from a void giveaway: %s", env.Data)
		}
	}
	if m := s.Metrics(); m.Orders != 0 {
		t.Errorf("metrics: %d orders", m.Orders)
	}
	// Another giveaway may start now.
	openGiveaway(t, host, ana, protocol.StartGiveaway{ProductID: "mug", VariantID: "mug-blue", Seconds: 60})
}

func TestGiveawayRecordsAreBounded(t *testing.T) {
	r := newRecords()
	for i := range maxKeptRecords + 5 {
		r.keep("g"+string(rune('0'+i%10))+string(rune('a'+i/10)), []byte("{}"))
	}
	if len(r.byID) != maxKeptRecords || len(r.order) != maxKeptRecords || r.bytes != 2*maxKeptRecords {
		t.Fatalf("%d records kept (%d bytes)", len(r.byID), r.bytes)
	}
	if _, ok := r.byID["g0a"]; ok {
		t.Error("the oldest record is still kept")
	}
	big := make([]byte, maxKeptRecordBytes/2+1)
	r.keep("big1", big)
	r.keep("big2", big)
	if _, ok := r.byID["big1"]; ok || r.byID["big2"] == nil || len(r.order) != 1 {
		t.Errorf("past the byte bound, kept %v", r.order)
	}
}
