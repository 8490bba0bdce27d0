package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
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

// conn is one client's WebSocket: its socket, its bounded send queue and
// its writer. Its read loop (Server.readLoop, which applies the client's
// commands to the show) runs on a goroutine of its own for as long as the
// connection lives. Show batches are written by the flusher itself while
// the socket takes them (see direct.go); everything else (welcomes,
// replies, pings and pongs, a batch that did not fit, the close) by a
// writer, started by a kick when none runs and ended once nothing is owed,
// so an idle connection, or one that keeps up, holds one goroutine, not
// two. One goroutine at a time writes to the socket: whoever set writing.
// The hub owns the set of connections and ends them; a conn knows only its
// hub.
type conn struct {
	hub      *hub
	ws       *websocket.Conn
	raw      syscall.RawConn // ws's socket for writeNow; nil to always use a writer
	remote   string
	reached  string // the Host the client reached this server by, as the host rule admitted it
	checkout string // the welcome's checkout link template

	send     chan []byte   // frames for the writer; bounded, never closed
	pongs    chan string   // pongs owed to the peer's pings
	done     chan struct{} // closed by hub.endLocked: stop and close
	readDone chan struct{} // closed when the read loop has returned
	writing  atomic.Bool   // the socket is being written to, or has been closed for good
	pingDue  atomic.Bool   // the pinger asks for a ping

	// The heartbeat's clock readings (hub.clock): the last write, the last
	// frame heard from the peer, the last ping asked for. pingAfter is the
	// silence, either way, after which the pinger pings, fixed at newConn
	// between pingAfterMin and pingAfterMax periods so that pings spread.
	lastWrite atomic.Int64
	lastHeard atomic.Int64
	lastPing  atomic.Int64
	pingAfter int64

	// id and clientID are set by the read loop before the connection
	// joins and never change after; other goroutines only read them once
	// it has joined.
	id       protocol.Identity
	clientID string // the hello's client ID, or empty

	// Guarded by hub.mu.
	joined    bool   // receives show events
	joinedAs  uint64 // the how-manyth connection to join, for picking the newest
	slot      int    // index in the fan-out list while joined
	ended     bool
	closeCode int // sent by the write loop; 0 means no close frame
	closeText string
	flush     bool // the writer sends what is queued before closing

	// The writer's alone (handed from one writer to the next, and from
	// writeNow to the writer it starts, through writing): the socket's
	// write deadline, when the last write began, and what writeNow left of
	// a batch (restPartial: some of it went, so the rest must follow
	// before anything else, the close frame included).
	deadline    time.Time
	wroteAt     time.Time
	rest        []byte
	restPartial bool
	// broken: writing the rest of a frame failed, so the stream may end in
	// half a frame; nothing more is written to it, not even a close frame.
	broken bool

	// The read loop's alone.
	bad    int // malformed or unknown commands so far
	limits throttle

	// far is set for a viewer whose socket is on another process: on an
	// owner, one on an edge; on an edge, its side of the owner's (see
	// remote.go and relay.go).
	far *farSide
}

// newConn returns a connection of h's for ws (nil in tests and
// benchmarks, which read its queue themselves), with a send queue of the
// hub's size; h.register makes it count.
func newConn(h *hub, ws *websocket.Conn, remote string) *conn {
	c := &conn{
		hub:       h,
		ws:        ws,
		raw:       rawSocket(ws),
		remote:    remote,
		send:      make(chan []byte, h.sendQueue),
		pongs:     make(chan string, 1),
		done:      make(chan struct{}),
		readDone:  make(chan struct{}),
		pingAfter: h.pingAfter(),
	}
	now := h.clock()
	c.lastWrite.Store(now)
	c.lastHeard.Store(now)
	return c
}

// ending says why a read loop stopped and how to close the connection.
type ending struct {
	code   int    // close code to send; 0 sends none
	reason string // close reason, for the peer and the log
	linger bool   // we close first: keep reading until the peer answers
	tell   bool   // send what is queued first: the errors that say why
	err    error  // the failure underneath, for the log
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
	defer c.hub.wg.Done()
	defer close(c.readDone)
	if e.tell {
		// An ended connection's writer may be reading flush already.
		c.hub.locked(func() {
			if !c.ended {
				c.flush = true
			}
		})
	}
	code, reason := c.hub.end(c, e.code, e.reason)
	c.hub.log.Info("disconnected", "id", c.id.ID, "name", c.id.Name, "remote", c.remote,
		"code", code, "reason", reason, "err", e.err)
	if e.linger {
		c.linger()
	}
}

// read reads the next frame, allowing the peer pongWait to send it.
func (c *conn) read() (int, []byte, error) {
	c.heard()
	return c.ws.ReadMessage()
}

// heard notes that the peer has shown a sign of life (a frame, a ping, a
// pong), or that the read loop is ready for the next one, and gives it
// pongWait from now.
func (c *conn) heard() error {
	now := time.Now()
	c.lastHeard.Store(c.hub.clockAt(now))
	return c.ws.SetReadDeadline(now.Add(c.hub.pongWait()))
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
		return ending{code: protocol.CloseHeartbeat, reason: fmt.Sprintf("nothing heard for %s", c.hub.pongWait()), linger: true, err: err}
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
	_ = c.heard()
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
	return c.heard()
}

// linger reads and discards what the peer still sends until it closes or
// closeWait passes. Closing a socket with unread input makes the kernel send
// a reset, which can destroy our close frame before the peer has read it.
func (c *conn) linger() {
	nc := c.ws.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(closeWait))
	_, _ = io.Copy(io.Discard, nc)
}

// kick makes sure a writer runs when c has something to write: it starts
// one unless the socket is being written to already, and whoever writes to
// it (a writer, or writeNow) looks at the queue again before it stops. At
// most one writer runs at a time; call kick after queueing anything for c.
func (c *conn) kick() {
	if c.writing.CompareAndSwap(false, true) {
		c.startWriter()
	}
}

// startWriter starts a writer; call it having set writing.
func (c *conn) startWriter() {
	c.hub.writers.Add(1)
	go c.writeLoop()
}

// release gives up writing, and starts a writer when something was queued
// meanwhile: it was kicked while the socket still counted as being written
// to.
func (c *conn) release() {
	c.writing.Store(false)
	if c.owed() && c.writing.CompareAndSwap(false, true) {
		c.startWriter()
	}
}

// writeLoop writes what is owed, and ends once nothing is, or, once c has
// ended, after closing the socket, and then never lets another writer
// start.
func (c *conn) writeLoop() {
	for {
		// An ended connection sends nothing more, even with frames queued
		// (an evicted client's queue is full by definition), unless it was
		// ended to be told why; half a frame is finished, though, or the
		// close frame would be garbled.
		select {
		case <-c.done:
			c.finishRest()
			if !c.broken {
				c.drain()
			}
			c.shut()
			c.hub.wg.Done()
			return
		default:
		}
		if err := c.writeOwed(); err != nil {
			c.hub.end(c, 0, "write failed: "+err.Error())
			continue
		}
		c.clearDeadline()
		c.writing.Store(false)
		// Whatever was queued after writeOwed looked, and before the store
		// above, was kicked while this writer still counted as running.
		if !c.owed() || !c.writing.CompareAndSwap(false, true) {
			return
		}
	}
}

// finishRest writes what writeNow left of a batch to an ended connection:
// all of it when c is to be told why it ended, else only the rest of a
// frame already begun, within closeWait. Should that fail, c is broken.
func (c *conn) finishRest() {
	if c.rest == nil {
		return
	}
	if !c.flush && !c.restPartial {
		c.rest = nil
		return
	}
	c.deadline = time.Now().Add(closeWait)
	_ = c.writeRest()
}

// writeOwed writes until nothing is owed: pongs and a due ping before
// events, and events joined into frames (see write).
func (c *conn) writeOwed() error {
	wrote := false
	if c.rest != nil {
		c.writeDeadline()
		if err := c.writeRest(); err != nil {
			return err
		}
		wrote = true
	}
	for {
		var err error
		// Pings and pongs go through WriteMessage, like events: from the
		// one writer, WriteControl's own deadline timer and buffer are not
		// needed.
		select {
		case data := <-c.pongs:
			c.writeDeadline()
			err = c.ws.WriteMessage(websocket.PongMessage, []byte(data))
		default:
			if c.pingDue.Swap(false) {
				c.writeDeadline()
				err = c.ws.WriteMessage(websocket.PingMessage, nil)
				break
			}
			select {
			case frame := <-c.send:
				c.writeDeadline()
				err = c.write(frame)
			default:
				if wrote {
					c.lastWrite.Store(c.hub.clockAt(c.wroteAt))
				}
				return nil
			}
		}
		if err != nil {
			return err
		}
		wrote = true
	}
}

// writeDeadline sets the write deadline for a write about to begin. A new
// one, protocol.WriteWait away, is set only once the current one is less
// than half of that away, or was cleared: setting a socket's deadline
// resets a timer in the runtime, and gorilla sets it again before every
// frame, with the value given here, which deadlineConn lets through only
// when it changed. So a write has between half of WriteWait and all of it.
func (c *conn) writeDeadline() {
	now := time.Now()
	c.wroteAt = now
	if c.deadline.Sub(now) < c.hub.writeWait/2 {
		c.deadline = now.Add(c.hub.writeWait)
		_ = c.ws.SetWriteDeadline(c.deadline)
	}
}

// clearDeadline takes the write deadline off the socket as a writer stops:
// writeNow's writes never wait, and a deadline that has passed would make
// the socket refuse them.
func (c *conn) clearDeadline() {
	if c.deadline.IsZero() {
		return
	}
	c.deadline = time.Time{}
	_ = c.ws.NetConn().SetWriteDeadline(time.Time{})
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
// frame of newline-separated events. The caller has set the deadline.
func (c *conn) write(first []byte) error {
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
			c.writeDeadline()
			if c.write(frame) != nil {
				return
			}
		default:
			return
		}
	}
}

// shut closes the socket for good: with the close frame endLocked chose, if
// any and the stream is whole, then after the peer's answer or closeWait,
// whichever comes first.
func (c *conn) shut() {
	if c.closeCode != 0 && !c.broken {
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
