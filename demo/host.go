package demo

import (
	"context"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// hostBot runs the host's script against the live show.
type hostBot struct {
	*bot
	script  *hostScript
	lastPin []string // the candidates of the last scripted pin
	// repinned is the variant last pinned in place of a sold-out one, so a
	// burst of stock events before the echo does not pin it again.
	repinned string
}

// runHost plays the host's part on conn, which Run has already dialled, and
// on every connection after it, until ctx is done.
func runHost(ctx context.Context, b *bot, conn *client.Conn) {
	w, seq := conn.Welcome()
	if w.You.Role != protocol.RoleHost {
		b.log.Warn("host token not accepted: the host bot can chat but not pin")
	}
	st, _ := show.FromWelcome(w, seq)
	ids := make([]string, 0, len(w.Catalog))
	for _, p := range st.Catalog() {
		ids = append(ids, p.ID)
	}
	h := &hostBot{bot: b, script: newHostScript(b.cfg.Seed, ids)}
	next := h.script.next()
	for {
		h.session(ctx, conn, &st, &next)
		conn.Close()
		if ctx.Err() != nil {
			return
		}
		var err error
		if conn, err = b.connect(ctx, false); err != nil {
			return
		}
		st, _ = show.FromWelcome(conn.Welcome())
		h.resume(conn, &st)
	}
}

// session plays the script on one connection until it drops or ctx is done.
// Events are read in the same loop that acts, so the connection is drained
// however long the bot waits between actions.
func (h *hostBot) session(ctx context.Context, conn *client.Conn, st *show.State, next *hostAction) {
	timer := time.NewTimer(h.scale(next.Wait))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case envs, ok := <-conn.Events():
			if !ok {
				h.dropped(conn)
				return
			}
			h.apply(st, envs)
			h.replaceSoldOut(conn, st)
		case <-timer.C:
			h.do(conn, st, *next)
			*next = h.script.next()
			timer.Reset(h.scale(next.Wait))
		}
	}
}

func (h *hostBot) do(conn *client.Conn, st *show.State, a hostAction) {
	if a.Pin == nil {
		h.say(conn, st, a.Say, a.Fallback)
		return
	}
	h.lastPin = a.Pin
	p, v, ok := choosePin(st, a.Pin)
	if !ok {
		if cur, _, pinned := st.Pinned(); pinned && cur.Stock() == 0 {
			h.send(conn, protocol.TypeUnpin, protocol.Unpin{})
		}
		h.say(conn, st, a.Fallback, "")
		return
	}
	h.send(conn, protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: v.ID})
	// The pin echo has not arrived yet, so the introduction is filled from
	// the product chosen rather than from the mirror.
	l, _ := liveFrom(st)
	l.Product, l.Variant, l.Price, l.Stock = p.Name, v.Name, p.Price.String(), v.Stock
	h.send(conn, protocol.TypeSay, protocol.Say{Text: fill(a.Say, l)})
}

// resume restores the pin after a reconnect: a restarted server has
// forgotten it, and an empty stage is the one thing a demo must not show.
func (h *hostBot) resume(conn *client.Conn, st *show.State) {
	if _, _, pinned := st.Pinned(); pinned || h.lastPin == nil {
		return
	}
	if p, v, ok := choosePin(st, h.lastPin); ok {
		h.send(conn, protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: v.ID})
	}
}

// replaceSoldOut pins another variant of the pinned product when the pinned
// one sells out, as a host would hold up the next colour.
func (h *hostBot) replaceSoldOut(conn *client.Conn, st *show.State) {
	p, v, pinned := st.Pinned()
	if !pinned || v.Stock > 0 {
		return
	}
	alt, ok := firstInStock(p)
	if !ok || alt.ID == h.repinned {
		return
	}
	h.repinned = alt.ID
	h.send(conn, protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: alt.ID})
}

// choosePin returns the first candidate with a variant in stock that is not
// already pinned, and that variant.
func choosePin(st *show.State, candidates []string) (protocol.Product, protocol.Variant, bool) {
	cur, _, pinned := st.Pinned()
	for _, id := range candidates {
		if pinned && id == cur.ID {
			continue
		}
		p, ok := st.Product(id)
		if !ok {
			continue
		}
		if v, ok := firstInStock(p); ok {
			return p, v, true
		}
	}
	return protocol.Product{}, protocol.Variant{}, false
}

func firstInStock(p protocol.Product) (protocol.Variant, bool) {
	for _, v := range p.Variants {
		if v.Stock > 0 {
			return v, true
		}
	}
	return protocol.Variant{}, false
}
