package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/protocol"
)

// member is one connection of the stress test, with a reader that checks
// every show event it gets follows the previous one by exactly one.
type member struct {
	c      *client
	host   bool
	ended  chan struct{} // closed when the reader has stopped
	sawEnd chan struct{} // closed when the reader has seen the chat line "end"
	err    error         // the reader's verdict; read after ended
}

// joinShow connects and reads the welcome. It runs on the test's
// goroutines, so it returns errors rather than failing the test.
func joinShow(url string, host bool, r *protocol.Resume) (*member, error) {
	hello := protocol.Hello{Version: protocol.Version, Name: "stress", Resume: r}
	if host {
		hello.Token = testToken
	}
	frame, err := protocol.Encode(protocol.TypeHello, 0, time.Time{}, hello)
	if err != nil {
		return nil, err
	}
	d := websocket.Dialer{HandshakeTimeout: waitFor}
	ws, _, err := d.Dial(wsURL(url), nil)
	if err != nil {
		return nil, err
	}
	c := &client{ws: ws}
	if err := c.write(string(frame)); err != nil {
		ws.Close()
		return nil, err
	}
	env, err := c.read()
	if err == nil && env.Type != protocol.TypeWelcome {
		err = fmt.Errorf("first event is %s", env.Type)
	}
	if err == nil {
		c.welcome, err = protocol.Decode[protocol.Welcome](env)
		c.welcomeSeq = env.Seq
	}
	switch {
	case err != nil:
	case r != nil && c.welcome.Resumed && c.welcomeSeq != r.Seq:
		err = fmt.Errorf("resumed after %d at welcome seq %d", r.Seq, c.welcomeSeq)
	case r != nil && !c.welcome.Resumed && c.welcomeSeq < r.Seq:
		err = fmt.Errorf("snapshot at seq %d, older than the %d resumed after", c.welcomeSeq, r.Seq)
	}
	if err != nil {
		ws.Close()
		return nil, err
	}
	m := &member{c: c, host: host, ended: make(chan struct{}), sawEnd: make(chan struct{})}
	go m.read()
	return m, nil
}

func (m *member) read() {
	defer close(m.ended)
	for {
		before := m.c.last
		env, err := m.c.read()
		var ce *websocket.CloseError
		switch {
		case errors.As(err, &ce) && ce.Code == protocol.CloseNormal:
			return // we left
		case err != nil:
			m.err = err
			return
		case env.Seq == 0:
			continue
		case env.Seq != before+1:
			m.err = fmt.Errorf("seq %d (%s) after %d", env.Seq, env.Type, before)
			return
		case env.Type == protocol.TypeProduct:
			// Decoding validates: a negative stock is an error.
			if _, err := protocol.Decode[protocol.Product](env); err != nil {
				m.err = err
				return
			}
		case env.Type == protocol.TypeChat:
			if line, _ := protocol.Decode[protocol.Chat](env); line.Text == "end" {
				close(m.sawEnd)
			}
		}
	}
}

// leave closes the connection properly and returns the reader's verdict.
// When it returns, the server has taken the member out of the show: it
// answers a close frame only after that.
func (m *member) leave() error {
	msg := websocket.FormatCloseMessage(protocol.CloseNormal, "")
	if err := m.c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(waitFor)); err != nil {
		return err
	}
	<-m.ended
	m.c.ws.Close()
	return m.err
}

func TestConcurrentShowStaysConsistent(t *testing.T) {
	const workers, ops, hosts = 20, 50, 2
	s, ts := startServer(t, unlimited)
	variants := []string{"mug-blue", "mug-sand", "tote-natural", "candle-small"}
	pins := []protocol.Pin{{ProductID: "mug", VariantID: "mug-sand"}, {ProductID: "tote", VariantID: "tote-natural"}}

	say := func(text string) string {
		b, _ := protocol.Encode(protocol.TypeSay, 0, time.Time{}, protocol.Say{Text: text})
		return string(b)
	}
	var resumed atomic.Int32
	final := make([]*member, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			m, err := joinShow(ts.URL, w < hosts, nil)
			for i := 0; i < ops && err == nil; i++ {
				var cmd string
				switch roll := rng.IntN(100); {
				case roll < 10:
					// Leave, then come back: by resume every other time.
					if err = m.leave(); err != nil {
						break
					}
					var r *protocol.Resume
					if i%2 == 0 {
						r = &protocol.Resume{Epoch: s.Epoch(), Seq: m.c.last}
					}
					if m, err = joinShow(ts.URL, m.host, r); err == nil && m.c.welcome.Resumed {
						resumed.Add(1)
					}
					continue
				case roll < 20 && m.host:
					pin := pins[rng.IntN(len(pins))]
					cmd = fmt.Sprintf(`{"type":"pin","data":{"product_id":%q,"variant_id":%q}}`, pin.ProductID, pin.VariantID)
					if rng.IntN(3) == 0 {
						cmd = `{"type":"unpin","data":{}}`
					}
				case roll < 40:
					cmd = fmt.Sprintf(`{"type":"buy","data":{"items":[{"variant_id":%q,"qty":%d}]}}`, variants[rng.IntN(len(variants))], 1+rng.IntN(2))
				case roll < 50:
					cmd = `{"type":"cart","data":{"action":"add","product_id":"mug","variant_id":"mug-blue","qty":1}}`
				default:
					cmd = say(fmt.Sprintf("w%d op%d", w, i))
				}
				err = m.c.write(cmd)
			}
			final[w], errs[w] = m, err
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", w, err)
		}
	}

	// Everyone still here gets everything, up to a last line.
	t.Logf("%d rejoins resumed", resumed.Load())
	if resumed.Load() == 0 {
		t.Error("no rejoin resumed")
	}
	if err := final[0].c.write(say("end")); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(waitFor)
	for w, m := range final {
		select {
		case <-m.sawEnd:
		case <-m.ended:
			t.Fatalf("worker %d's connection: %v", w, m.err)
		case <-deadline:
			t.Fatalf("worker %d never saw the last line", w)
		}
	}
	for _, id := range variants {
		if n, _ := s.Stock(id); n < 0 {
			t.Errorf("%s: stock %d", id, n)
		}
	}
	if n := s.Viewers(); n != workers-hosts {
		t.Errorf("server counts %d viewers, %d are connected", n, workers-hosts)
	}
	// A newcomer's snapshot agrees, and so does the next announcement.
	late := dial(t, ts.URL, "late", "")
	if late.welcome.Viewers != workers-hosts+1 {
		t.Errorf("a newcomer's welcome counts %d viewers, want %d", late.welcome.Viewers, workers-hosts+1)
	}
	late.awaitViewers(workers - hosts + 1)
	for w, m := range final {
		if err := m.leave(); err != nil {
			t.Errorf("worker %d: %v", w, err)
		}
	}
}
