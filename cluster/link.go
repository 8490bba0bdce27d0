package cluster

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Owner → edge messages: a run of items, each a viewer's key and either a
// frame for it or a close. Binary, so the frames (JSON already) are not
// escaped again:
//
//	item = uvarint(len key) key kind uvarint(len body) body
//	kind 'f': body is a frame; kind 'e': body is a 2-byte close code and the reason
const (
	itemFrame = 'f'
	itemEnd   = 'e'
)

func appendItem(b []byte, key string, kind byte, body ...[]byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	b = append(b, kind)
	n := 0
	for _, p := range body {
		n += len(p)
	}
	b = binary.AppendUvarint(b, uint64(n))
	for _, p := range body {
		b = append(b, p...)
	}
	return b
}

var errBadItem = errors.New("malformed owner message")

// readItems calls fn for every item of msg, in order.
func readItems(msg []byte, fn func(key string, kind byte, body []byte)) error {
	for len(msg) > 0 {
		n, k := binary.Uvarint(msg)
		if k <= 0 || uint64(len(msg)-k) < n+1 {
			return errBadItem
		}
		key := string(msg[k : k+int(n)])
		msg = msg[k+int(n):]
		kind := msg[0]
		msg = msg[1:]
		n, k = binary.Uvarint(msg)
		if k <= 0 || uint64(len(msg)-k) < n {
			return errBadItem
		}
		fn(key, kind, msg[k:k+int(n)])
		msg = msg[k+int(n):]
	}
	return nil
}

// link is the owner's server.Link to one edge: frames and closes for its
// viewers are queued in call order and sent by one goroutine, several to a
// message.
type link struct {
	id      string
	subject string
	nc      *nats.Conn
	others  func(id string) []string // the other edges' URLs

	mu      sync.Mutex
	buf     []byte
	url     string    // the edge's WebSocket URL
	heard   time.Time // its last heartbeat
	greeted bool      // a heartbeat has been answered on this link
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

func newLink(id, subject string, nc *nats.Conn, others func(string) []string) *link {
	l := &link{id: id, subject: subject, nc: nc, others: others,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

func (l *link) Send(key string, frame []byte) { l.add(key, itemFrame, frame) }

func (l *link) End(key string, code int, reason string) {
	l.add(key, itemEnd, []byte{byte(code >> 8), byte(code)}, []byte(reason))
}

// Alternates are the show's other edges, shuffled for each viewer so that
// the viewers of an edge that goes away do not all pick the same next one.
func (l *link) Alternates() []string {
	alts := l.others(l.id)

	rand.Shuffle(len(alts), func(i, j int) { alts[i], alts[j] = alts[j], alts[i] })
	return alts
}

func (l *link) add(key string, kind byte, body ...[]byte) {
	l.mu.Lock()
	l.buf = appendItem(l.buf, key, kind, body...)
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

func (l *link) run() {
	defer close(l.done)
	for {
		select {
		case <-l.stop:
			l.send()
			return
		case <-l.kick:
			l.send()
		}
	}
}

// send publishes what is queued, in messages of at most about
// maxLinkMessage (cut on item boundaries).
func (l *link) send() {
	l.mu.Lock()
	buf := l.buf
	l.buf = nil
	l.mu.Unlock()
	for len(buf) > 0 {
		cut := len(buf)
		if cut > maxLinkMessage {
			cut = itemsPrefix(buf, maxLinkMessage)
		}
		_ = l.nc.Publish(l.subject, slices.Clone(buf[:cut]))
		buf = buf[cut:]
	}
}

// itemsPrefix is the length of the longest run of whole items at the
// start of buf within limit bytes (at least one item).
func itemsPrefix(buf []byte, limit int) int {
	at := 0
	for at < len(buf) {
		rest := buf[at:]
		n, k := binary.Uvarint(rest)
		size := k + int(n) + 1
		m, k2 := binary.Uvarint(rest[size:])
		size += k2 + int(m)
		if at > 0 && at+size > limit {
			break
		}
		at += size
	}
	return at
}

func (l *link) close() {
	close(l.stop)
	<-l.done
}
