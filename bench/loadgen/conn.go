package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

const (
	// maxFrameBytes bounds one frame read; a livecart welcome (100
	// products, 50 chat lines) is far below it.
	maxFrameBytes = 1 << 20
	// A pooled frame buffer larger than this is dropped after use, so a
	// few big welcomes do not pin memory for the whole run.
	maxPooledFrame = 64 << 10
)

// sourceIP spreads connections over 127.0.0.2, 127.0.0.3, … so that no
// source address holds more than connsPerSource of them (livecart's per-IP
// cap) and each address's ephemeral ports go a long way.
func sourceIP(i int) net.IP {
	s := 2 + i/connsPerSource
	return net.IPv4(127, byte(s>>16), byte(s>>8), byte(s))
}

// writePool shares write buffers between connections: viewers write only
// their greeting (and Centrifugo's pongs), so a buffer each would be idle
// memory.
var writePool = &sync.Pool{}

// framePool holds read buffers; a viewer takes one only while it copies a
// frame out of the socket, so there are about as many as running readers.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func dial(ctx context.Context, rawURL string, i int) (*websocket.Conn, error) {
	d := websocket.Dialer{
		HandshakeTimeout: connectTimeout,
		NetDialContext: (&net.Dialer{
			Timeout:   connectTimeout,
			LocalAddr: &net.TCPAddr{IP: sourceIP(i)},
		}).DialContext,
		ReadBufferSize:  4096,
		WriteBufferSize: 1024,
		WriteBufferPool: writePool,
	}
	c, resp, err := d.DialContext(ctx, rawURL, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, err
	}
	c.SetReadLimit(maxFrameBytes)
	return c, nil
}

// readFrame reads the next message into a pooled buffer and calls fn with
// it; fn must not keep the bytes.
func readFrame(c *websocket.Conn, fn func(frame []byte, now int64)) error {
	_, r, err := c.NextReader()
	if err != nil {
		return err
	}
	bp := framePool.Get().(*[]byte)
	b, err := readAll(r, (*bp)[:0])
	if err == nil {
		fn(b, time.Now().UnixNano())
	}
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		framePool.Put(bp)
	}
	return err
}

// readAll is io.ReadAll into buf's spare capacity.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// eachLine calls fn with each newline-separated line of a frame: livecart
// and the gorilla example both put several messages in one frame.
func eachLine(frame []byte, fn func(line []byte)) {
	for len(frame) > 0 {
		line := frame
		if k := bytes.IndexByte(frame, '\n'); k >= 0 {
			line, frame = frame[:k], frame[k+1:]
		} else {
			frame = nil
		}
		fn(line)
	}
}

// centrifugoChannel is the channel every centrifugo client subscribes and
// publishes to.
const centrifugoChannel = "show"

var welcomePrefix = []byte(`{"type":"welcome"`)

// handshake does the protocol's greeting: for livecart, hello and wait for
// welcome; for centrifugo, connect and subscribe (JSON protocol, by hand).
// gorilla's chat has none. With keepWelcome it returns livecart's welcome
// envelope (the host needs the catalog).
func handshake(c *websocket.Conn, target, name, token string, keepWelcome bool) (*protocol.Envelope, error) {
	switch target {
	case "gorilla":
		return nil, nil
	case "centrifugo":
		return nil, centrifugoHandshake(c, name)
	}
	hello, err := protocol.Encode(protocol.TypeHello, 0, time.Time{}, protocol.Hello{Version: protocol.Version, Name: name, Token: token})
	if err != nil {
		return nil, err
	}
	_ = c.SetWriteDeadline(time.Now().Add(connectTimeout))
	if err := c.WriteMessage(websocket.TextMessage, hello); err != nil {
		return nil, err
	}
	_ = c.SetReadDeadline(time.Now().Add(connectTimeout))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	for range 16 { // welcome is the first frame; bounded anyway
		var welcome *protocol.Envelope
		var bad error
		got := false
		err := readFrame(c, func(frame []byte, _ int64) {
			if !bytes.HasPrefix(frame, welcomePrefix) {
				return
			}
			got = true
			if !keepWelcome {
				return
			}
			envs, err := protocol.DecodeFrame(frame)
			if err != nil {
				bad = fmt.Errorf("decode welcome: %w", err)
				return
			}
			welcome = &envs[0]
		})
		if err != nil {
			return nil, err
		}
		if bad != nil {
			return nil, bad
		}
		if got {
			return welcome, nil
		}
	}
	return nil, errors.New("no welcome")
}

// centrifugoHandshake sends connect and subscribe in one frame (the JSON
// protocol takes newline-separated commands) and waits for both replies.
// The server must allow anonymous clients (client.insecure).
func centrifugoHandshake(c *websocket.Conn, name string) error {
	cmds := `{"id":1,"connect":{"name":"` + name + `"}}` + "\n" +
		`{"id":2,"subscribe":{"channel":"` + centrifugoChannel + `"}}`
	_ = c.SetWriteDeadline(time.Now().Add(connectTimeout))
	if err := c.WriteMessage(websocket.TextMessage, []byte(cmds)); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(connectTimeout))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	got := 0
	for range 16 {
		var bad error
		err := readFrame(c, func(frame []byte, _ int64) {
			eachLine(frame, func(line []byte) {
				var r struct {
					ID    int             `json:"id"`
					Error json.RawMessage `json:"error"`
				}
				if json.Unmarshal(line, &r) != nil {
					return
				}
				if len(r.Error) > 0 {
					bad = fmt.Errorf("centrifugo reply %d: %s", r.ID, r.Error)
				}
				if r.ID == 1 || r.ID == 2 {
					got++
				}
			})
		})
		if err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
		if got == 2 {
			return nil
		}
	}
	return errors.New("centrifugo: no connect/subscribe reply")
}

// centrifugoPublish is the publish command for one stamp.
func centrifugoPublish(id int64, text string) []byte {
	return []byte(`{"id":` + strconv.FormatInt(id, 10) + `,"publish":{"channel":"` + centrifugoChannel + `","data":{"text":"` + text + `"}}}`)
}

// isCentrifugoPing reports whether a frame is the server's ping, an empty
// command, which the client answers with an empty one.
func isCentrifugoPing(frame []byte) bool {
	return string(bytes.TrimSpace(frame)) == "{}"
}

// connectStats is what a connect phase did.
type connectStats struct {
	up       int
	failures int
	elapsed  time.Duration // from the first dial to the last greeting
	firstErr string
	lat      histogram // per connection, dial to greeting, µs
}

// connectAll opens n connections with source slots first, first+1, …,
// connection i to cfg.viewerURL(i),
// parallel at a time, greeting each with the target's handshake. onUp runs
// in the dialling goroutine for each connection that came up (to start its
// reader at once). conns[i] is nil for a connection that failed.
func connectAll(ctx context.Context, cfg config, n, first, parallel int, name string, onUp func(i int, c *websocket.Conn)) ([]*websocket.Conn, *connectStats) {
	st := &connectStats{}
	conns := make([]*websocket.Conn, n)
	var failures atomic.Int64
	var firstErr atomic.Value
	var last atomic.Int64
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range min(parallel, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if ctx.Err() != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, "connect budget of "+connectBudget.String()+" ran out")
					continue
				}
				t0 := time.Now()
				c, err := dial(ctx, cfg.viewerURL(i), first+i)
				if err == nil {
					_, err = handshake(c, cfg.target, name+strconv.Itoa(i), "", false)
					if err != nil {
						_ = c.Close()
					}
				}
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				now := time.Now()
				st.lat.add([]uint32{micros(now.Sub(t0).Nanoseconds())})
				for {
					l := last.Load()
					if now.UnixNano() <= l || last.CompareAndSwap(l, now.UnixNano()) {
						break
					}
				}
				conns[i] = c
				if onUp != nil {
					onUp(i, c)
				}
			}
		}()
	}
	wg.Wait()
	for _, c := range conns {
		if c != nil {
			st.up++
		}
	}
	st.failures = int(failures.Load())
	if l := last.Load(); l > 0 {
		st.elapsed = time.Unix(0, l).Sub(start)
	}
	if e := firstErr.Load(); e != nil {
		st.firstErr = e.(string)
	}
	return conns, st
}

// fill copies the connect phase's numbers into r.
func (st *connectStats) fill(r *result) {
	r.ViewersUp = st.up
	r.ConnectFailures = st.failures
	if st.elapsed > 0 {
		r.ConnectRate = round(float64(st.up)/st.elapsed.Seconds(), 1)
	}
	r.ConnectP50ms = st.lat.quantileMs(0.50)
	r.ConnectP99ms = st.lat.quantileMs(0.99)
	if st.firstErr != "" {
		r.Notes = "first connect error: " + st.firstErr
	}
}
