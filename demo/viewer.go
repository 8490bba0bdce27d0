package demo

import (
	"context"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// runViewer plays one viewer's script until ctx is done: it joins, acts,
// leaves and rejoins as the same viewer, and reconnects after a drop. It
// stops for good when the server says not to come back (a ban, the end of
// the show).
func runViewer(ctx context.Context, b *bot, s *viewerScript) {
	if !wait(ctx, b.scale(s.Join)) {
		return
	}
	next := s.next()
	immediate := true
	for {
		conn, err := b.connect(ctx, immediate)
		if err != nil {
			return
		}
		st, _ := show.FromWelcome(conn.Welcome())
		left, away := viewerSession(ctx, b, s, conn, &st, &next)
		conn.Close()
		if ctx.Err() != nil || !left && closedForGood(conn) {
			return
		}
		// A viewer who chose to leave comes back after its away time; one
		// that was dropped goes through the reconnect backoff.
		immediate = left
		if left && !wait(ctx, b.scale(away)) {
			return
		}
	}
}

// viewerSession plays the script on one connection. It returns left true
// and the away time when the script says to leave, and false when the
// connection dropped or ctx is done.
func viewerSession(ctx context.Context, b *bot, s *viewerScript, conn *client.Conn, st *show.State, next *viewerAction) (left bool, away time.Duration) {
	timer := time.NewTimer(b.scale(next.Wait))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false, 0
		case envs, ok := <-conn.Events():
			if !ok {
				b.dropped(conn)
				return false, 0
			}
			b.apply(st, envs)
		case <-timer.C:
			a := *next
			*next = s.next()
			switch a.Kind {
			case viewerChat:
				b.say(conn, st, a.Say, a.Fallback)
			case viewerBuy:
				buy(b, conn, st, a)
			case viewerLeave:
				b.log.Debug("leaving for a while", "away", b.scale(a.Away))
				return true, a.Away
			}
			timer.Reset(b.scale(next.Wait))
		}
	}
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
