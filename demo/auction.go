package demo

import (
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// Auctions at pace 1. The first runs on the first pin after the opening,
// so a newcomer sees one in the show's second minute; then one falls due
// every four to six minutes and, as a deal does, moves to the start of the
// pin it falls in: hence the bounds, as for deals.
const (
	auctionFor     = 30 * time.Second
	auctionCounter = 10 * time.Second
	auctionGapMin  = 4*time.Minute + pinMax - dealLead
	auctionGapMax  = 6*time.Minute - dealLead
	// startPercent of the regular price, rounded down to a whole major
	// unit, opens the bidding: low enough that the audience has room to
	// bid it up.
	startPercent = 40
)

// startBid is an auction's opening bid for an item of regular price: in
// minor units, whole major units, at least one.
func startBid(regular money.Money) int64 {
	unit := money.MajorUnit(regular.Currency)
	return max(regular.Amount*startPercent/100/unit*unit, unit)
}

// auction puts one of the pinned variant up for auction, or of another of
// the pinned product's variants if it has sold out, and announces it once
// the show has it.
func (d *director) auction(out []command, now time.Duration, st *show.State, a hostAction) []command {
	p, v, ok := st.Pinned()
	if !ok || st.Auction != nil && st.Auction.State == protocol.AuctionOpen {
		return out
	}
	if v.Stock == 0 {
		if v, ok = firstInStock(p); !ok {
			return out
		}
	}
	prev := ""
	if st.Auction != nil {
		prev = st.Auction.ID
	}
	secs := realSeconds(a.For, d.pace, protocol.MinAuction, protocol.MaxAuction)
	out = append(out, command{protocol.TypeStartAuction, protocol.StartAuction{
		ProductID: p.ID, VariantID: v.ID, Start: startBid(p.RegularOf(v.ID)), Seconds: secs,
		CounterSeconds: realSeconds(a.Counter, d.pace, time.Second, protocol.MaxCounterBid),
	}})
	tmpl, sent := d.pick(hostAuctionLines), now
	d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, now time.Duration) (string, bool) {
		x := st.Auction
		switch {
		case x == nil || x.ID == prev:
			return "", false // not echoed yet
		case x.State != protocol.AuctionOpen:
			return "", true
		}
		l := d.auctionLive(st, x)
		l.TimeLeft = d.left(secs, sent, now)
		return d.compose(hostAuctionLines, tmpl, l), true
	}})
	return out
}

// watchAuction cues the result of an auction the host saw open, once the
// show has it.
func (d *director) watchAuction(now time.Duration, st *show.State) {
	x := st.Auction
	switch {
	case x == nil:
		return
	case x.State == protocol.AuctionOpen:
		d.openAuction = x.ID
		return
	case x.ID != d.openAuction:
		return // ended before the host saw it, or already told
	}
	d.openAuction = ""
	list := hostUnsoldLines
	switch x.State {
	case protocol.AuctionSold:
		list = hostSoldLines
	case protocol.AuctionCancelled:
		return
	}
	id, tmpl := x.ID, d.pick(list)
	d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, _ time.Duration) (string, bool) {
		if x := st.Auction; x != nil && x.ID == id {
			return d.compose(list, tmpl, d.auctionLive(st, x)), true
		}
		return "", true
	}})
}

// auctionLive describes auction x for a line of the host's.
func (d *director) auctionLive(st *show.State, x *protocol.Auction) live {
	p, _ := st.Product(x.ProductID)
	v, _ := p.Variant(x.VariantID)
	l := liveOf(p, v, st.Show.Host)
	l.Start = x.Start
	if x.Price != nil {
		l.Bid = *x.Price
	}
	if x.Leader != nil {
		l.Winner = x.Leader.Name
	}
	return l
}

// left is how long something the server runs for secs seconds from sent
// has left at now, as viewers count it down: in real seconds by the
// server's clock. It is worked out from what was asked rather than from
// the end the server sent, so the host's clock running a little apart
// from the server's does not make 30 seconds "31 seconds".
func (d *director) left(secs int, sent, now time.Duration) time.Duration {
	return time.Duration(secs)*time.Second - time.Duration(float64(now-sent)*d.pace)
}
