package viewer_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/demo"
	"github.com/livecart/livecart/draw"
	"github.com/livecart/livecart/internal/showtest"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/viewer"
)

const formatsToken = "e2e-host-token-0001"

// formatsShow runs the demo show on loopback with its default gifts, the
// viewer "ana" in it and a host connected; the screen is 100x30. tweak
// changes the server's config.
func formatsShow(t *testing.T, opened *openedURLs, tweak ...func(*server.Config)) (*showtest.Show, *uitest.Program[viewer.Model], *client.Conn) {
	t.Helper()
	cfg := server.Config{Catalog: showtest.Catalog(t, demo.Catalog()), HostToken: formatsToken}
	for _, f := range tweak {
		f(&cfg)
	}
	show := showtest.Start(t, cfg)
	d := uitest.Open[viewer.Model](t, viewer.App(viewer.Options{
		URL: show.WS, Name: "ana", Theme: "dark", OpenBrowser: true, Opener: opened.opener(),
		Carts: viewer.CartFiles{Store: cart.Store{Dir: t.TempDir()}},
		Tick:  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil },
	}))
	d.Handle(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.Until("● connected")
	host, err := client.Dial(context.Background(), client.Options{URL: show.WS, Name: "host", Token: formatsToken})
	if err != nil {
		d.Stop()
		t.Fatal(err)
	}
	return show, d, host
}

// TestEndToEndGiveaway: the host opens a giveaway, e enters the viewer,
// the host draws, and the viewer, the only entrant, wins; the record
// whose URL the screen shows checks out, and names them.
func TestEndToEndGiveaway(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	_, d, host := formatsShow(t, &openedURLs{})
	defer d.Stop()
	defer host.Close()
	cat := showtest.Catalog(t, demo.Catalog())
	p := cat.Products[0]
	hostSends(t, host, protocol.TypeStartGiveaway, protocol.StartGiveaway{ProductID: p.ID, VariantID: p.Variants[0].ID, Seconds: 120})
	d.Until("GIVEAWAY")
	d.Until("e to enter")
	d.Key('e')
	d.Until("you're in ✓")

	g := d.M.Show.Giveaway
	hostSends(t, host, protocol.TypeDraw, protocol.Draw{GiveawayID: g.ID})
	scr := d.Until("You won the giveaway")
	g = d.M.Show.Giveaway
	if g.State != protocol.GiveawayDrawn || g.Record == "" || !strings.Contains(squashed(scr), squashed(g.Record)) {
		t.Fatalf("drawn giveaway %+v, record not on screen:\n%s", g, scr)
	}
	d.Until("commitment " + g.Commitment[:8])

	rec := fetchRecord(t, g.Record)
	if err := rec.Verify(); err != nil {
		t.Fatalf("the record does not verify: %v", err)
	}
	if rec.Commitment != g.Commitment || rec.Winner != d.M.Show.You.ID {
		t.Errorf("record commitment %s winner %s; the show said %s, and the viewer is %s", rec.Commitment, rec.Winner, g.Commitment, d.M.Show.You.ID)
	}
	// The prize is an order at no cost, not a purchase.
	d.Until("your giveaway prize")
}

// TestEndToEndGift: g and enter ask for a heart, the link the show answers
// with opens in the "browser", whose form pays it, and the paid gift
// reaches the chat.
func TestEndToEndGift(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	opened := &openedURLs{}
	show, d, host := formatsShow(t, opened)
	defer d.Stop()
	defer host.Close()
	d.Until("g send a gift")
	d.Key('g')
	d.Until("Heart $1.00")
	d.Enter()
	link := opened.wait(t, d, 1)
	if !strings.HasPrefix(link.String(), show.URL+"/gift/") {
		t.Fatalf("opened %s, want a gift page of %s", link, show.URL)
	}
	payPage(t, link)
	d.Until("♥ ana sent a Heart · $1.00")
}

// fetchRecord reads a giveaway's published record.
func fetchRecord(t *testing.T, link string) draw.Record {
	t.Helper()
	body, status := get(t, link)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", link, status, body)
	}
	rec, err := draw.ParseRecord([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)
)

// payPage does what a person does on the checkout page at link: posts its
// form where it says.
func payPage(t *testing.T, link *url.URL) {
	t.Helper()
	page, status := get(t, link.String())
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", link, status, page)
	}
	action := formAction.FindStringSubmatch(page)
	if action == nil {
		t.Fatalf("no form on %s:\n%s", link, page)
	}
	to, err := link.Parse(html.UnescapeString(action[1]))
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.PostForm(to.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("paying %s at %s: %d\n%s", link, to, resp.StatusCode, body)
	}
}

func get(t *testing.T, link string) (string, int) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body), resp.StatusCode
}

// squashed takes every space and row break out of s.
func squashed(s string) string { return strings.Join(strings.Fields(s), "") }

// showClock is a server's clock that moves only when the test says.
type showClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *showClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *showClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestEndToEndAuction: the host puts the demo's first product up; b bids
// the next amount and the viewer leads; another bidder outbids them and
// the screen says so; m sets a maximum, which the show bids with at once.
// When the time is up the viewer has won: p opens the link to pay, whose
// page takes the payment, and the order comes back.
func TestEndToEndAuction(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	clk := &showClock{now: time.Now()}
	opened := &openedURLs{}
	show, d, host := formatsShow(t, opened, func(c *server.Config) { c.Now = clk.Now })
	defer d.Stop()
	defer host.Close()
	bo, err := client.Dial(context.Background(), client.Options{URL: show.WS, Name: "bo", ClientID: "e2e-bo-0001"})
	if err != nil {
		t.Fatal(err)
	}
	defer bo.Close()

	p := showtest.Catalog(t, demo.Catalog()).Products[0]
	hostSends(t, host, protocol.TypeStartAuction, protocol.StartAuction{ProductID: p.ID, VariantID: p.Variants[0].ID, Start: 1000, Seconds: 30})
	d.Until("b bids $10.00")
	d.Until("0:30 left")
	d.Key('b')
	d.Until("you lead")
	id := d.M.Show.Auction.ID

	if err := bo.Send(protocol.TypeBid, protocol.Bid{AuctionID: id, Amount: 1100}); err != nil {
		t.Fatal(err)
	}
	d.Until("Outbid: bo leads at $11.00 · b to bid $12.00")

	d.Key('m')
	d.Until("your max (at least $12.00)")
	for _, r := range "20" {
		d.Key(r)
	}
	d.Enter()
	d.Until("your max $20.00")
	d.Until("$12.00 · you lead · 3 bids")

	// The time is up: a host's cancel, too late to cancel anything, ends
	// the auction first, without waiting for its timer.
	clk.advance(31 * time.Second)
	hostSends(t, host, protocol.TypeCancelAuction, protocol.CancelAuction{AuctionID: id})
	d.Until("SOLD to you for $12.00")
	d.Until("You won " + p.Name)
	d.Key('p')
	link := opened.wait(t, d, 1)
	if !strings.HasPrefix(link.String(), show.URL+"/auction/"+id) {
		t.Fatalf("p opened %s, want the win's page", link)
	}
	payPage(t, link)
	d.Until("You bought 1 × " + p.Name)
}
