package server

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

func TestInvalidUTF8IsClosedWith1007(t *testing.T) {
	_, ts := startServer(t)
	t.Run("in a command", func(t *testing.T) {
		c := dial(t, ts.URL, "ana", "")
		c.sendRaw("{\"type\":\"say\",\"data\":{\"text\":\"caf\xe9\"}}")
		expectClose(t, c.ws, protocol.CloseInvalidData)
	})
	t.Run("in the hello", func(t *testing.T) {
		ws := rawDial(t, ts.URL, nil)
		if err := ws.WriteMessage(websocket.TextMessage, []byte("{\"type\":\"hello\",\"data\":{\"version\":1,\"name\":\"\xff\xfe\"}}")); err != nil {
			t.Fatal(err)
		}
		expectClose(t, ws, protocol.CloseInvalidData)
	})
}

func TestBinaryFramesAreBadRequests(t *testing.T) {
	_, ts := startServer(t)
	c := dial(t, ts.URL, "ana", "")
	if err := c.ws.WriteMessage(websocket.BinaryMessage, []byte(encode(t, protocol.TypePing, nil))); err != nil {
		t.Fatal(err)
	}
	c.expectError(protocol.ErrCodeBadRequest)
	c.sync() // still connected
}

// A viewer who floods the chat has its lines dropped, hears about it, and
// is closed when it keeps going; nobody else notices.
func TestChatFloodIsLimitedThenClosed(t *testing.T) {
	const says = 200
	_, ts := startServer(t)
	observer := dial(t, ts.URL, "observer", "")
	flooder := dial(t, ts.URL, "flooder", "")

	start := time.Now()
	var writer sync.WaitGroup
	writer.Go(func() {
		for i := range says {
			if flooder.write(encode(t, protocol.TypeSay, protocol.Say{Text: fmt.Sprint("spam ", i)})) != nil {
				return // closed by the server, as it should be
			}
		}
	})
	rateErrors := 0
	var closed error
	for closed == nil {
		env, err := flooder.read()
		switch {
		case err != nil:
			closed = err
		case env.Type == protocol.TypeError:
			e, _ := protocol.Decode[protocol.Error](env)
			if e.Code != protocol.ErrCodeRateLimited {
				t.Errorf("flooder got error %+v", e)
			}
			rateErrors++
		}
	}
	elapsed := time.Since(start)
	writer.Wait()
	var ce *websocket.CloseError
	if !errors.As(closed, &ce) || ce.Code != protocol.CloseRateLimited {
		t.Fatalf("flooder's connection ended with %v, want close %d", closed, protocol.CloseRateLimited)
	}
	if rateErrors < 1 || rateErrors > 1+int(elapsed/rateErrorEvery) {
		t.Errorf("%d rate_limited errors in %s", rateErrors, elapsed)
	}

	// The observer's own line still goes straight through, after no more
	// of the flood than the chat rate lets by.
	sent := time.Now()
	observer.send(protocol.TypeSay, protocol.Say{Text: "still here"})
	flood := 0
	for {
		line, err := protocol.Decode[protocol.Chat](observer.nextOf(protocol.TypeChat))
		if err != nil {
			t.Fatal(err)
		}
		if line.Author == flooder.welcome.You {
			flood++
			continue
		}
		if line.Text == "still here" {
			break
		}
	}
	if took := time.Since(sent); took > time.Second {
		t.Errorf("the observer's line took %s", took)
	}
	allowed := defaultChatRate.Burst + int(defaultChatRate.PerSecond*elapsed.Seconds())
	if flood < 1 || flood > allowed {
		t.Errorf("the observer got %d of the flooder's %d lines in %s, want 1 to %d", flood, says, elapsed, allowed)
	}
	t.Logf("%d of %d lines let through, %d rate_limited errors, closed after %s", flood, says, rateErrors, elapsed)
	dial(t, ts.URL, "newcomer", "").sync()
}

func TestCommandRateCoversEveryCommand(t *testing.T) {
	_, ts := startServer(t, func(c *Config) {
		c.CommandRate = Rate{PerSecond: 1, Burst: 3}
		c.RateStrikes = -1
	})
	c := dial(t, ts.URL, "ana", "")
	ping := encode(t, protocol.TypePing, nil)
	c.sendRaw(ping + "\n" + ping + "\n" + ping + "\n" + ping + "\n" + ping + "\n" + ping)
	// Three pongs, then one error for the three pings dropped.
	pongs := 0
	for {
		env := c.next()
		if env.Type == protocol.TypePong {
			pongs++
		}
		if env.Type == protocol.TypeError {
			if e, _ := protocol.Decode[protocol.Error](env); e.Code != protocol.ErrCodeRateLimited || pongs != 3 {
				t.Fatalf("error %+v after %d pongs, want rate_limited after 3", e, pongs)
			}
			break
		}
	}
	// Others are not slowed down by it.
	dial(t, ts.URL, "bo", "").sync()
}

func TestRatesAreChecked(t *testing.T) {
	for _, r := range []Rate{{PerSecond: -1}, {Burst: -1}} {
		if _, err := New(Config{Catalog: testCatalog(t), ChatRate: r}); err == nil {
			t.Errorf("chat rate %+v accepted", r)
		}
	}
}
