package host_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/chat"
	"github.com/livecart/livecart/ui/host"
	"github.com/livecart/livecart/ui/internal/uitest"
)

// typeText types s into the dashboard, a key a rune.
func typeText(d *uitest.Program[host.Model], s string) {
	for _, r := range s {
		d.Key(r)
	}
}

// openHost opens the dashboard on the show at url, 120 by 40 cells, and
// waits until it is live.
func openHost(t *testing.T, url, first string) *uitest.Program[host.Model] {
	t.Helper()
	d := uitest.Open[host.Model](t, host.App(host.Options{URL: url, Token: "the-right-host-token", Theme: "dark", Tick: uitest.NoTick}))
	d.Handle(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.Until("● connected")
	d.Until(first)
	return d
}

// viewer joins the show at url as name, with a client ID, as a viewer who
// may bid and enter does.
func viewer(t *testing.T, url, name string) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Options{URL: url, Name: name, ClientID: client.NewClientID()})
	if err != nil {
		t.Fatalf("viewer %s: %v", name, err)
	}
	t.Cleanup(func() { c.Close() })
	go func() { // drain: the test reads the show from the dashboard
		for range c.Events() {
		}
	}()
	return c
}

// TestHostAuctionEndToEnd starts an auction from the dashboard on a real
// show, cancels it, starts another, and follows a viewer's bid back to
// the panel and the metrics; the cancel key goes once a bid is in.
func TestHostAuctionEndToEnd(t *testing.T) {
	noLeaks(t)
	url, products := startServer(t)
	d := openHost(t, url, products[0])

	d.Key('A')
	typeText(d, "$5 30s")
	d.Enter()
	d.Until("✓ start an auction of " + products[0])
	d.Until("no bids yet · opens at $5.00")
	d.Until("c cancel auction")

	d.Key('c')
	d.Until("✓ cancel the auction of " + products[0])
	d.Until("cancelled")

	d.Key('A')
	typeText(d, "$5 30s sudden")
	d.Enter()
	d.Until("no bids yet · opens at $5.00")
	d.Until("sudden death")

	ana := viewer(t, url, "ana")
	w, _ := ana.Welcome()
	if w.Auction == nil || w.Auction.State != protocol.AuctionOpen {
		t.Fatalf("the viewer's welcome has no open auction: %+v", w.Auction)
	}
	if err := ana.Send(protocol.TypeBid, protocol.Bid{AuctionID: w.Auction.ID, Amount: w.Auction.Next.Amount}); err != nil {
		t.Fatal(err)
	}
	d.Until("$5.00 ana leads · 1 bid · next")
	scr := d.Until("1 bid from 1 bidder") // the metrics, once a second
	if strings.Contains(scr, "c cancel") {
		t.Errorf("the dashboard offers to cancel an auction with a bid:\n%s", scr)
	}

	// One auction at a time: A does not apply, and the server would say
	// so in words.
	d.Key('A')
	if scr := d.Screen(); strings.Contains(scr, "Auction of ") {
		t.Errorf("A opened a prompt while an auction runs:\n%s", scr)
	}
	d.Stop()
}

// TestHostGiveawayEndToEnd opens a giveaway from the dashboard, lets a
// viewer enter, draws it early after the confirmation, and shows the
// winner and the record that livecart verify checks.
func TestHostGiveawayEndToEnd(t *testing.T) {
	noLeaks(t)
	url, products := startServer(t)
	d := openHost(t, url, products[0])

	d.Key('g')
	d.Until("Giveaway of " + products[0])
	d.Enter() // the prompt starts with a minute
	d.Until("✓ open a giveaway of " + products[0])
	d.Until("0 entered")

	ana := viewer(t, url, "ana")
	w, _ := ana.Welcome()
	if w.Giveaway == nil || w.Giveaway.State != protocol.GiveawayOpen {
		t.Fatalf("the viewer's welcome has no open giveaway: %+v", w.Giveaway)
	}
	if err := ana.Send(protocol.TypeEnter, protocol.Enter{GiveawayID: w.Giveaway.ID}); err != nil {
		t.Fatal(err)
	}
	d.Until("1 entered")

	d.Key('D')
	d.Until("Draw the giveaway of " + products[0])
	d.Key('y')
	d.Until("✓ draw the giveaway of " + products[0])
	scr := d.Until("WON by ana · entry 1 of 1")
	if !strings.Contains(scr, url[len("ws://"):strings.Index(url, "/ws")]+"/giveaways/") {
		t.Errorf("the dashboard does not show the record to verify:\n%s", scr)
	}
	if strings.Contains(scr, "D draw") {
		t.Errorf("the dashboard offers to draw a drawn giveaway:\n%s", scr)
	}
	d.Stop()
}

// TestHostGiftsEndToEnd has a viewer send a gift and pay for it on the
// show's checkout page, as a person would; the gift reaches the chat and
// the top supporters.
func TestHostGiftsEndToEnd(t *testing.T) {
	noLeaks(t)
	wsURL, products := startServer(t)
	d := openHost(t, wsURL, products[0])

	links := make(chan protocol.GiftLink, 1)
	c := giftClient(t, wsURL, "bo", links)
	w, _ := c.Welcome()
	if len(w.Gifts) == 0 {
		t.Fatal("the show offers no gifts")
	}
	kind := w.Gifts[0]
	if err := c.Send(protocol.TypeGift, protocol.SendGift{Kind: kind.ID}); err != nil {
		t.Fatal(err)
	}
	var link protocol.GiftLink
	select {
	case link = <-links:
	case <-time.After(10 * time.Second):
		t.Fatal("no gift link came back")
	}
	payPage(t, link.Checkout)

	d.Until(chat.GiftSymbol(kind.ID) + " bo sent " + chat.WithArticle(kind.Name) + " · " + kind.Amount.String())
	d.Until("─ Top supporters 1 gift · " + kind.Amount.String())
	d.Until("1. bo")
	d.Stop()
}

// giftClient joins as a viewer and passes on the gift links it is sent.
func giftClient(t *testing.T, url, name string, links chan<- protocol.GiftLink) *client.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Options{URL: url, Name: name, ClientID: client.NewClientID()})
	if err != nil {
		t.Fatalf("viewer %s: %v", name, err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		for batch := range c.Events() {
			for _, env := range batch {
				if env.Type != protocol.TypeGiftLink {
					continue
				}
				if l, err := protocol.Decode[protocol.GiftLink](env); err == nil {
					select {
					case links <- l:
					default:
					}
				}
			}
		}
	}()
	return c
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`)

// payPage pays at a checkout page as a person does: it opens the page and
// presses its Place order button, which posts the page's form.
func payPage(t *testing.T, link string) {
	t.Helper()
	page, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	body := get(t, page.String())
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], m[2])
	}
	if form.Get("key") == "" {
		t.Fatalf("no order form on the checkout page:\n%s", body)
	}
	resp, err := http.PostForm(page.ResolveReference(&url.URL{Path: "../orders"}).String(), form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("placing the order: %s\n%s", resp.Status, b)
	}
}

func get(t *testing.T, link string) string {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", link, resp.Status, err)
	}
	return string(b)
}
