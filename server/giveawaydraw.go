package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/livecart/livecart/draw"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// This file draws a giveaway (docs/PROTOCOL.md, "Giveaway draw"),
// publishes its record at GET /giveaways/{id}, and gives the winner the
// prize.

const (
	// maxKeptRecords and maxKeptRecordBytes bound the drawn giveaways'
	// records a show keeps to serve: past either, the oldest go. The
	// newest is always kept. A record of the most entrants takes about
	// 1.5 MB.
	maxKeptRecords     = 100
	maxKeptRecordBytes = 32 << 20
)

// records are the published records of drawn giveaways, by ID, as the
// JSON that is served.
type records struct {
	byID  map[string][]byte
	order []string // oldest first
	bytes int
}

func newRecords() records { return records{byID: make(map[string][]byte)} }

// keep adds a record, dropping the oldest past the bounds.
func (r *records) keep(id string, data []byte) {
	r.byID[id] = data
	r.order = append(r.order, id)
	r.bytes += len(data)
	for len(r.order) > 1 && (len(r.order) > maxKeptRecords || r.bytes > maxKeptRecordBytes) {
		r.bytes -= len(r.byID[r.order[0]])
		delete(r.byID, r.order[0])
		r.order = r.order[1:]
	}
}

// prize is the order a giveaway's winner gets, drawn but not yet written
// down.
type prize struct {
	rec    orderRecord
	winner string // identity ID: its connections hear of the order
}

// drawGiveaway is the host's draw: it closes entry to the running
// giveaway at once and draws it.
func drawGiveaway(s *Server, c *conn, env protocol.Envelope) *protocol.Error {
	d, err := protocol.Decode[protocol.Draw](env)
	if err != nil {
		return newError(protocol.ErrCodeBadRequest, err.Error())
	}
	var p *prize
	e := s.do(c, func() *protocol.Error {
		g := s.give.cur
		if g == nil || g.pub.ID != d.GiveawayID {
			return newError(protocol.ErrCodeNotFound, fmt.Sprintf("no giveaway %q in this show", d.GiveawayID))
		}
		if g.pub.State != protocol.GiveawayOpen {
			return newError(protocol.ErrCodeForbidden, fmt.Sprintf("giveaway %s has been drawn already", g.pub.ID))
		}
		if now := s.now(); now.Before(g.pub.EndsAt) {
			g.pub.EndsAt = now // entry closes now
		}
		p = s.drawLocked()
		return nil
	})
	if p != nil {
		s.placePrize(*p)
	}
	return e
}

// drawLocked closes entry to the running giveaway, draws it from its
// seed and its entrants (less any the host has banned since they
// entered), keeps its record and publishes the outcome: drawn with its
// winner, or void when nobody entered, which gives the unit set aside
// back to stock. It returns the winner's prize for placePrize to write
// down, or nil.
func (s *Server) drawLocked() *prize {
	s.stopGiveawayTimerLocked()
	g := s.give.cur
	ids := make([]string, 0, len(g.entrants))
	for id := range g.entrants {
		if !s.mod.banned[id] {
			ids = append(ids, id)
		}
	}
	rec, err := draw.NewRecord(g.seed, g.pub.ID, ids)
	if err != nil {
		// Entrants are identity IDs, at most draw.MaxEntrants of them:
		// this cannot happen. Without a record nobody could check a
		// winner, so there is none.
		s.hub.later(func() { s.log.Error("giveaway not drawn", "giveaway", g.pub.ID, "err", err) })
		rec, _ = draw.NewRecord(g.seed, g.pub.ID, nil)
	}
	p := &s.products[g.prize.product]
	v := &p.Variants[g.prize.variant]
	rec.ProductID, rec.ProductName = p.ID, p.Name
	g.pub.Entrants = len(rec.Entrants)
	g.pub.EntrantsHash, g.pub.Seed = rec.EntrantsHash, rec.Seed
	g.pub.Record = g.base + "/giveaways/" + g.pub.ID

	var won *prize
	if rec.WinnerIndex == draw.NoWinner {
		g.pub.State = protocol.GiveawayVoid
		v.Stock = min(v.Stock+1, protocol.MaxStock) // the host may have set it meanwhile
		s.publishProductLocked(g.prize.product)
	} else {
		winner := protocol.Identity{ID: rec.Winner, Name: g.entrants[rec.Winner], Role: protocol.RoleViewer}
		rec.WinnerName = winner.Name
		g.pub.State, g.pub.WinnerIndex, g.pub.Winner = protocol.GiveawayDrawn, rec.WinnerIndex, &winner
		s.orderIDs++
		free := money.New(0, s.currency)
		won = &prize{winner: winner.ID, rec: orderRecord{
			Show: s.show.ID, At: s.now().UTC(), Buyer: winner.Name, Type: recordGiveaway, Giveaway: g.pub.ID,
			Order: protocol.Order{
				ID: s.run + "-o" + strconv.FormatUint(s.orderIDs, 10),
				Lines: []protocol.OrderLine{{
					ProductID: p.ID, VariantID: v.ID, Name: p.Name, Variant: v.Name, Unit: free, Qty: 1,
				}},
				Total: free,
			},
		}}
	}
	data, err := json.Marshal(rec)
	if err == nil {
		s.give.records.keep(g.pub.ID, data)
	} else {
		s.hub.later(func() { s.log.Error("giveaway record not kept", "giveaway", g.pub.ID, "err", err) })
	}
	s.publishGiveawayLocked()
	id, state, n := g.pub.ID, g.pub.State, g.pub.Entrants
	s.hub.later(func() { s.log.Info("giveaway drawn", "giveaway", id, "state", state, "entrants", n) })
	return won
}

// placePrize writes the winner's prize down as an order at no cost,
// counts it (an order and a unit sold, with no revenue, and nothing in
// the funnel: nobody bought it) and sends it to the winner's
// connections. The draw is public and cannot be taken back, so a prize
// the orders file would not take is still given; the failure is logged.
func (s *Server) placePrize(p prize) {
	if err := s.orders.append(p.rec); err != nil {
		s.log.Error("giveaway prize not recorded", "giveaway", p.rec.Giveaway, "order", p.rec.ID, "err", err)
	}
	s.hub.locked(func() {
		s.tally.order(p.rec.Order, s.productAt)
		for c := range s.hub.joinedLocked() {
			if c.id.ID == p.winner {
				s.hub.sendLocked(c, protocol.TypeOrder, p.rec.Order)
			}
		}
	})
	s.log.Info("giveaway prize placed", "giveaway", p.rec.Giveaway, "order", p.rec.ID, "winner", p.rec.Buyer)
}

// serveGiveawayRecord answers GET /giveaways/{id} with the drawn
// giveaway's record (draw.Record as JSON), which `livecart verify`
// checks. A drawn record never changes, so it may be cached for good; a
// giveaway not drawn yet, or unknown, is 404 and not cached, so asking
// again after the draw finds it.
func (s *Server) serveGiveawayRecord(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var data []byte
	s.hub.locked(func() { data = s.give.records.byID[id] })
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if data == nil {
		h.Set("Cache-Control", "no-store")
		http.Error(w, "no drawn giveaway "+strconv.Quote(id)+" in this show", http.StatusNotFound)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=86400, immutable")
	// Anyone may check a draw, from a page of their own too.
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
