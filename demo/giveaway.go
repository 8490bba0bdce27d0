package demo

import (
	"strings"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// Giveaways at pace 1: the first falls due at giveawayFirst, then one
// every six to nine minutes, each moving to the start of the pin it falls
// in as a deal does. A giveaway lasts a minute, so the audience has time
// to enter and a newcomer sees the entrants grow.
const (
	giveawayFirst  = 2*time.Minute + 30*time.Second
	giveawayFor    = time.Minute
	giveawayGapMin = 6*time.Minute + pinMax - dealLead
	giveawayGapMax = 9*time.Minute - dealLead
	// buyersOnlyPercent of giveaways after the first are for this show's
	// buyers alone.
	buyersOnlyPercent = 30
)

// giveaway gives away one of the pinned variant, or of the first product
// in stock when the pinned one has none, and announces it once the show
// has it.
func (d *director) giveaway(out []command, now time.Duration, st *show.State, a hostAction) []command {
	if st.Giveaway != nil && st.Giveaway.State == protocol.GiveawayOpen {
		return out
	}
	p, v, ok := giveawayItem(st)
	if !ok {
		return out
	}
	prev := ""
	if st.Giveaway != nil {
		prev = st.Giveaway.ID
	}
	secs := realSeconds(a.For, d.pace, protocol.MinGiveaway, protocol.MaxGiveaway)
	out = append(out, command{protocol.TypeStartGiveaway, protocol.StartGiveaway{
		ProductID: p.ID, VariantID: v.ID, BuyersOnly: a.BuyersOnly, Seconds: secs,
	}})
	list := hostGiveawayLines
	if a.BuyersOnly {
		list = hostBuyersGiveawayLines
	}
	tmpl, sent := d.pick(list), now
	d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, now time.Duration) (string, bool) {
		g := st.Giveaway
		switch {
		case g == nil || g.ID == prev:
			return "", false // not echoed yet
		case g.State != protocol.GiveawayOpen:
			return "", true
		}
		l := d.giveawayLive(st, g)
		l.TimeLeft = d.left(secs, sent, now)
		return d.compose(list, tmpl, l), true
	}})
	return out
}

// giveawayItem is what the host gives away: the pinned variant, another
// of the pinned product's in stock, or the first product in stock.
func giveawayItem(st *show.State) (protocol.Product, protocol.Variant, bool) {
	if p, v, ok := st.Pinned(); ok {
		if v.Stock > 0 {
			return p, v, true
		}
		if v, ok := firstInStock(p); ok {
			return p, v, true
		}
	}
	for _, p := range st.Catalog() {
		if v, ok := firstInStock(p); ok {
			return p, v, true
		}
	}
	return protocol.Product{}, protocol.Variant{}, false
}

// watchGiveaway cues the winner of a giveaway the host saw open, and how
// to check the draw, once the show has them.
func (d *director) watchGiveaway(now time.Duration, st *show.State) {
	g := st.Giveaway
	switch {
	case g == nil:
		return
	case g.State == protocol.GiveawayOpen:
		d.openGiveaway = g.ID
		return
	case g.ID != d.openGiveaway:
		return
	}
	d.openGiveaway = ""
	id := g.ID
	if g.State != protocol.GiveawayDrawn {
		tmpl := d.pick(hostVoidLines)
		d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, _ time.Duration) (string, bool) {
			return d.compose(hostVoidLines, tmpl, live{Host: st.Show.Host}), true
		}})
		return
	}
	long, short := d.pick(hostWinnerLines), d.pick(hostShortWinnerLines)
	verify := false
	d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, _ time.Duration) (string, bool) {
		g := st.Giveaway
		if g == nil || g.ID != id {
			return "", true
		}
		l := d.giveawayLive(st, g)
		if text := d.compose(hostWinnerLines, long, l); l.Record != "" && strings.Contains(text, "verify "+l.Record) {
			return text, true
		}
		// The record does not fit with the rest: it follows on its own.
		verify = l.Record != ""
		l.Record = ""
		return d.compose(hostShortWinnerLines, short, l), true
	}})
	d.cues = append(d.cues, cue{at: now, until: now + 2*cueWait, say: func(st *show.State, _ time.Duration) (string, bool) {
		g := st.Giveaway
		if !verify || g == nil || g.ID != id {
			return "", true
		}
		l := live{Host: st.Show.Host, Record: g.Record}
		if text := d.compose(hostVerifyLines, 0, l); strings.Contains(text, "verify "+l.Record) {
			return text, true
		}
		return "", true
	}})
}

// giveawayLive describes giveaway g for a line of the host's.
func (d *director) giveawayLive(st *show.State, g *protocol.Giveaway) live {
	p, _ := st.Product(g.ProductID)
	v, _ := p.Variant(g.VariantID)
	l := liveOf(p, v, st.Show.Host)
	if g.Winner != nil {
		l.Winner = g.Winner.Name
	}
	l.Record = g.Record
	return l
}
