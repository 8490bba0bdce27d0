package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// batchBytes is how far the write loop fills one frame with queued events
// before it writes: a client that fell behind catches up in a few large
// writes instead of many small ones. A frame stays well under
// protocol.MaxServerFrame: batchBytes plus one queued item (a batch or a
// replay chunk, each at most batchBytes unless it is a single larger event,
// or a unicast event), or one welcome.
const batchBytes = 64 << 10

// maxCloseReason is the most a close frame's reason may hold, in bytes: a
// control frame carries 125 bytes, two of them the code.
const maxCloseReason = 123

// newline separates the events of one frame.
var newline = []byte{'\n'}

// conn is one client's WebSocket. Its read loop runs on a goroutine of its
// own for as long as the connection lives. Its writer runs only while there
// is something to write: kick starts one when none runs, and it stops once
// the queue is empty, so an idle connection holds one goroutine, not two.
// The writer is the only goroutine that writes to the socket.
type conn struct {
	srv      *Server
	ws       *websocket.Conn
	remote   string
	checkout string // the welcome's checkout link template

	send     chan []byte   // frames for the writer; bounded, never closed
	pongs    chan string   // pongs owed to the peer's pings
	done     chan struct{} // closed by Server.endLocked: stop and close
	readDone chan struct{} // closed when the read loop has returned
	writing  atomic.Bool   // a writer runs, or has closed the socket for good
	pingDue  atomic.Bool   // the pinger asks for a ping

	// id and clientID are set by the read loop before the connection
	// joins and never change after; other goroutines only read them once
	// it has joined.
	id       protocol.Identity
	clientID string // the hello's client ID, or empty

	// Guarded by srv.mu.
	joined    bool   // receives show events
	joinedAs  uint64 // the how-manyth connection to join, for picking the newest
	slot      int    // index in the fan-out list while joined
	ended     bool
	closeCode int // sent by the write loop; 0 means no close frame
	closeText string
	flush     bool // the writer sends what is queued before closing

	bad    int      // malformed or unknown commands so far; read loop only
	limits throttle // read loop only
}

// ending says why a read loop stopped and how to close the connection.
type ending struct {
	code   int    // close code to send; 0 sends none
	reason string // close reason, for the peer and the log
	linger bool   // we close first: keep reading until the peer answers
	tell   bool   // send what is queued first: the errors that say why
	err    error  // the failure underneath, for the log
}

// serveWS upgrades the request and runs the connection until it ends.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	checkout := s.checkoutTemplate(r)
	// Room is kept for the "?ref=CLIENTID" a client ID adds.
	if len(checkout)+len("?ref=")+protocol.MaxIDBytes > protocol.MaxCheckoutURLBytes {
		http.Error(w, "Host header too long", http.StatusBadRequest)
		return
	}
	release, ok := s.admit(w, r)
	if !ok {
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// Upgrade has already answered the request.
		s.log.Info("websocket upgrade refused", "remote", r.RemoteAddr, "err", err)
		release()
		return
	}
	c := &conn{
		srv:      s,
		ws:       ws,
		remote:   r.RemoteAddr,
		checkout: checkout,
		send:     make(chan []byte, s.sendQueue),
		pongs:    make(chan string, 1),
		done:     make(chan struct{}),
		readDone: make(chan struct{}),
		limits:   s.newThrottle(),
	}
	registered := false
	s.locked(func() {
		if !s.closed {
			s.conns[c] = struct{}{}
			// The read loop, and the writer that closes the socket.
			s.wg.Add(2)
			s.startPingerLocked()
			registered = true
		}
	})
	if !registered {
		// Closed while upgrading; no write loop exists yet to say so.
		msg := websocket.FormatCloseMessage(protocol.CloseGoingAway, "the show server is shutting down")
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWait))
		_ = ws.Close()
		release()
		return
	}
	c.prepare()
	if e := c.greet(); e != nil {
		c.finish(*e)
		release()
		return
	}
	// The read loop gets a goroutine of its own so this handler can
	// return: net/http then frees the request, its buffers and its
	// goroutine's stack, grown by building the welcome, which an idle
	// connection would otherwise hold for as long as it stays open. The
	// place is held until the read loop is done with the socket; the
	// writer's last moments of closing are not counted.
	go func() {
		defer release()
		c.finish(c.readLoop())
	}()
}

// checkoutTemplate returns the checkout link template for a connection
// made with r.
func (s *Server) checkoutTemplate(r *http.Request) string {
	base := s.publicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/cart/" + protocol.CheckoutPlaceholder
}

// prepare sets the socket up for reading.
func (c *conn) prepare() {
	c.ws.SetReadLimit(protocol.MaxClientFrame)
	c.ws.SetPingHandler(c.onPing)
	c.ws.SetPongHandler(c.onPong)
	// gorilla's default answers a close frame from the reading goroutine;
	// the writer answers instead (see readEnding), so it stays the only
	// one that writes.
	c.ws.SetCloseHandler(func(int, string) error { return nil })
}

// finish ends c for the reason e once reading has stopped.
func (c *conn) finish(e ending) {
	defer c.srv.wg.Done()
	defer close(c.readDone)
	if e.tell {
		c.srv.locked(func() { c.flush = true })
	}
	code, reason := c.srv.end(c, e.code, e.reason)
	c.srv.log.Info("disconnected", "id", c.id.ID, "name", c.id.Name, "remote", c.remote,
		"code", code, "reason", reason, "err", e.err)
	if e.linger {
		c.linger()
	}
}

// greet reads the client's hello and joins it to the show, then applies
// any commands that came with the hello. It returns why c cannot go on.
func (c *conn) greet() *ending {
	hello, rest, e := c.readHello()
	if e != nil {
		return e
	}
	host, e := c.srv.hostRole(c.remote, hello.Token)
	if e != nil {
		return e
	}
	c.id = c.srv.identify(hello, host)
	c.clientID = hello.ClientID
	if e := c.srv.join(c, hello.Resume); e != nil {
		return e
	}
	c.srv.log.Info("joined", "id", c.id.ID, "name", c.id.Name, "role", c.id.Role, "remote", c.remote)
	return c.handle(rest)
}

// readLoop applies the client's commands until the connection ends, and
// returns why.
func (c *conn) readLoop() ending {
	for {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.pongWait()))
		typ, frame, err := c.ws.ReadMessage()
		if err != nil {
			return c.readEnding(err)
		}
		if typ != websocket.TextMessage {
			// A binary frame is a command the client got wrong, and one
			// more command for its rate.
			drop, e := c.throttle("")
			if e == nil && !drop {
				e = c.refuse(newError(protocol.ErrCodeBadRequest, "binary frames are not accepted"))
			}
			if e != nil {
				return *e
			}
			continue
		}
		if !utf8.Valid(frame) {
			return invalidUTF8
		}
		envs, err := protocol.DecodeFrame(frame)
		// Commands before a garbled line still count; the garbled line is
		// one bad command.
		if e := c.handle(envs); e != nil {
			return *e
		}
		if err != nil {
			if e := c.refuse(newError(protocol.ErrCodeBadRequest, err.Error())); e != nil {
				return *e
			}
		}
	}
}

// readHello reads the first frame, which must be a valid hello, and returns
// it with any commands that came after it in the same frame.
func (c *conn) readHello() (protocol.Hello, []protocol.Envelope, *ending) {
	refuse := func(reason string, err error) (protocol.Hello, []protocol.Envelope, *ending) {
		return protocol.Hello{}, nil, &ending{code: protocol.CloseBadHello, reason: reason, linger: true, err: err}
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(protocol.HelloWait))
	typ, frame, err := c.ws.ReadMessage()
	if err != nil {
		if isTimeout(err) {
			return refuse(fmt.Sprintf("no hello within %s", protocol.HelloWait), err)
		}
		e := c.readEnding(err)
		return protocol.Hello{}, nil, &e
	}
	if typ != websocket.TextMessage {
		return refuse("hello must be a text frame", nil)
	}
	if !utf8.Valid(frame) {
		e := invalidUTF8
		return protocol.Hello{}, nil, &e
	}
	envs, err := protocol.DecodeFrame(frame)
	if err != nil {
		return refuse("first frame is not JSON: "+err.Error(), err)
	}
	if envs[0].Type != protocol.TypeHello {
		return refuse("first frame must be hello", nil)
	}
	// Decoded by hand rather than with protocol.Decode so the version can
	// be checked before the rest: it has a close code of its own.
	var h protocol.Hello
	if len(envs[0].Data) == 0 {
		return refuse("hello has no data", nil)
	}
	if err := json.Unmarshal(envs[0].Data, &h); err != nil {
		return refuse("malformed hello: "+err.Error(), err)
	}
	if h.Version != protocol.Version {
		return protocol.Hello{}, nil, &ending{
			code:   protocol.CloseUnsupportedVersion,
			reason: fmt.Sprintf("this server speaks protocol version %d, not %d", protocol.Version, h.Version),
			linger: true,
		}
	}
	if err := h.Validate(); err != nil {
		return refuse("invalid hello: "+err.Error(), err)
	}
	return h, envs[1:], nil
}

// invalidUTF8 ends a connection that sent a text frame that is not UTF-8,
// as RFC 6455 asks; gorilla does not check.
var invalidUTF8 = ending{code: protocol.CloseInvalidData, reason: "text frame is not valid UTF-8", linger: true}

// pongWait is how long a connection may stay silent: two ping periods.
func (s *Server) pongWait() time.Duration { return 2 * s.pingPeriod }

// readEnding says how to close after the read loop failed with err.
func (c *conn) readEnding(err error) ending {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		if ce.Code == websocket.CloseAbnormalClosure {
			return ending{reason: "connection lost", err: err}
		}
		// The peer closed: the write loop echoes its code, as RFC 6455 asks.
		return ending{code: ce.Code, reason: "closed by the client"}
	case errors.Is(err, websocket.ErrReadLimit):
		// gorilla has already sent CloseTooBig itself; our own close frame
		// then fails harmlessly, and lingering keeps either from being lost
		// to a reset caused by the unread rest of the frame.
		return ending{code: protocol.CloseTooBig, reason: fmt.Sprintf("frame larger than %d bytes", protocol.MaxClientFrame), linger: true}
	case isTimeout(err):
		return ending{code: protocol.CloseHeartbeat, reason: fmt.Sprintf("nothing heard for %s", c.srv.pongWait()), linger: true, err: err}
	default:
		return ending{reason: "connection lost", err: err}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// closeReason fits reason into a close frame: valid UTF-8 (the peer refuses
// a close frame otherwise), cut on a rune boundary.
func closeReason(reason string) string {
	reason = strings.ToValidUTF8(reason, "?")
	for len(reason) > maxCloseReason {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-size]
	}
	return reason
}

func (c *conn) onPing(data string) error {
	_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.pongWait()))
	// One pong owed is enough: if the write loop is behind, the peer's next
	// ping asks again.
	select {
	case c.pongs <- data:
	default:
	}
	c.kick()
	return nil
}

func (c *conn) onPong(string) error {
	return c.ws.SetReadDeadline(time.Now().Add(c.srv.pongWait()))
}

// linger reads and discards what the peer still sends until it closes or
// closeWait passes. Closing a socket with unread input makes the kernel send
// a reset, which can destroy our close frame before the peer has read it.
func (c *conn) linger() {
	nc := c.ws.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(closeWait))
	_, _ = io.Copy(io.Discard, nc)
}

// kick makes sure a writer runs when c has something to write. At most one
// runs at a time; call it after queueing anything for c.
func (c *conn) kick() {
	if c.writing.CompareAndSwap(false, true) {
		go c.writeLoop()
	}
}

// writeLoop writes what is owed until nothing is, then stops; once c has
// ended it closes the socket and never lets another writer start.
func (c *conn) writeLoop() {
	for {
		// An ended connection sends nothing more, even with frames queued
		// (an evicted client's queue is full by definition), unless it was
		// ended to be told why.
		select {
		case <-c.done:
			c.drain()
			c.shut()
			c.srv.wg.Done()
			return
		default:
		}
		wrote, err := c.writeNext()
		if err != nil {
			c.srv.end(c, 0, "write failed: "+err.Error())
			continue
		}
		if wrote {
			continue
		}
		c.writing.Store(false)
		// Whatever was queued after writeNext looked, and before the store
		// above, was kicked while this writer still counted as running.
		if !c.owed() || !c.writing.CompareAndSwap(false, true) {
			return
		}
	}
}

// writeNext writes one owed thing, pongs and pings before events, and
// reports whether there was any.
func (c *conn) writeNext() (bool, error) {
	select {
	case data := <-c.pongs:
		return true, c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(protocol.WriteWait))
	default:
	}
	if c.pingDue.Swap(false) {
		return true, c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(protocol.WriteWait))
	}
	select {
	case frame := <-c.send:
		return true, c.write(frame)
	default:
		return false, nil
	}
}

// owed reports whether c has anything for a writer to do.
func (c *conn) owed() bool {
	if len(c.send) > 0 || len(c.pongs) > 0 || c.pingDue.Load() {
		return true
	}
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// write sends first and whatever else is queued, up to batchBytes, as one
// frame of newline-separated events.
func (c *conn) write(first []byte) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(protocol.WriteWait))
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return fmt.Errorf("start frame: %w", err)
	}
	size, err := w.Write(first)
	for err == nil && size < batchBytes {
		var next []byte
		select {
		case next = <-c.send:
		default:
		}
		if next == nil {
			break
		}
		var n int
		if _, err = w.Write(newline); err == nil {
			n, err = w.Write(next)
			size += 1 + n
		}
	}
	if err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	return nil
}

// drain sends what is still queued when the connection was ended with
// flush set: a banned viewer reads why before the close frame. Each write
// is bounded by protocol.WriteWait, and the queue by Config.SendQueue.
func (c *conn) drain() {
	if !c.flush {
		return
	}
	for {
		select {
		case frame := <-c.send:
			if c.write(frame) != nil {
				return
			}
		default:
			return
		}
	}
}

// shut closes the socket for good: with the close frame endLocked chose, if
// any, then after the peer's answer or closeWait, whichever comes first.
func (c *conn) shut() {
	if c.closeCode != 0 {
		msg := websocket.FormatCloseMessage(c.closeCode, c.closeText)
		_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWait))
		wait := time.NewTimer(closeWait)
		select {
		case <-c.readDone:
		case <-wait.C:
		}
		wait.Stop()
	}
	_ = c.ws.Close()
}
