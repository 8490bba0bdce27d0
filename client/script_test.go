package client_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// startScripted runs a WebSocket server whose n-th connection (from 1)
// runs script, for what a real show never does: refuse, repeat or skip
// events, fall silent. A script that holds its connection open waits on
// stop, which is closed when the test ends.
func startScripted(t *testing.T, script func(n int, ws *websocket.Conn, stop <-chan struct{})) string {
	t.Helper()
	stop := make(chan struct{})
	var (
		mu    sync.Mutex
		n     int
		conns []*websocket.Conn
		wg    sync.WaitGroup
	)
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Close does not wait for hijacked connections; this does.
		wg.Add(1)
		defer wg.Done()
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		mu.Lock()
		n++
		i := n
		conns = append(conns, ws)
		mu.Unlock()
		script(i, ws, stop)
	}))
	t.Cleanup(func() {
		close(stop)
		hs.Close()
		mu.Lock()
		for _, ws := range conns {
			ws.Close() // unblocks scripts that are reading
		}
		mu.Unlock()
		wg.Wait()
	})
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"
}

// readHello reads a client's hello.
func readHello(t *testing.T, ws *websocket.Conn) protocol.Hello {
	t.Helper()
	_, frame, err := ws.ReadMessage()
	if err != nil {
		t.Errorf("read hello: %v", err)
		return protocol.Hello{}
	}
	envs, err := protocol.DecodeFrame(frame)
	if err != nil || envs[0].Type != protocol.TypeHello {
		t.Errorf("first frame %q is not a hello: %v", frame, err)
		return protocol.Hello{}
	}
	h, err := protocol.Decode[protocol.Hello](envs[0])
	if err != nil {
		t.Errorf("hello: %v", err)
	}
	return h
}

// writeEvents writes envelopes as one frame, newline separated.
func writeEvents(t *testing.T, ws *websocket.Conn, envs ...[]byte) {
	t.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, bytes.Join(envs, []byte("\n"))); err != nil {
		t.Errorf("write: %v", err)
	}
}

// encode encodes an event. Scripts run outside the test goroutine, where
// t.Fatal is not allowed, and these payloads always encode.
func encode(typ protocol.Type, seq uint64, data any) []byte {
	b, err := protocol.Encode(typ, seq, time.Now(), data)
	if err != nil {
		panic(err)
	}
	return b
}

func welcomeFrame(epoch string, seq uint64, resumed bool) []byte {
	return encode(protocol.TypeWelcome, seq, protocol.Welcome{
		Version: protocol.Version, Epoch: epoch, Resumed: resumed,
		You:  protocol.Identity{ID: "u1", Name: "ana", Role: protocol.RoleViewer},
		Show: protocol.ShowInfo{ID: "test", Title: "Test Show"},
	})
}

func unpinEvent(seq uint64) []byte { return encode(protocol.TypeUnpin, seq, protocol.Unpin{}) }

func seqs(envs []protocol.Envelope) []uint64 {
	out := make([]uint64, len(envs))
	for i, e := range envs {
		out[i] = e.Seq
	}
	return out
}
