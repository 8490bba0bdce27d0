package server

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// serveWS admits and upgrades the request, hands the connection to the
// hub, greets it, and runs its read loop until it ends.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	checkout := s.checkoutTemplate(r)
	// Room is kept for the ref a client ID adds and the seen total.
	if len(checkout)+maxTemplateQuery > protocol.MaxCheckoutURLBytes {
		http.Error(w, "Host header too long", http.StatusBadRequest)
		return
	}
	release, ok := s.admission.admit(w, r)
	if !ok {
		return
	}
	ws, err := s.upgrader.Upgrade(hijacker{w}, r, nil)
	if err != nil {
		// Upgrade has already answered the request.
		s.log.Info("websocket upgrade refused", "remote", r.RemoteAddr, "err", err)
		release()
		return
	}
	c := newConn(s.hub, ws, r.RemoteAddr)
	c.reached = r.Host
	c.checkout = checkout
	c.limits = s.newThrottle()
	if !s.hub.register(c) {
		// Closed while upgrading; no write loop exists yet to say so.
		msg := websocket.FormatCloseMessage(s.hub.farewell())
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWait))
		_ = ws.Close()
		release()
		return
	}
	c.prepare()
	if e := s.greet(c); e != nil {
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
		c.finish(s.readLoop(c))
	}()
}

// checkoutTemplate returns the checkout link template for a connection
// made with r.
func (s *Server) checkoutTemplate(r *http.Request) string {
	base := reachedAs(s.publicURL, r.Host)
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/cart/" + protocol.CheckoutPlaceholder
}

// greet reads c's hello and joins it to the show, then applies any
// commands that came with the hello. It returns why c cannot go on.
func (s *Server) greet(c *conn) *ending {
	if s.relay != nil {
		return s.relay.greet(s, c)
	}
	hello, rest, e := c.readHello()
	if e != nil {
		return e
	}
	host, e := s.hostRole(c.remote, hello.Token)
	if e != nil {
		return e
	}
	c.id = s.identify(hello, host)
	c.clientID = hello.ClientID
	if e := s.join(c, hello.Resume); e != nil {
		return e
	}
	s.log.Info("joined", "id", c.id.ID, "name", c.id.Name, "role", c.id.Role, "remote", c.remote)
	return s.handle(c, rest)
}

// readLoop applies c's commands until the connection ends, and returns
// why.
func (s *Server) readLoop(c *conn) ending {
	if s.relay != nil {
		return s.relay.readLoop(s, c)
	}
	for {
		typ, frame, err := c.read()
		if err != nil {
			return c.readEnding(err)
		}
		if typ != websocket.TextMessage {
			// A binary frame is a command the client got wrong, and one
			// more command for its rate.
			drop, e := s.throttle(c, "")
			if e == nil && !drop {
				e = s.refuse(c, newError(protocol.ErrCodeBadRequest, "binary frames are not accepted"))
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
		if e := s.handle(c, envs); e != nil {
			return *e
		}
		if err != nil {
			if e := s.refuse(c, newError(protocol.ErrCodeBadRequest, err.Error())); e != nil {
				return *e
			}
		}
	}
}

// hijacker hands the upgrader the request's socket as a deadlineConn.
type hijacker struct{ http.ResponseWriter }

func (w hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the response cannot be hijacked")
	}
	nc, brw, err := h.Hijack()
	if err != nil {
		return nil, nil, err
	}
	return &deadlineConn{Conn: nc}, brw, nil
}

// Unwrap is for http.ResponseController.
func (w hijacker) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// deadlineConn is a WebSocket's socket that skips setting the write
// deadline it already has. gorilla sets it before every frame it writes,
// and each time resets a timer in the runtime; the writer keeps one
// deadline for many frames (conn.writeDeadline). gorilla serializes its
// writes, and so its calls here; mu is for anyone else.
//
// The socket is no longer a *net.TCPConn to gorilla, so a frame too large
// for its write buffer (over 8 KiB: a welcome, a catch-up) goes out in two
// write calls instead of one writev.
type deadlineConn struct {
	net.Conn
	mu  sync.Mutex
	set bool
	wd  time.Time // the write deadline last set, when set
}

func (d *deadlineConn) SetWriteDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.set && t.Equal(d.wd) {
		return nil
	}
	d.set = false
	if err := d.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	d.set, d.wd = true, t
	return nil
}

func (d *deadlineConn) SetDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.set = false
	if err := d.Conn.SetDeadline(t); err != nil {
		return err
	}
	d.set, d.wd = true, t
	return nil
}
