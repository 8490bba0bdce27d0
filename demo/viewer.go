package demo

import (
	"context"
	"sync"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// viewerBot is one simulated viewer for the whole run: its script, its
// part in auctions and giveaways, and what it keeps across connections
// (what it has given, whether it has bought).
type viewerBot struct {
	*bot
	script  *viewerScript
	bids    *bidder
	entries *entrant
	gifts   giver
	giftPay time.Duration // the pause before paying the gift last asked for
	bought  bool          // the show told it of an order of its own
	payer   *payer        // nil: the viewer never pays a link
	clk     clock
	// payments are the checkout pages being paid, each in a goroutine of
	// its own as a person pays in a browser while watching.
	payments sync.WaitGroup
}

// newViewerBot makes the viewer that plays script s as bot number n (the
// host is 0), paying its links through pay, or never when it is nil.
func newViewerBot(b *bot, s *viewerScript, n uint64, pay *payer) *viewerBot {
	return &viewerBot{
		bot: b, script: s, payer: pay,
		bids:    newBidder("", streamRNG(b.cfg.Seed, n, auctionStreams)),
		entries: newEntrant("", streamRNG(b.cfg.Seed, n, giveawayStreams)),
	}
}

// runViewer plays one viewer's script until ctx is done: it joins, acts,
// leaves and rejoins as the same viewer, and reconnects after a drop. It
// stops for good when the server says not to come back (a ban, the end of
// the show).
func runViewer(ctx context.Context, v *viewerBot) {
	defer v.payments.Wait()
	s := v.script
	if !wait(ctx, v.scale(s.Join)) {
		return
	}
	next := s.next()
	immediate := true
	for {
		conn, err := v.connect(ctx, immediate)
		if err != nil {
			return
		}
		st, _ := show.FromWelcome(conn.Welcome())
		v.clk = v.clock(conn)
		v.bids.me, v.entries.me = st.You.ID, st.You.ID
		left, away := v.session(ctx, conn, &st, &next)
		conn.Close()
		if ctx.Err() != nil || !left && closedForGood(conn) {
			return
		}
		// A viewer who chose to leave comes back after its away time; one
		// that was dropped goes through the reconnect backoff.
		immediate = left
		if left && !wait(ctx, v.scale(away)) {
			return
		}
	}
}

// session plays the script on one connection, and answers auctions and
// giveaways as they come. It returns left true and the away time when the
// script says to leave, and false when the connection dropped or ctx is
// done.
func (v *viewerBot) session(ctx context.Context, conn *client.Conn, st *show.State, next *viewerAction) (left bool, away time.Duration) {
	timer := time.NewTimer(v.scale(next.Wait))
	defer timer.Stop()
	formats := time.NewTimer(0)
	defer formats.Stop()
	for {
		select {
		case <-ctx.Done():
			return false, 0
		case envs, ok := <-conn.Events():
			if !ok {
				v.dropped(conn)
				return false, 0
			}
			v.apply(ctx, st, envs)
		case <-formats.C:
		case <-timer.C:
			a := *next
			*next = v.script.next()
			switch a.Kind {
			case viewerChat:
				v.say(conn, st, a.Say, a.Fallback)
			case viewerBuy:
				buy(v.bot, conn, st, a)
			case viewerGift:
				v.gift(conn, st, a)
			case viewerLeave:
				v.log.Debug("leaving for a while", "away", v.scale(a.Away))
				return true, a.Away
			}
			timer.Reset(v.scale(next.Wait))
		}
		now := v.showTime()
		formats.Stop()
		if w := v.react(conn, st, now); w != never {
			formats.Reset(v.scale(w - now))
		}
	}
}

// apply brings the mirror up to date with one frame of events and starts
// paying what the show asks the viewer to pay.
func (v *viewerBot) apply(ctx context.Context, st *show.State, envs []protocol.Envelope) {
	for _, env := range envs {
		ch, err := st.Apply(env)
		if err != nil {
			v.log.Debug("bad event", "type", env.Type, "err", err)
			continue
		}
		switch ch.Kind {
		case show.KindError:
			v.log.Debug("server said no", "code", ch.Err.Code, "msg", ch.Err.Message)
		case show.KindOrder:
			v.bought = true
		case show.KindAuctionWon:
			if after, ok := v.bids.won(*st.Won); ok {
				v.payLater(ctx, st.Won.Checkout, after)
			}
		case show.KindGiftLink:
			v.payLater(ctx, ch.GiftLink.Checkout, v.giftPay)
		}
	}
}

// react lets the viewer bid and enter as the show stands at now, and
// returns the show time it next means to, or never.
func (v *viewerBot) react(conn *client.Conn, st *show.State, now time.Duration) time.Duration {
	bid, said := v.bids.step(now, st, v.clk)
	if a := st.Auction; a != nil {
		l := itemLive(st, a.ProductID, a.VariantID)
		if bid != nil {
			l.Bid = money.New(bid.Amount, a.Next.Currency)
		}
		if a.Leader != nil {
			l.Winner = a.Leader.Name
		}
		if bid != nil {
			v.send(conn, protocol.TypeBid, *bid)
		}
		v.sayLive(conn, said, l)
	}
	enter, said := v.entries.step(now, st, v.clk, v.bought)
	if g := st.Giveaway; g != nil {
		l := itemLive(st, g.ProductID, g.VariantID)
		if g.Winner != nil {
			l.Winner = g.Winner.Name
		}
		if enter != nil {
			v.send(conn, protocol.TypeEnter, *enter)
		}
		v.sayLive(conn, said, l)
	}
	return min(v.bids.wake(), v.entries.wake())
}

// gift asks for a gift of the kind the script's roll picks, while the
// viewer is under the show's caps; otherwise it chats instead.
func (v *viewerBot) gift(conn *client.Conn, st *show.State, a viewerAction) {
	k, ok := v.gifts.choose(st.Gifts, a.Roll)
	if !ok || v.payer == nil {
		v.say(conn, st, a.Fallback, "")
		return
	}
	v.gifts.sent(k)
	v.giftPay = a.Pay
	v.send(conn, protocol.TypeGift, protocol.SendGift{Kind: k.ID})
}

// payLater pays a checkout link after a pause, as a person who opens it.
func (v *viewerBot) payLater(ctx context.Context, link string, after time.Duration) {
	if v.payer == nil {
		return
	}
	v.payments.Go(func() {
		if !wait(ctx, v.scale(after)) {
			return
		}
		if err := v.payer.pay(ctx, link); err != nil && ctx.Err() == nil {
			v.log.Info("could not pay", "err", err)
		}
	})
}

// sayLive says a line about an auction's or a giveaway's item.
func (v *viewerBot) sayLive(conn *client.Conn, tmpl string, l live) {
	if tmpl == "" || needsPin(tmpl) && l.Product.Name == "" {
		return
	}
	if text := fill(tmpl, l); !unfilled(text) {
		v.send(conn, protocol.TypeSay, protocol.Say{Text: text})
	}
}

// itemLive describes a variant of a product for a line; the product's
// name is empty when the viewer does not know it.
func itemLive(st *show.State, productID, variantID string) live {
	p, _ := st.Product(productID)
	v, _ := p.Variant(variantID)
	l, _ := liveFrom(st)
	return liveOf(p, v, l.Host)
}

// buy buys one of the pinned variant if the bot has seen it in stock. A
// viewer who sees nothing to buy just keeps watching.
func buy(b *bot, conn *client.Conn, st *show.State, a viewerAction) {
	_, v, pinned := st.Pinned()
	if !pinned || v.Stock <= 0 {
		return
	}
	b.send(conn, protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: v.ID, Qty: 1}}})
	if a.Say != "" {
		b.say(conn, st, a.Say, "")
	}
}
