// Package client connects to a livecart show over WebSocket. A Conn owns one
// socket with exactly one reader and one writer goroutine; the UI, the host
// dashboard and the simulated audience all use it, so none of them has a
// back door into the server. A Session keeps a viewer connected across
// drops: it redials with backoff, resumes the event stream where it broke
// off, and reports each step as an Update.
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// sendQueue is how many commands may wait for the writer. Commands are
// small and rare (a chat line, a cart signal); a full queue means the link
// is stuck, and the caller is told rather than blocked.
const sendQueue = 64

// eventQueue is how many decoded frames may wait for the consumer before the
// reader stops reading; the server then sees a slow consumer.
const eventQueue = 1024

// closeWait bounds the closing handshake: how long Close waits for the
// server to answer our close frame before it closes the socket anyway.
const closeWait = time.Second

// ErrQueueFull is returned by Send when the writer cannot keep up.
var ErrQueueFull = errors.New("send queue full")

// ErrClosed is returned by Send after the connection has ended.
var ErrClosed = errors.New("connection closed")

// ErrShowEnded matches, with errors.Is, the error of a connection or a dial
// that ended because the show is over (close code protocol.CloseShowEnded,
// or HTTP 410 Gone from an ended show), as against a server that is
// restarting. Nothing is coming back: a session gives up with it, in an
// UpdateFailed.
var ErrShowEnded = errors.New("the show has ended")

// Options say where to connect and as whom.
type Options struct {
	URL   string // ws:// or wss:// URL of the show's /ws endpoint
	Name  string // display name asked for; the server may adjust it
	Token string // host token; empty for viewers
	// HandshakeTimeout bounds the dial, upgrade and welcome together.
	// Zero means 10 seconds.
	HandshakeTimeout time.Duration
	Logger           *slog.Logger
	// Resume asks the show to carry on after an event an earlier
	// connection applied; nil asks for a full snapshot. Its Epoch must not
	// be empty. The welcome's Resumed field says whether the server could.
	Resume *protocol.Resume
	// ClientID names this client across reconnects, so orders placed from
	// its checkout links come back to it. A session makes one when empty.
	ClientID string
}

// Conn is a live connection to a show.
type Conn struct {
	ws        *websocket.Conn
	log       *slog.Logger
	welcome   protocol.Welcome
	seq       uint64
	welcomeAt time.Time // the show's clock when it sent the welcome

	pingPeriod time.Duration // how often the writer pings
	pongWait   time.Duration // silence after which the link is given up: two periods

	events chan []protocol.Envelope
	send   chan []byte

	done      chan struct{} // closed when the connection has ended
	closeOnce sync.Once
	quit      chan struct{} // closed by Close to ask the writer to say goodbye
	quitOnce  sync.Once
	readDone  chan struct{} // closed when the reader has returned
	wg        sync.WaitGroup

	mu  sync.Mutex
	err error // why the connection ended
}

// DialError is returned when a connection could not be set up. It says
// whether trying again later can help.
type DialError struct {
	URL       string
	Err       error
	Status    int           // HTTP status of a refused upgrade, or 0
	Close     int           // close code sent before the welcome, or 0
	Retryable bool          // a later attempt may succeed
	RetryIn   time.Duration // server asked to wait this long (Retry-After)
}

func (e *DialError) Error() string { return fmt.Sprintf("connect to %s: %v", e.URL, e.Err) }
func (e *DialError) Unwrap() error { return e.Err }

// Is reports whether the refusal said the show has ended (ErrShowEnded).
func (e *DialError) Is(target error) bool {
	return target == ErrShowEnded && (e.Close == protocol.CloseShowEnded || e.Status == http.StatusGone)
}

// CheckURL reports whether raw is a show URL livecart can dial.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("show URL %q: %w", raw, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return fmt.Errorf("show URL %q: scheme must be ws or wss", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("show URL %q: no host", raw)
	}
	return nil
}

// Dial connects, greets the show and waits for its welcome. The connection
// pings every protocol.PingPeriod and gives up after two silent periods.
func Dial(ctx context.Context, opts Options) (*Conn, error) {
	return dial(ctx, opts, protocol.PingPeriod)
}

// dial is Dial with the heartbeat period as a parameter: a Session tunes it,
// and tests use a short one so a dead link is noticed quickly.
func dial(ctx context.Context, opts Options, pingPeriod time.Duration) (*Conn, error) {
	if err := CheckURL(opts.URL); err != nil {
		return nil, &DialError{URL: opts.URL, Err: err}
	}
	timeout := opts.HandshakeTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}

	dialer := websocket.Dialer{
		HandshakeTimeout:  timeout,
		EnableCompression: false,
		Proxy:             http.ProxyFromEnvironment,
	}
	ws, resp, err := dialer.DialContext(ctx, opts.URL, nil)
	if err != nil {
		return nil, dialError(opts.URL, resp, err)
	}
	ws.SetReadLimit(protocol.MaxServerFrame)

	hello, err := protocol.Encode(protocol.TypeHello, 0, time.Time{}, protocol.Hello{
		Version: protocol.Version, Name: opts.Name, Token: opts.Token, Resume: opts.Resume, ClientID: opts.ClientID,
	})
	if err != nil {
		ws.Close()
		return nil, &DialError{URL: opts.URL, Err: err}
	}
	deadline, _ := ctx.Deadline()
	ws.SetWriteDeadline(deadline)
	if err := ws.WriteMessage(websocket.TextMessage, hello); err != nil {
		ws.Close()
		return nil, &DialError{URL: opts.URL, Err: fmt.Errorf("send hello: %w", err), Retryable: true}
	}

	ws.SetReadDeadline(deadline)
	// A read does not watch ctx: wake it when ctx ends, so cancelling a
	// dial takes effect at once rather than at the handshake timeout.
	wake := context.AfterFunc(ctx, func() { ws.SetReadDeadline(time.Now()) })
	we, rest, err := readWelcome(ws)
	if !wake() {
		// ctx ended during the wait: that is the reason, whatever the read
		// says, and the deadline set to wake it must not reach a Conn.
		err = fmt.Errorf("wait for welcome: %w", ctx.Err())
	}
	if err != nil {
		ws.Close()
		de := &DialError{URL: opts.URL, Err: err, Retryable: true}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			de.Close = ce.Code
			info := protocol.DescribeClose(ce.Code)
			de.Retryable = info.Reconnect
			de.Err = fmt.Errorf("%s (%d)", info.Reason, ce.Code)
		}
		return nil, de
	}
	ws.SetWriteDeadline(time.Time{})

	c := &Conn{
		ws:         ws,
		log:        logger,
		welcome:    we.welcome,
		seq:        we.seq,
		welcomeAt:  we.at,
		pingPeriod: pingPeriod,
		pongWait:   2 * pingPeriod,
		events:     make(chan []protocol.Envelope, eventQueue),
		send:       make(chan []byte, sendQueue),
		done:       make(chan struct{}),
		quit:       make(chan struct{}),
		readDone:   make(chan struct{}),
	}
	if len(rest) > 0 {
		c.events <- rest
	}
	ws.SetPongHandler(c.heard)
	ws.SetPingHandler(c.onPing)
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	return c, nil
}

// readWelcome reads until the welcome arrives. Events in the same frame after
// the welcome are returned so they are not lost.
func readWelcome(ws *websocket.Conn) (welcomeEnvelope, []protocol.Envelope, error) {
	for {
		_, frame, err := ws.ReadMessage()
		if err != nil {
			return welcomeEnvelope{}, nil, fmt.Errorf("wait for welcome: %w", err)
		}
		envs, err := protocol.DecodeFrame(frame)
		if err != nil {
			return welcomeEnvelope{}, nil, fmt.Errorf("wait for welcome: %w", err)
		}
		for i, env := range envs {
			switch env.Type {
			case protocol.TypeWelcome:
				w, err := protocol.Decode[protocol.Welcome](env)
				if err != nil {
					return welcomeEnvelope{}, nil, fmt.Errorf("server sent a bad welcome: %w", err)
				}
				return welcomeEnvelope{welcome: w, seq: env.Seq, at: env.TS}, envs[i+1:], nil
			case protocol.TypeError:
				e, err := protocol.Decode[protocol.Error](env)
				if err == nil {
					return welcomeEnvelope{}, nil, fmt.Errorf("server refused: %s", e.Message)
				}
			}
		}
	}
}

// welcomeEnvelope is the welcome with what its envelope says: the seq the
// show is at and the show's clock when it was sent (zero when unstamped).
type welcomeEnvelope struct {
	welcome protocol.Welcome
	seq     uint64
	at      time.Time
}

func dialError(u string, resp *http.Response, err error) *DialError {
	de := &DialError{URL: u, Err: err, Retryable: true}
	if resp != nil {
		de.Status = resp.StatusCode
		if s := resp.Header.Get("Retry-After"); s != "" {
			if d, perr := time.ParseDuration(s + "s"); perr == nil && d >= 0 && d <= time.Hour {
				de.RetryIn = d
			}
		}
		switch {
		case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests:
			de.Err = fmt.Errorf("server busy (HTTP %d)", resp.StatusCode)
		case resp.StatusCode == http.StatusGone:
			de.Err = ErrShowEnded
			de.Retryable = false
		case resp.StatusCode == http.StatusNotFound:
			de.Err = errors.New("no show at this address (HTTP 404)")
			de.Retryable = false
		case resp.StatusCode == http.StatusForbidden:
			de.Err = errors.New("refused by the server (HTTP 403)")
			de.Retryable = false
		case resp.StatusCode == http.StatusMisdirectedRequest:
			// Asking again under the same name cannot help; the server's
			// operator has to add the name to its allowed hosts.
			de.Err = errors.New("the server does not answer to this host name (HTTP 421); it has to be started with it in --allowed-hosts")
			de.Retryable = false
		default:
			de.Err = fmt.Errorf("not a livecart show (HTTP %d)", resp.StatusCode)
		}
		return de
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		de.Err = opErr.Err
		if opErr.Op == "dial" {
			de.Err = fmt.Errorf("cannot reach server: %w", opErr.Err)
		}
	}
	return de
}

// Welcome is the snapshot the show sent on connect, and the seq it is at.
func (c *Conn) Welcome() (protocol.Welcome, uint64) { return c.welcome, c.seq }

// WelcomeTime is the show's clock when it sent the welcome, from the
// welcome's stamp; zero when the server did not stamp it. A client whose
// first event is the welcome sets its clock offset from it, so a deal's
// countdown is right before any other event arrives.
func (c *Conn) WelcomeTime() time.Time { return c.welcomeAt }

// Events delivers the server's events, one slice per frame, in order. It is
// closed when the connection ends; Err then says why.
func (c *Conn) Events() <-chan []protocol.Envelope { return c.events }

// Done is closed when the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err says why the connection ended; nil while it is up or after Close.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Send queues a command for the writer. It never blocks: a full queue or a
// closed connection is an error the caller can show.
func (c *Conn) Send(typ protocol.Type, data any) error {
	frame, err := protocol.Encode(typ, 0, time.Time{}, data)
	if err != nil {
		return err
	}
	select {
	case <-c.done:
		return ErrClosed
	default:
	}
	select {
	case c.send <- frame:
		return nil
	case <-c.done:
		return ErrClosed
	default:
		return ErrQueueFull
	}
}

// Close says goodbye to the server and waits for both goroutines to end.
func (c *Conn) Close() error {
	c.quitOnce.Do(func() { close(c.quit) })
	c.wg.Wait()
	return nil
}

// end records why the connection ended (the first reason wins) and closes
// the socket so the other goroutine wakes up.
func (c *Conn) end(err error) {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
		c.ws.Close()
	})
}

// heard pushes the read deadline back: the server has shown a sign of life.
func (c *Conn) heard(string) error {
	return c.ws.SetReadDeadline(time.Now().Add(c.pongWait))
}

// onPing counts the server's ping as a sign of life and answers it, as
// gorilla's default handler would.
func (c *Conn) onPing(data string) error {
	_ = c.heard(data)
	err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(protocol.WriteWait))
	if err == nil || errors.Is(err, websocket.ErrCloseSent) {
		return nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil // the server pings again; a missed pong is not fatal
	}
	return err
}

func (c *Conn) readLoop() {
	defer c.wg.Done()
	defer close(c.readDone)
	defer close(c.events)
	for {
		// The deadline starts when we are ready to read, not when the last
		// frame arrived: time spent waiting for a slow consumer is not
		// silence from the server.
		_ = c.heard("")
		_, frame, err := c.ws.ReadMessage()
		if err != nil {
			select {
			case <-c.quit:
				c.end(nil) // the answer to our own close
			default:
				c.end(readError(err))
			}
			return
		}
		envs, err := protocol.DecodeFrame(frame)
		if err != nil {
			// One garbled frame is the server's bug, not a reason to drop
			// the show; keep whatever decoded before the damage.
			c.log.Warn("bad frame from server", "err", err)
			if len(envs) == 0 {
				continue
			}
		}
		select {
		case c.events <- envs:
		case <-c.done:
			return
		}
	}
}

// readError turns a read failure into the reason shown to the user.
func readError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: ce.Code, Text: ce.Text}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &CloseError{Code: protocol.CloseHeartbeat, Text: "no sign of life from the server"}
	}
	if errors.Is(err, net.ErrClosed) {
		return nil // we closed it
	}
	return fmt.Errorf("connection lost: %w", err)
}

// CloseError is the server's reason for ending the connection.
type CloseError struct {
	Code int
	Text string
}

// Is reports whether the server closed because the show has ended
// (ErrShowEnded).
func (e *CloseError) Is(target error) bool {
	return target == ErrShowEnded && e.Code == protocol.CloseShowEnded
}

func (e *CloseError) Error() string {
	info := protocol.DescribeClose(e.Code)
	if e.Text != "" && e.Text != info.Reason {
		return fmt.Sprintf("%s: %s", info.Reason, e.Text)
	}
	return info.Reason
}

func (c *Conn) writeLoop() {
	defer c.wg.Done()
	ping := time.NewTicker(c.pingPeriod)
	defer ping.Stop()
	for {
		select {
		case frame := <-c.send:
			c.ws.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
				c.end(fmt.Errorf("connection lost: %w", err))
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(protocol.WriteWait)); err != nil {
				c.end(fmt.Errorf("connection lost: %w", err))
				return
			}
		case <-c.quit:
			msg := websocket.FormatCloseMessage(protocol.CloseNormal, "bye")
			if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWait)); err == nil {
				// The server answers our close and then closes; the reader
				// returns on that answer. Closing before it arrives would
				// make our kernel reset a socket with the answer in
				// flight, and the server see an error instead of a goodbye.
				wait := time.NewTimer(closeWait)
				select {
				case <-c.readDone:
				case <-wait.C:
				}
				wait.Stop()
			}
			c.end(nil)
			return
		case <-c.done:
			return
		}
	}
}
