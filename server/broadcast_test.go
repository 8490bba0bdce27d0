package server

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
)

// collectChats reads until want chat lines have arrived, checking that they
// are the sender's lines in order and that every show event's seq follows
// the previous one by exactly one, starting right after the welcome. It
// returns how many viewers events it saw on the way.
func (c *client) collectChats(want int, author protocol.Identity) (int, error) {
	last := c.welcomeSeq
	viewers := 0
	for got := 0; got < want; {
		env, err := c.read()
		if err != nil {
			return viewers, fmt.Errorf("after %d lines: %w", got, err)
		}
		if env.Seq == 0 {
			continue // unicast
		}
		if env.Seq != last+1 {
			return viewers, fmt.Errorf("seq %d (%s) follows seq %d", env.Seq, env.Type, last)
		}
		last = env.Seq
		switch env.Type {
		case protocol.TypeViewers:
			viewers++
		case protocol.TypeChat:
			line, err := protocol.Decode[protocol.Chat](env)
			if err != nil {
				return viewers, err
			}
			if line.Text != fmt.Sprintf("line %d", got) || line.Author != author {
				return viewers, fmt.Errorf("line %d is %q by %+v", got, line.Text, line.Author)
			}
			got++
		}
	}
	return viewers, nil
}

func TestChatReachesEveryClientInOrder(t *testing.T) {
	const clients, lines = 20, 200
	_, ts := startServer(t, unlimited)
	start := time.Now()
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = dial(t, ts.URL, fmt.Sprintf("viewer %d", i), "")
	}

	errs := make([]error, clients)
	viewersEvents := make([]int, clients)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() { viewersEvents[i], errs[i] = c.collectChats(lines, cs[0].welcome.You) })
	}
	// One command per frame and several per frame both keep their order.
	sender := cs[0]
	for i := 0; i < lines; {
		var frame []string
		for k := 0; k <= i%4 && i < lines; k++ {
			frame = append(frame, encode(t, protocol.TypeSay, protocol.Say{Text: fmt.Sprintf("line %d", i)}))
			i++
		}
		if err := sender.write(strings.Join(frame, "\n")); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
	// The first client saw the whole connect storm: one viewers event per
	// viewersInterval at most, not one per connection.
	limit := int(time.Since(start)/viewersInterval) + 2
	if viewersEvents[0] > limit {
		t.Errorf("%d viewers events in %s, want at most %d", viewersEvents[0], time.Since(start), limit)
	}
}

// smallBuffers shrinks the kernel's send buffer on every accepted
// connection, so a client that stops reading fills it after kilobytes
// rather than megabytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}

func TestSlowConsumerIsEvicted(t *testing.T) {
	const perRound = 4 // chat lines per round; well under the queue of 8
	evicted := make(chan struct{}, 1)
	_, ts := startServerWith(t, func(ln net.Listener) net.Listener { return smallBuffers{ln} }, unlimited, func(c *Config) {
		c.SendQueue = 8
		c.Logger = slog.New(&signalHandler{msg: "evicted slow consumer", ch: evicted})
	})
	stalled := dial(t, ts.URL, "stalled", "")
	if tc, ok := stalled.ws.NetConn().(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 10)
	}
	healthy := []*client{dial(t, ts.URL, "flooder", ""), dial(t, ts.URL, "h1", ""), dial(t, ts.URL, "h2", "")}
	flooder := healthy[0]

	// Each healthy client's reader hands over the chat lines it gets.
	feeds := make([]chan string, len(healthy))
	readErrs := make(chan error, len(healthy))
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for i, c := range healthy {
		feeds[i] = make(chan string)
		readers.Go(func() {
			for {
				env, err := c.read()
				if err != nil {
					select {
					case readErrs <- err:
					case <-stop:
					}
					return
				}
				if env.Type != protocol.TypeChat {
					continue
				}
				line, _ := protocol.Decode[protocol.Chat](env)
				select {
				case feeds[i] <- line.Text:
				case <-stop:
					return
				}
			}
		})
	}
	defer func() {
		close(stop)
		for _, c := range healthy {
			c.ws.Close()
		}
		readers.Wait()
	}()

	// A round sends perRound lines and waits until every healthy client has
	// them all, so their queues never fill; only the stalled one's does.
	pad := strings.Repeat("x", 200)
	round := 0
	sendRound := func() {
		t.Helper()
		var frame []string
		for k := range perRound {
			frame = append(frame, encode(t, protocol.TypeSay, protocol.Say{Text: fmt.Sprintf("%d.%d %s", round, k, pad)}))
		}
		if err := flooder.write(strings.Join(frame, "\n")); err != nil {
			t.Fatal(err)
		}
		deadline := time.NewTimer(waitFor)
		defer deadline.Stop()
		for i, feed := range feeds {
			for k := range perRound {
				select {
				case text := <-feed:
					if want := fmt.Sprintf("%d.%d ", round, k); !strings.HasPrefix(text, want) {
						t.Fatalf("client %d got %.12q, want %q…", i, text, want)
					}
				case err := <-readErrs:
					t.Fatalf("healthy client: %v", err)
				case <-deadline.C:
					t.Fatalf("round %d: client %d is stuck", round, i)
				}
			}
		}
		round++
	}

	for {
		sendRound()
		select {
		case <-evicted:
		default:
			if round == 20_000 {
				t.Fatal("the stalled client was never evicted")
			}
			continue
		}
		break
	}
	t.Logf("evicted after %d rounds", round)
	// The others carry on as if nothing happened.
	for range 10 {
		sendRound()
	}
	// The stalled client, reading at last, finds why it was dropped after
	// what it had been sent.
	expectClose(t, stalled.ws, protocol.CloseSlowConsumer)
}
