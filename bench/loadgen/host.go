package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// Kinds of must-deliver event the host causes.
const (
	kindPin = iota
	kindPrice
	numKinds
)

// maxPending bounds how many must-deliver events one viewer holds while it
// waits for the host to learn their seq.
const maxPending = 64

var (
	pinPrefix     = []byte(`{"type":"pin",`)
	productPrefix = []byte(`{"type":"product",`)
	errorPrefix   = []byte(`{"type":"error",`)
)

// sent is one host command waiting for, or matched to, its event.
type sent struct {
	kind int
	at   int64 // unix ns, just before the write
}

// host is the pinning host connection. Once a second it pins one of two
// products in turn and, half a second later, moves a price between two
// values. Latency is measured from the send time of the command to a
// viewer's read of the event (one clock: loopback), not from the event's
// ts: that includes the server's command handling. Events are matched to
// commands by seq: the host's own copy of each event, in the order it sent
// the commands, tells it which seq each command got.
type host struct {
	c      *websocket.Conn
	pins   [2]protocol.Pin
	prices [2]protocol.SetPrice

	mu     sync.Mutex
	queue  []sent          // sent, event not yet seen by the host
	bySeq  map[uint64]sent // seq → command, once the host saw the event
	hist   [numKinds]*histogram
	count  [numKinds]int64 // commands whose event the host saw
	errors atomic.Int64
	wmu    sync.Mutex // one writer at a time
}

// newHost connects the host and picks its pins and prices from the
// welcome's catalog.
func newHost(ctx context.Context, cfg config, slot int) (*host, error) {
	c, err := dial(ctx, cfg.pubURL, slot)
	if err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	env, err := handshake(c, cfg.target, "bench-host", cfg.token, true)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("host: %w", err)
	}
	var w protocol.Welcome
	if err := json.Unmarshal(env.Data, &w); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("host: welcome: %w", err)
	}
	h := &host{c: c, bySeq: make(map[uint64]sent)}
	if err := h.plan(w); err != nil {
		_ = c.Close()
		return nil, err
	}
	for k := range h.hist {
		h.hist[k] = &histogram{}
	}
	return h, nil
}

// plan picks two different pins, the first unlike what is pinned now (a
// pin that changes nothing might send no event), and two prices for the
// first product, the first unlike its current one.
func (h *host) plan(w protocol.Welcome) error {
	if w.You.Role != protocol.RoleHost {
		return errors.New("host: the server did not accept -token (role " + string(w.You.Role) + ")")
	}
	var pins []protocol.Pin
	for _, p := range w.Catalog {
		for _, v := range p.Variants {
			pins = append(pins, protocol.Pin{ProductID: p.ID, VariantID: v.ID})
		}
	}
	if len(pins) < 2 {
		return errors.New("host: the catalog needs two variants to pin in turn")
	}
	h.pins = [2]protocol.Pin{pins[0], pins[1]}
	if w.Pinned != nil && *w.Pinned == h.pins[0] {
		h.pins[0], h.pins[1] = h.pins[1], h.pins[0]
	}
	p := w.Catalog[0]
	up := money.Money{Amount: p.Price.Amount + 1, Currency: p.Price.Currency}
	h.prices = [2]protocol.SetPrice{{ProductID: p.ID, Price: up}, {ProductID: p.ID, Price: p.Price}}
	return nil
}

// run sends a pin at start+k s+250 ms and a price at start+k s+750 ms for
// every k until end, then returns.
func (h *host) run(start, end time.Time) {
	for k := 0; ; k++ {
		for kind := range numKinds {
			due := start.Add(time.Duration(k)*time.Second + time.Duration(250+500*kind)*time.Millisecond)
			if !due.Before(end) {
				return
			}
			time.Sleep(time.Until(due))
			var data any = h.pins[k%2]
			typ := protocol.TypePin
			if kind == kindPrice {
				data, typ = h.prices[k%2], protocol.TypeSetPrice
			}
			msg, err := protocol.Encode(typ, 0, time.Time{}, data)
			if err != nil {
				h.errors.Add(1)
				continue
			}
			h.send(kind, msg)
		}
	}
}

func (h *host) send(kind int, msg []byte) {
	h.mu.Lock()
	h.queue = append(h.queue, sent{kind: kind, at: time.Now().UnixNano()})
	h.mu.Unlock()
	h.wmu.Lock()
	_ = h.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	err := h.c.WriteMessage(websocket.TextMessage, msg)
	h.wmu.Unlock()
	if err != nil {
		h.errors.Add(1)
		h.mu.Lock()
		h.queue = h.queue[:len(h.queue)-1]
		h.mu.Unlock()
	}
}

// read matches the host's copy of each pin and product event, and each
// error, to the oldest command still waiting, until the connection ends.
func (h *host) read() {
	for {
		err := readFrame(h.c, func(frame []byte, _ int64) {
			eachLine(frame, func(line []byte) {
				isErr := bytes.HasPrefix(line, errorPrefix)
				if !isErr && !bytes.HasPrefix(line, pinPrefix) && !bytes.HasPrefix(line, productPrefix) {
					return
				}
				seq, ok := parseSeq(line)
				h.mu.Lock()
				defer h.mu.Unlock()
				if len(h.queue) == 0 {
					return // not ours (or an error for nothing we sent)
				}
				s := h.queue[0]
				h.queue = h.queue[1:]
				if isErr || !ok {
					h.errors.Add(1)
					return
				}
				h.bySeq[seq] = s
				h.count[s.kind]++
			})
		})
		if err != nil {
			return
		}
	}
}

// waitEchoes waits, up to limit, for the host's copy of every command it
// sent: without it a viewer's read of the last pin counts as unmatched
// when the host is at the end of a slow fan-out.
func (h *host) waitEchoes(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		n := len(h.queue)
		h.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// resolve records a viewer's read of the event with this seq at now (unix
// ns); false if the host has not seen that seq (yet).
func (h *host) resolve(seq uint64, now int64) (kind int, ok bool) {
	h.mu.Lock()
	s, ok := h.bySeq[seq]
	h.mu.Unlock()
	if !ok {
		return 0, false
	}
	h.hist[s.kind].add([]uint32{micros(now - s.at)})
	return s.kind, true
}

// mustRecv is a pin or product event a viewer read before the host knew
// its seq.
type mustRecv struct {
	seq uint64
	at  int64
}

// stats summarizes what reached the viewers; a viewer that never
// connected counts as one that got nothing.
func (h *host) stats(got [numKinds]int64, viewers int, unmatched int64) *MustStats {
	h.mu.Lock()
	count := h.count
	h.mu.Unlock()
	m := &MustStats{
		Pins: count[kindPin], PinDelivered: got[kindPin],
		Prices: count[kindPrice], PriceDelivered: got[kindPrice],
		HostErrors: h.errors.Load(), Unmatched: unmatched,
	}
	if e := count[kindPin] * int64(viewers); e > 0 {
		m.PinDeliveredRatio = round(float64(got[kindPin])/float64(e), 5)
	}
	if e := count[kindPrice] * int64(viewers); e > 0 {
		m.PriceDeliveredRat = round(float64(got[kindPrice])/float64(e), 5)
	}
	m.PinP50ms = h.hist[kindPin].quantileMs(0.50)
	m.PinP99ms = h.hist[kindPin].quantileMs(0.99)
	m.PinMaxMs = h.hist[kindPin].quantileMs(1)
	m.PriceP99ms = h.hist[kindPrice].quantileMs(0.99)
	m.PriceMaxMs = h.hist[kindPrice].quantileMs(1)
	return m
}
