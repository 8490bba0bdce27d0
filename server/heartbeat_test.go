package server

import (
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// testPing is the ping period of the heartbeat tests: short, so they are
// quick, and long enough that a busy machine under -race still answers a
// ping well within two periods, and notices a silence within three.
const testPing = 500 * time.Millisecond

// A client that never answers a ping (here: one that never reads at all)
// is closed after two ping periods, and counted out of the audience.
func TestSilentClientIsClosed(t *testing.T) {
	logs := newRecordHandler("joined", "disconnected")
	s, ts := startServer(t, func(c *Config) {
		c.PingPeriod = testPing
		c.Logger = slog.New(logs)
	})
	ws := rawDial(t, ts.URL, nil)
	ws.SetPingHandler(func(string) error { return nil })
	if err := ws.WriteMessage(websocket.TextMessage, []byte(encode(t, protocol.TypeHello, protocol.Hello{Version: protocol.Version, Name: "mute"}))); err != nil {
		t.Fatal(err)
	}
	joined := logs.await(t, "joined", "u1")
	gone := logs.await(t, "disconnected", "u1")
	if gone.attrs["code"] != int64(protocol.CloseHeartbeat) {
		t.Errorf("closed with %v (%v), want %d", gone.attrs["code"], gone.attrs["reason"], protocol.CloseHeartbeat)
	}
	// Heard last at the hello, just before "joined" was logged.
	if took := gone.at.Sub(joined.at); took < 2*testPing || took >= 3*testPing {
		t.Errorf("closed %s after the hello, want two ping periods (%s)", took, 2*testPing)
	}
	if n := s.Viewers(); n != 0 {
		t.Errorf("%d viewers after the silent one was closed", n)
	}
	// Reading at last, the client finds the close frame behind its welcome.
	expectClose(t, ws, protocol.CloseHeartbeat)
}

// blackHole is a TCP proxy that can stop forwarding in both directions
// without closing anything: a dead link, as a sleeping laptop or a lost
// Wi-Fi leaves it, that neither end hears about.
type blackHole struct {
	ln     net.Listener
	target string
	holed  atomic.Bool
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func newBlackHole(t *testing.T, target string) *blackHole {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &blackHole{ln: ln, target: target}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *blackHole) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(server, client) })
		p.wg.Go(func() { p.pipe(client, server) })
	}
}

// pipe copies src to dst until either fails; once holed it reads on and
// drops everything, so no sender ever sees back-pressure or an error.
func (p *blackHole) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		if p.holed.Load() {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func TestDeadLinkIsNoticed(t *testing.T) {
	logs := newRecordHandler("disconnected")
	s, ts := startServer(t, func(c *Config) {
		c.PingPeriod = testPing
		c.Logger = slog.New(logs)
	})
	hole := newBlackHole(t, strings.TrimPrefix(ts.URL, "http://"))
	c := dial(t, "http://"+hole.ln.Addr().String(), "ana", "")

	// A live link answers pings and stays up well past two periods.
	pings := make(chan struct{}, 16)
	c.ws.SetPingHandler(func(data string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(waitFor))
	})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			if _, err := c.read(); err != nil {
				return
			}
		}
	})
	defer reader.Wait()
	defer c.ws.Close()
	deadline := time.After(waitFor)
	for range 3 {
		select {
		case <-pings:
		case <-deadline:
			t.Fatal("no pings")
		}
	}
	select {
	case rec := <-logs.ch:
		t.Fatalf("a live link was closed: %v", rec.attrs)
	default:
	}
	if s.Viewers() != 1 {
		t.Fatalf("%d viewers", s.Viewers())
	}

	holed := time.Now()
	hole.holed.Store(true)
	gone := logs.await(t, "disconnected", c.welcome.You.ID)
	if took := gone.at.Sub(holed); took >= 3*testPing {
		t.Errorf("the dead link was noticed after %s, want within two ping periods (%s)", took, 2*testPing)
	}
	if gone.attrs["code"] != int64(protocol.CloseHeartbeat) {
		t.Errorf("closed with %v (%v), want %d", gone.attrs["code"], gone.attrs["reason"], protocol.CloseHeartbeat)
	}
	if n := s.Viewers(); n != 0 {
		t.Errorf("%d viewers after the dead link was closed", n)
	}
}
