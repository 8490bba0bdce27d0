// Package demo brings a show to life: a host bot that pins products, talks,
// runs flash deals, auctions and giveaways and restocks what sells out,
// and a simulated audience that joins, leaves, chats about what is pinned,
// now and then buys or sends a gift, bids in auctions and enters
// giveaways. Every bot is an ordinary client of the show's WebSocket
// endpoint, and pays what it won or gave through the show's checkout page
// as a person would (pay.go), so the demo exercises the same path real
// users take.
//
// What happens is decided by scripts generated from a seed (script.go):
// a planned first half minute, then a randomized show in which an auction
// comes on the first pin after the opening and every four to six minutes,
// a giveaway at about two and a half minutes and every six to nine, and a
// flash deal every two to four; each holds its pin alone, and the pin holds
// until it is over. The runner only resolves what depends on the live
// show, such as which product is pinned and what is still in stock; the
// host's side of that is its director (director.go), which reads the
// show's state and never a clock, so tests can play an hour of show in a
// moment.
//
// Every choice comes from a seeded random stream, and each bot has its own
// streams, so what one viewer does never depends on how many others there
// are: one for its script, and one each for auctions (bidder.go) and
// giveaways (entrant.go), from which every auction or giveaway it meets
// draws a stream of its own. What depends on live timing may differ from
// one run of a seed to the next, as which buy gets the last item does:
// which viewers are there when an auction opens, the prices they meet and
// so who bids again and who wins, how long late bids extend the clock,
// and who is drawn.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// Config says which show to animate and how.
type Config struct {
	URL       string // ws://host:port/ws of the show
	HostToken string // token that makes the host bot a host
	Audience  int    // simulated viewers; 0 means the host bot only
	Seed      uint64 // the same seed gives the same sequence of actions
	// Pace scales every delay of the show: 1 is real pace, 0.01 is a
	// hundred times faster. Zero or less means 1. A flash deal runs by the
	// server's clock, so it is scaled too but never shorter than
	// protocol.MinDeal.
	Pace float64
	// Logger receives what the bots have to report; nil discards it. The
	// demo never writes to stdout or stderr, where a TUI may be drawing.
	Logger *slog.Logger
	// NoHost leaves the host's part to a person (livecart demo --host):
	// no host bot pins products or talks; the audience still comes.
	NoHost bool
}

// hostName is what the host bot asks to be called; the server decides how
// the host is shown.
const hostName = "host"

// Reconnection backoff. These are real durations, not scaled by the pace:
// they protect a restarting server, whatever speed the show runs at.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 30 * time.Second
)

// Run animates the show until ctx is done, then closes every connection and
// returns nil once all bots have stopped. It returns an error only when the
// host bot cannot connect at all.
func Run(ctx context.Context, cfg Config) error {
	if !(cfg.Pace > 0) {
		cfg.Pace = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Audience = max(cfg.Audience, 0)
	start := time.Now()

	var wg sync.WaitGroup
	if !cfg.NoHost {
		host := &bot{cfg: cfg, start: start, name: hostName, token: cfg.HostToken, clientID: client.NewClientID(), log: cfg.Logger.With("bot", hostName)}
		conn, err := host.dial(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, client.ErrShowEnded) {
				return nil // stopped, or ended before the host got in: nothing went wrong
			}
			return fmt.Errorf("demo host: %w", err)
		}
		wg.Go(func() { runHost(ctx, host, conn) })
	}
	pay, err := newPayer(cfg.URL)
	if err != nil {
		cfg.Logger.Warn("the audience cannot pay checkout links", "err", err)
		pay = nil
	} else {
		defer pay.close()
	}
	for i, s := range audienceScripts(cfg.Seed, cfg.Audience) {
		b := &bot{cfg: cfg, start: start, name: s.Name, clientID: client.NewClientID(), log: cfg.Logger.With("bot", s.Name)}
		v := newViewerBot(b, s, uint64(i)+1, pay)
		wg.Go(func() { runViewer(ctx, v) })
	}
	wg.Wait()
	return nil
}

// bot is what host and viewers share: who they are and how they connect.
type bot struct {
	cfg   Config
	start time.Time // when the show started, at show time zero
	name  string
	token string
	// clientID is the bot's for the whole run, as a real client keeps its
	// own across reconnects: the server knows a bot that comes back as the
	// same viewer, so what the host did to it (a timeout, a ban) holds.
	clientID string
	log      *slog.Logger
}

// scale turns a show duration into real time at the configured pace.
func (b *bot) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) * b.cfg.Pace)
}

// showTime is how far the show has come, in show time.
func (b *bot) showTime() time.Duration {
	return time.Duration(float64(time.Since(b.start)) / b.cfg.Pace)
}

// clock reads the server's times in the bot's show time. The server's
// clock may not be the bot's: the welcome's stamp, taken as now, says by
// how much (the link's delay is small beside the seconds that matter).
func (b *bot) clock(conn *client.Conn) clock {
	zero := b.start
	if at := conn.WelcomeTime(); !at.IsZero() {
		zero = zero.Add(at.Sub(time.Now()))
	}
	return clock{zero: zero, pace: b.cfg.Pace}
}

func (b *bot) dial(ctx context.Context) (*client.Conn, error) {
	return client.Dial(ctx, client.Options{
		URL: b.cfg.URL, Name: b.name, Token: b.token, ClientID: b.clientID, Logger: b.log,
	})
}

// errHopeless means the server refused the bot in a way retrying cannot
// change (wrong protocol version, refused greeting).
var errHopeless = errors.New("server refused the bot for good")

// connect dials until it succeeds, ctx ends or the server refuses for good.
// After a drop (immediate false) it waits before the first attempt too: a
// server that just dropped every connection should not see them all come
// back in the same instant.
func (b *bot) connect(ctx context.Context, immediate bool) (*client.Conn, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 || !immediate {
			if !wait(ctx, backoff(attempt, rand.Float64())) {
				return nil, ctx.Err()
			}
		}
		conn, err := b.dial(ctx)
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var de *client.DialError
		if errors.As(err, &de) {
			if !de.Retryable {
				b.log.Warn("giving up on the show", "err", err)
				return nil, fmt.Errorf("%w: %w", errHopeless, err)
			}
			if de.RetryIn > 0 && !wait(ctx, de.RetryIn) {
				return nil, ctx.Err()
			}
		}
		b.log.Debug("connect failed", "attempt", attempt+1, "err", err)
	}
}

// backoff is the wait before reconnect attempt n: exponential, capped, with
// half of it random (jitter in [0,1)) so bots spread out.
func backoff(n int, jitter float64) time.Duration {
	d := backoffMax
	if n < 16 {
		d = min(backoffMax, backoffBase<<n)
	}
	return d/2 + time.Duration(jitter*float64(d/2))
}

// wait blocks for d or until ctx is done; it reports whether d elapsed.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// say sends a chat line, filled from the bot's view of the show. Send never
// blocks; a failure means the link is going down, which the event loop
// notices, so it is only logged.
func (b *bot) say(conn *client.Conn, st *show.State, tmpl, fallback string) {
	l, pinned := liveFrom(st)
	if needsPin(tmpl) && !pinned {
		tmpl = fallback
	}
	if tmpl == "" || (needsPin(tmpl) && !pinned) {
		return
	}
	b.send(conn, protocol.TypeSay, protocol.Say{Text: fill(tmpl, l)})
}

func (b *bot) send(conn *client.Conn, typ protocol.Type, data any) {
	if err := conn.Send(typ, data); err != nil {
		b.log.Debug("send failed", "type", typ, "err", err)
	}
}

// apply brings the bot's mirror up to date with one frame of events. The
// server's errors for this bot (a buy that lost the race for the last item)
// are expected in a busy show and only logged.
func (b *bot) apply(st *show.State, envs []protocol.Envelope) {
	for _, env := range envs {
		ch, err := st.Apply(env)
		if err != nil {
			b.log.Debug("bad event", "type", env.Type, "err", err)
			continue
		}
		if ch.Kind == show.KindError {
			b.log.Debug("server said no", "code", ch.Err.Code, "msg", ch.Err.Message)
		}
	}
}

// dropped logs why a connection ended under the bot.
func (b *bot) dropped(conn *client.Conn) {
	if closedForGood(conn) {
		b.log.Warn("closed for good, leaving the show", "err", conn.Err())
		return
	}
	b.log.Info("connection lost, reconnecting", "err", conn.Err())
}

// closedForGood reports whether the server ended conn with a close code
// that says not to come back: the host banned the bot, or the show has
// ended. A bot that came back anyway would only be refused.
func closedForGood(conn *client.Conn) bool {
	var ce *client.CloseError
	return errors.As(conn.Err(), &ce) && !protocol.DescribeClose(ce.Code).Reconnect
}
