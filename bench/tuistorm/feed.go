package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
)

// snapshotSeq is the seq of the welcome; the stream's events follow it.
const snapshotSeq = 1

// updateQueue matches the real session's queue (client.updateQueue): the
// feed runs at most this far ahead of the viewer before it has to wait, as
// a socket that is not read stops being read from.
const updateQueue = 64

// session is a live.Session fed by this process instead of a socket. The
// first updates (connecting, the snapshot) come through it in every mode;
// in the batched mode the event stream does too.
type session struct {
	updates chan client.Update
	ctx     context.Context
	stop    context.CancelFunc
	feeding sync.WaitGroup // the goroutines that send on updates
	fed     chan struct{}  // closed when the feed has made its last event
	once    sync.Once
}

func newSession() *session {
	ctx, stop := context.WithCancel(context.Background())
	return &session{updates: make(chan client.Update, updateQueue), ctx: ctx, stop: stop, fed: make(chan struct{})}
}

func (s *session) Updates() <-chan client.Update { return s.updates }

// Send discards what the viewer says: nobody types during the storm.
func (s *session) Send(protocol.Type, any) error { return nil }

func (s *session) Retry() {}

// Close stops the feed and then closes the updates, as the real session
// does when it ends.
func (s *session) Close() {
	s.once.Do(func() {
		s.stop()
		s.feeding.Wait()
		close(s.updates)
	})
}

// emit hands u to the viewer, waiting while its queue is full, unless the
// session is closing.
func (s *session) emit(u client.Update) bool {
	select {
	case s.updates <- u:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// open starts the feed with the snapshot, as a first dial does, and returns
// the session to build the viewer around.
func (s *session) open() live.Session {
	s.feeding.Add(1)
	go func() {
		defer s.feeding.Done()
		if s.emit(client.Update{Kind: client.UpdateConnecting, Attempt: 1}) {
			s.emit(client.Update{Kind: client.UpdateSnapshot, Welcome: welcome(), Seq: snapshotSeq})
		}
	}()
	return s
}

var catalog = []protocol.Product{
	product("mug", "Speckled Mug", 2400, "Hand-thrown stoneware, 350 ml, dishwasher safe",
		protocol.Variant{ID: "mug-blue", Name: "Blue", Stock: 12},
		protocol.Variant{ID: "mug-sand", Name: "Sand", Stock: 0},
		protocol.Variant{ID: "mug-green", Name: "Green", Stock: 4}),
	product("scarf", "Merino Scarf", 3900, "Soft, warm, long enough to wrap twice",
		protocol.Variant{ID: "scarf-red", Name: "Red", Stock: 7}),
	product("candle", "Fig Candle", 1850, "Forty hours of fig and cedar",
		protocol.Variant{ID: "candle-fig", Name: "Fig", Stock: 30}),
}

func product(id, name string, cents int64, desc string, vs ...protocol.Variant) protocol.Product {
	return protocol.Product{ID: id, Name: name, Description: desc, Price: money.New(cents, "USD"), Variants: vs}
}

func welcome() protocol.Welcome {
	w := protocol.Welcome{
		Version:  protocol.Version,
		Epoch:    "e1",
		You:      protocol.Identity{ID: "u-me", Name: "me", Role: protocol.RoleViewer},
		Show:     protocol.ShowInfo{ID: "storm", Title: "Cosy Corner Live", Host: "Maya"},
		Catalog:  catalog,
		Pinned:   &protocol.Pin{ProductID: "mug", VariantID: "mug-blue"},
		Viewers:  12_000,
		Checkout: "http://127.0.0.1:7420/cart/{items}",
	}
	for i := range 15 {
		w.Chat = append(w.Chat, protocol.Chat{
			ID: fmt.Sprintf("w%d", i), Author: speaker(i), Text: texts[i%len(texts)],
		})
	}
	return w
}

// texts are what the flood says: short and long lines (wrapping beside the
// card at 120 columns), emoji, and a mention of the viewer.
var texts = []string{
	"lol",
	"that blue is gorgeous",
	"is the sand one coming back? I missed it last week and my sister has been asking me every single day since",
	"🍵🍵🍵 tea time",
	"@me did you get the green one in the end?",
	"adding one!!",
	"how big is the scarf, does it go twice round the neck or is it more of a cowl?",
}

// viewers is how many distinct people chat; the host says every 40th line
// (speaker picks who says line i).
const viewers = 211

func speaker(i int) protocol.Identity {
	if i%40 == 0 {
		return host
	}
	return person(i % viewers)
}

var host = protocol.Identity{ID: "maya", Name: "Maya", Role: protocol.RoleHost}

func person(n int) protocol.Identity {
	return protocol.Identity{ID: "u-" + strconv.Itoa(n), Name: "viewer_" + strconv.Itoa(n), Role: protocol.RoleViewer}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// stream is the show's event schedule: chat lines at rate a second and a
// pin every pinEvery, from start. It encodes events as the server's wire
// bytes so the feed decodes them as the client's reader does.
type stream struct {
	rate     int
	pinEvery time.Duration
	start    time.Time

	seq         uint64
	chats, pins int
	people      [][]byte // JSON of each viewer, encoded once
	host        []byte
	words       [][]byte // JSON of each text, encoded once
	buf         []byte
}

func newStream(rate int, pinEvery time.Duration, start time.Time) *stream {
	s := &stream{rate: rate, pinEvery: pinEvery, start: start, seq: snapshotSeq}
	for n := range viewers {
		s.people = append(s.people, mustJSON(person(n)))
	}
	s.host = mustJSON(host)
	for _, t := range texts {
		s.words = append(s.words, mustJSON(t))
	}
	return s
}

// offered is how many events the schedule has made so far.
func (s *stream) offered() int { return s.chats + s.pins }

// scheduled is how many events the schedule holds by t.
func (s *stream) scheduled(t time.Time) int {
	el := t.Sub(s.start)
	if el < 0 {
		return 0
	}
	n := int(el*time.Duration(s.rate)/time.Second) + 1 // the first line is due at start
	if s.rate == 0 {
		n = 0
	}
	if s.pinEvery > 0 {
		n += int(el / s.pinEvery)
	}
	return n
}

func (s *stream) chatAt() time.Time {
	return s.start.Add(time.Duration(s.chats) * time.Second / time.Duration(max(1, s.rate)))
}

func (s *stream) pinAt() time.Time { return s.start.Add(time.Duration(s.pins+1) * s.pinEvery) }

// nextDue is when the next event is due.
func (s *stream) nextDue() time.Time {
	switch {
	case s.rate == 0:
		return s.pinAt()
	case s.pinEvery <= 0:
		return s.chatAt()
	}
	return minTime(s.chatAt(), s.pinAt())
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// next appends to the frame being built the next event due by now, if any.
func (s *stream) next(now time.Time, ts string) bool {
	chatAt, pinAt := s.chatAt(), s.pinAt()
	switch {
	case s.pinEvery > 0 && !pinAt.After(now) && (s.rate == 0 || !pinAt.After(chatAt)):
		s.pins++
		p := catalog[s.pins%len(catalog)]
		s.event("pin", ts, fmt.Appendf(nil, `{"product_id":%q,"variant_id":%q}`, p.ID, p.Variants[0].ID))
	case s.rate > 0 && !chatAt.After(now):
		i := s.chats
		s.chats++
		data := append([]byte(`{"id":"e1-c`), strconv.Itoa(i)...)
		data = append(data, `","author":`...)
		if i%40 == 0 {
			data = append(data, s.host...)
		} else {
			data = append(data, s.people[i%viewers]...)
		}
		data = append(data, `,"text":`...)
		data = append(data, s.words[i%len(s.words)]...)
		data = append(data, '}')
		s.event("chat", ts, data)
	default:
		return false
	}
	return true
}

func (s *stream) event(typ, ts string, data []byte) {
	s.seq++
	if len(s.buf) > 0 {
		s.buf = append(s.buf, '\n')
	}
	s.buf = append(s.buf, `{"type":"`...)
	s.buf = append(s.buf, typ...)
	s.buf = append(s.buf, `","seq":`...)
	s.buf = strconv.AppendUint(s.buf, s.seq, 10)
	s.buf = append(s.buf, `,"ts":"`...)
	s.buf = append(s.buf, ts...)
	s.buf = append(s.buf, `","data":`...)
	s.buf = append(s.buf, data...)
	s.buf = append(s.buf, '}')
}

// frame returns the events due by now (at most limit), decoded from their
// wire bytes as the client's reader decodes a frame.
func (s *stream) frame(now time.Time, limit int) []protocol.Envelope {
	s.buf = s.buf[:0]
	ts := now.UTC().Format(time.RFC3339Nano)
	for n := 0; n < limit && s.next(now, ts); n++ {
	}
	if len(s.buf) == 0 {
		return nil
	}
	envs, err := protocol.DecodeFrame(s.buf)
	if err != nil {
		panic(fmt.Sprintf("tuistorm: our own frame does not decode: %v", err))
	}
	return envs
}

// feedBatched delivers the schedule through the session, a frame every
// netFrame, as a socket would: whatever is due goes in one update, and a
// viewer that falls behind makes the feed wait (the queue is bounded) and
// then send more at once.
func (s *session) feedBatched(st *stream, netFrame time.Duration, until time.Time, offered func(int)) {
	s.feeding.Add(1)
	go func() {
		defer s.feeding.Done()
		defer close(s.fed)
		tick := time.NewTicker(netFrame)
		defer tick.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case now := <-tick.C:
				if now.After(until) {
					now = until
				}
				envs := st.frame(now, live.MaxBatch)
				offered(st.offered())
				if len(envs) > 0 && !s.emit(client.Update{Kind: client.UpdateEvents, Events: envs}) {
					return
				}
				if !now.Before(until) && len(envs) < live.MaxBatch {
					return
				}
			}
		}
	}()
}

// feedNaive delivers every event as its own program message, the way an
// app without a batching bridge would (one Program.Send per event read).
// Send waits while the program is busy, so a program that cannot keep up
// falls behind the schedule; the events it never took are its backlog.
func (s *session) feedNaive(st *stream, send func(envs []protocol.Envelope) bool, until time.Time, offered func(int)) {
	s.feeding.Add(1)
	go func() {
		defer s.feeding.Done()
		defer close(s.fed)
		for s.ctx.Err() == nil {
			now := time.Now()
			if now.After(until) {
				return
			}
			envs := st.frame(now, 1)
			offered(st.offered())
			if len(envs) == 0 {
				time.Sleep(time.Until(minTime(st.nextDue(), until)))
				continue
			}
			if !send(envs) {
				return
			}
		}
	}()
}
