package client

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livecart/livecart/protocol"
)

// ErrOffline is returned by Session.Send while no connection is up.
var ErrOffline = errors.New("not connected to the show")

// errGap ends a connection that skipped show events: the session reconnects
// and resumes after the last event it applied.
var errGap = errors.New("events missing from the stream")

// updateQueue lets a burst of events run ahead of the consumer a little;
// beyond it the session stops reading the socket rather than drop anything.
const updateQueue = 64

// UpdateKind says what a session update carries.
type UpdateKind int

// Update kinds, in the order a session usually goes through them.
const (
	// UpdateConnecting: a dial of URL is in flight; Attempt is its number
	// (1 = first, and again the first after a connection that was
	// stable). With several URLs it numbers rounds: the dials of one
	// round, a URL each, share it.
	UpdateConnecting UpdateKind = iota
	// UpdateSnapshot: connected with a full snapshot, in Welcome and Seq.
	// Missed is true when an earlier connection of this session existed and
	// events may have been lost (a new epoch, or too far behind).
	UpdateSnapshot
	// UpdateResumed: reconnected without loss. Welcome carries identity,
	// show and viewers but no catalog or chat; Seq is where the stream
	// resumed. The missed events follow as UpdateEvents.
	UpdateResumed
	// UpdateEvents: show events in seq order with no duplicates, and unicast
	// events (seq 0) in arrival order.
	UpdateEvents
	// UpdateWaiting: the link is down; the next attempt, number Attempt, is
	// at RetryAt. Err says why the last one ended. Moving on to the next
	// URL of a round, RetryAt is now.
	UpdateWaiting
	// UpdateFailed: the session gave up for good; Err says why. The
	// channel is closed after it. When the show is over, rather than the
	// server refusing this client, errors.Is(Err, ErrShowEnded) holds: a
	// screen says "the show has ended" and keeps what the viewer has (the
	// cart, the chat) on show. A server that is restarting never ends a
	// session; it waits and dials again.
	UpdateFailed
)

func (k UpdateKind) String() string {
	switch k {
	case UpdateConnecting:
		return "connecting"
	case UpdateSnapshot:
		return "snapshot"
	case UpdateResumed:
		return "resumed"
	case UpdateEvents:
		return "events"
	case UpdateWaiting:
		return "waiting"
	case UpdateFailed:
		return "failed"
	}
	return fmt.Sprintf("UpdateKind(%d)", int(k))
}

// Update is one step of a session, for the UI to apply in order.
type Update struct {
	Kind    UpdateKind
	Welcome protocol.Welcome
	Seq     uint64
	Missed  bool
	Events  []protocol.Envelope
	Attempt int
	RetryAt time.Time
	Err     error
	// ShowTime, with UpdateSnapshot and UpdateResumed, is the show's clock
	// when it sent the welcome (zero when the server did not stamp it), so
	// a client can set its clock offset before any event arrives.
	ShowTime time.Time
	// URL, with UpdateConnecting, UpdateSnapshot and UpdateResumed, is the
	// show URL being dialled or connected to: one of SessionOptions.URLs or
	// an alternate a welcome named.
	URL string
}

// SessionOptions configure a Session. Zero values mean the defaults.
type SessionOptions struct {
	Options
	// URLs are the show's URLs, in the order to try them; Options.URL,
	// when set, comes first. Repeats are dropped, and only the first
	// MaxURLs kept. The session stays on a URL while it works, and moves
	// to the next when the connection drops or a dial fails, then to the
	// alternates the latest welcome named (see Session).
	URLs []string
	// PingPeriod is how often the session pings; a link silent for two
	// periods is dropped. Zero means protocol.PingPeriod.
	PingPeriod time.Duration
	// MinBackoff and MaxBackoff bound the random wait between attempts:
	// it may reach MinBackoff after the first failure, twice that after
	// the second, and so on up to MaxBackoff. Zero means 500ms and 30s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// StableAfter is how long a connection must last for the attempt count
	// to start again from one. Zero means 10s.
	StableAfter time.Duration
	// ServerBackoff is the least wait after the server said it is shedding
	// load (a close code whose DescribeClose says Backoff, or HTTP 503/429).
	// Zero means 5s.
	ServerBackoff time.Duration
	// Rand is the jitter source, returning values in [0,1); nil means
	// math/rand/v2.
	Rand func() float64
	// MaxBatch is how many events one UpdateEvents may gather from the
	// frames already queued, so a burst reaches the consumer as one
	// update. The consumer decides (the UI's bridge sets it); zero means
	// each frame is an update of its own.
	MaxBatch int
}

// Stats counts what a session repaired in the stream.
type Stats struct {
	Connections int // welcomes received
	Duplicates  int // show events dropped as already applied
	Gaps        int // times events were missing and the session resumed
}

// Session keeps a viewer connected to a show: it dials, reconnects with
// backoff when the link drops, resumes where it left off when the server
// can, and reports every step as an Update. One goroutine owns the loop.
//
// A show may be served at several URLs (edges) that share its epoch and
// seqs. The session stays on one while it works. When the connection
// drops or a dial fails, it moves at once to the next URL, round robin
// over the user's URLs and then the latest welcome's alternates, and
// resumes there; it backs off only once it has tried every URL since its
// last wait, a connection that lasted StableAfter starting the count
// afresh. A refusal that says not to come back (a ban, the show's end, a
// refused version) ends the session whichever URL sent it; one that is
// about the address (no show there) takes that URL off the list, and ends
// the session once no URL is left.
type Session struct {
	opts    Options
	batch   int // SessionOptions.MaxBatch
	ping    time.Duration
	policy  backoff
	log     *slog.Logger
	updates chan Update
	retry   chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{} // closed when the loop has returned

	mu   sync.Mutex
	conn *Conn // the live connection, nil while offline

	connections, duplicates, gaps atomic.Int64

	// Owned by the loop goroutine.
	edges     *edges // where to dial
	epoch     string // epoch of the show we mirror; empty before a welcome
	last      uint64 // seq of the last show event delivered
	connected bool   // a welcome has been received before
}

// StartSession starts connecting at once, in a goroutine of its own, and
// keeps going until ctx is done, Close is called or the server refuses for
// good.
func StartSession(ctx context.Context, opts SessionOptions) *Session {
	ctx, cancel := context.WithCancel(ctx)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Logger = log
	if opts.ClientID == "" {
		opts.ClientID = NewClientID()
	}
	s := &Session{
		opts:  opts.Options,
		batch: opts.MaxBatch,
		ping:  orDefault(opts.PingPeriod, protocol.PingPeriod),
		policy: backoff{
			min:         orDefault(opts.MinBackoff, defaultMinBackoff),
			max:         orDefault(opts.MaxBackoff, defaultMaxBackoff),
			serverFloor: orDefault(opts.ServerBackoff, defaultServerBackoff),
			stableAfter: orDefault(opts.StableAfter, defaultStableAfter),
			rand:        opts.Rand,
		},
		log:     log,
		edges:   newEdges(opts.URL, opts.URLs),
		updates: make(chan Update, updateQueue),
		retry:   make(chan struct{}, 1),
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
	}
	if s.policy.rand == nil {
		s.policy.rand = rand.Float64
	}
	go s.run()
	return s
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Updates delivers the session's updates in order. Nothing is dropped: a
// consumer that falls behind slows the session's reading of the socket. It
// is closed when the session ends.
func (s *Session) Updates() <-chan Update { return s.updates }

// Send queues a command on the live connection. It never blocks: with no
// connection up it returns ErrOffline, and ErrQueueFull when the writer is
// stuck.
func (s *Session) Send(typ protocol.Type, data any) error {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return ErrOffline
	}
	err := c.Send(typ, data)
	if errors.Is(err, ErrClosed) {
		return ErrOffline // the link just dropped; the loop will say so
	}
	return err
}

// Retry cuts the current wait short and dials now. It does nothing while a
// connection is up or a dial is in flight.
func (s *Session) Retry() {
	select {
	case s.retry <- struct{}{}:
	default:
	}
}

// Close ends the session: it closes the connection with a normal close,
// and returns once every goroutine of the session has ended. Updates is
// closed by then.
func (s *Session) Close() {
	s.cancel()
	<-s.done
}

// Stats returns what the session has repaired so far.
func (s *Session) Stats() Stats {
	return Stats{
		Connections: int(s.connections.Load()),
		Duplicates:  int(s.duplicates.Load()),
		Gaps:        int(s.gaps.Load()),
	}
}

// run is the reconnect loop, the only goroutine that dials.
func (s *Session) run() {
	defer close(s.done)
	defer close(s.updates)
	attempt := 1
	var r round
	for {
		url := s.edges.current()
		if !s.emit(Update{Kind: UpdateConnecting, Attempt: attempt, URL: url}) {
			return
		}
		var lasted time.Duration
		conn, err := dial(s.ctx, s.dialOptions(url), s.ping)
		if err == nil {
			start := time.Now()
			err = s.serve(conn, url)
			conn.Close()
			lasted = time.Since(start)
		}
		if s.ctx.Err() != nil {
			return
		}
		ask, final := judge(err)
		if final && refusedHere(err) {
			// No show at this address: the others may still have it.
			s.log.Warn("dropping a show URL", "url", url, "err", err)
			s.edges.refuse(url)
			final = false
		}
		next, ok := s.edges.advance()
		if final || !ok {
			s.log.Warn("giving up on the show", "err", err)
			s.emit(Update{Kind: UpdateFailed, Err: err})
			return
		}
		if s.policy.stable(lasted) {
			// The link worked: what failed before it is forgotten.
			attempt, r = 1, round{}
		}
		r.add(url, ask)
		var wait time.Duration
		if r.tried[next] {
			// Every URL has had its turn since the last wait.
			attempt, wait = s.policy.next(attempt, lasted, r.ask)
			r = round{}
		}
		retryAt := time.Now().Add(wait)
		s.log.Info("link down", "err", err, "url", url, "next_url", next, "next_attempt", attempt, "wait", wait)
		// A press of r while connected or dialing must not cut this wait.
		select {
		case <-s.retry:
		default:
		}
		if !s.emit(Update{Kind: UpdateWaiting, Attempt: attempt, RetryAt: retryAt, Err: err}) {
			return
		}
		if wait > 0 && !s.sleepUntil(retryAt) {
			return
		}
	}
}

// round is what the URLs tried since the session last waited said.
type round struct {
	tried map[string]bool
	ask   serverAsk // every server's ask, together
}

func (r *round) add(url string, ask serverAsk) {
	if r.tried == nil {
		r.tried = make(map[string]bool)
	}
	r.tried[url] = true
	r.ask = r.ask.and(ask)
}

// dialOptions returns the options for the next dial: after a welcome, a
// resume from the last event applied.
func (s *Session) dialOptions(url string) Options {
	o := s.opts
	o.URL = url
	if s.connected && s.epoch != "" {
		o.Resume = &protocol.Resume{Epoch: s.epoch, Seq: s.last}
	}
	return o
}

// sleepUntil waits for t, a Retry or the end of the session, and reports
// whether the session goes on.
func (s *Session) sleepUntil(t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-s.retry:
	case <-s.ctx.Done():
		return false
	}
	return true
}

// emit hands u to the consumer, waiting as long as it takes unless the
// session is closed first.
func (s *Session) emit(u Update) bool {
	select {
	case s.updates <- u:
		return true
	case <-s.ctx.Done():
		return false
	}
}

func (s *Session) setConn(c *Conn) {
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
}

// serve reports the welcome of c, dialled at url, and then its events
// until the connection ends, and returns why it ended (nil when the
// session is closing).
func (s *Session) serve(c *Conn, url string) error {
	s.setConn(c)
	defer s.setConn(nil)
	if err := s.welcome(c, url); err != nil {
		return err
	}
	for {
		var batch []protocol.Envelope
		select {
		case frame, ok := <-c.Events():
			if !ok {
				return connEnded(c)
			}
			batch, ok = s.accept(nil, frame)
			// Take whatever else is already waiting, as far as the
			// consumer asked, so a burst reaches it as one update.
			for ok && len(batch) < s.batch {
				var more bool
				select {
				case frame, more = <-c.Events():
				default:
				}
				if !more {
					break
				}
				batch, ok = s.accept(batch, frame)
			}
			if len(batch) > 0 && !s.emit(Update{Kind: UpdateEvents, Events: batch}) {
				return nil
			}
			if !ok {
				return errGap
			}
		case <-s.ctx.Done():
			return nil
		}
	}
}

// connEnded returns why c's event stream ended.
func connEnded(c *Conn) error {
	if err := c.Err(); err != nil {
		return err
	}
	return errors.New("connection closed")
}

// welcome reports c's welcome as a snapshot or a resume, takes the
// stream's position from it, and the show's other URLs.
func (s *Session) welcome(c *Conn, url string) error {
	w, seq := c.Welcome()
	if w.Resumed {
		// The server can only resume what we asked for; anything else
		// would splice two streams together. Forget the position so the
		// next connection starts from a snapshot.
		if !s.connected || w.Epoch != s.epoch || seq > s.last {
			err := fmt.Errorf("server resumed epoch %q after %d; asked for %q after %d", w.Epoch, seq, s.epoch, s.last)
			s.epoch = ""
			return err
		}
		s.connections.Add(1)
		s.edges.learn(url, s.alternates(w))
		s.log.Info("resumed", "url", url, "epoch", w.Epoch, "seq", s.last)
		if !s.emit(Update{Kind: UpdateResumed, Welcome: w, Seq: s.last, ShowTime: c.WelcomeTime(), URL: url}) {
			return s.ctx.Err()
		}
		return nil
	}
	missed := s.connected && (w.Epoch != s.epoch || seq != s.last)
	s.connected, s.epoch, s.last = true, w.Epoch, seq
	s.connections.Add(1)
	s.edges.learn(url, s.alternates(w))
	s.log.Info("joined with a snapshot", "url", url, "epoch", w.Epoch, "seq", seq, "missed", missed)
	if !s.emit(Update{Kind: UpdateSnapshot, Welcome: w, Seq: seq, Missed: missed, ShowTime: c.WelcomeTime(), URL: url}) {
		return s.ctx.Err()
	}
	return nil
}

// accept appends to batch the events of frame the consumer has not seen,
// in order. It returns false at a gap: the event after it is not delivered,
// since applying it would hide what was lost.
func (s *Session) accept(batch, frame []protocol.Envelope) ([]protocol.Envelope, bool) {
	for _, env := range frame {
		switch {
		case env.Seq == 0:
			batch = append(batch, env)
		case env.Seq <= s.last:
			s.duplicates.Add(1)
			s.log.Debug("dropped duplicate event", "seq", env.Seq, "last", s.last)
		case env.Seq == s.last+1:
			batch = append(batch, env)
			s.last = env.Seq
		default:
			n := s.gaps.Add(1)
			s.log.Warn("events missing, resuming", "last", s.last, "got", env.Seq, "gaps", n)
			return batch, false
		}
	}
	return batch, true
}

// judge says what the server asked for in err and whether it is final.
func judge(err error) (serverAsk, bool) {
	var de *DialError
	if errors.As(err, &de) {
		ask := serverAsk{retryIn: de.RetryIn}
		ask.backoff = de.Status == http.StatusServiceUnavailable || de.Status == http.StatusTooManyRequests
		if de.Close != 0 {
			ask.backoff = protocol.DescribeClose(de.Close).Backoff
		}
		return ask, !de.Retryable
	}
	var ce *CloseError
	if errors.As(err, &ce) {
		info := protocol.DescribeClose(ce.Code)
		return serverAsk{backoff: info.Backoff}, !info.Reconnect
	}
	return serverAsk{}, false
}

// refusedHere reports whether err is a refusal of the address rather than
// of the show or of this client: an upgrade refused for good (no show at
// this URL, a host name or origin the server does not take), or a URL that
// cannot be dialled. Another URL of the show may still serve it; a close
// code (a ban, a refused version) or the show's end may not.
func refusedHere(err error) bool {
	var de *DialError
	return errors.As(err, &de) && !de.Retryable && de.Close == 0 && de.Status != http.StatusGone
}

// NewClientID returns a random client ID: "k-" and 16 hex digits.
func NewClientID() string {
	var b [8]byte
	crand.Read(b[:])
	return "k-" + hex.EncodeToString(b[:])
}

// alternates are the welcome's alternates the session may follow: none for
// a session that carries a host token, which goes only to the URLs its
// user named, never to one a server suggested.
func (s *Session) alternates(w protocol.Welcome) []string {
	if s.opts.Token != "" {
		return nil
	}
	return w.UsableAlternates()
}
