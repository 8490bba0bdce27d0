package demo

import (
	"context"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// hostBot runs the host's director against the live show.
type hostBot struct {
	*bot
	dir *director
}

// runHost plays the host's part on conn, which Run has already dialled, and
// on every connection after it, until ctx is done or the show has ended.
func runHost(ctx context.Context, b *bot, conn *client.Conn) {
	w, seq := conn.Welcome()
	if w.You.Role != protocol.RoleHost {
		b.log.Warn("host token not accepted: the host bot can chat but not pin")
	}
	st, _ := show.FromWelcome(w, seq)
	h := &hostBot{bot: b, dir: newDirector(b.cfg.Seed, &st, b.clock(conn))}
	for {
		h.session(ctx, conn, &st)
		conn.Close()
		if ctx.Err() != nil || closedForGood(conn) {
			return
		}
		var err error
		if conn, err = b.connect(ctx, false); err != nil {
			return
		}
		st, _ = show.FromWelcome(conn.Welcome())
		h.dir.clock = b.clock(conn)
		h.sendAll(conn, h.dir.resume(&st))
	}
}

// session plays the show on one connection until it drops or ctx is done.
// Events are read in the same loop that acts, so the connection is drained
// however long the bot waits, and the director sees every change at once.
func (h *hostBot) session(ctx context.Context, conn *client.Conn, st *show.State) {
	timer := time.NewTimer(0)
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
		case <-timer.C:
		}
		now := h.showTime()
		h.sendAll(conn, h.dir.step(now, st))
		timer.Reset(h.scale(h.dir.wake() - now))
	}
}

func (h *hostBot) sendAll(conn *client.Conn, cmds []command) {
	for _, c := range cmds {
		h.send(conn, c.Type, c.Data)
	}
}
