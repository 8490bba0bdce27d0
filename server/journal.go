package server

import (
	"context"
	"errors"

	"github.com/livecart/livecart/protocol"
)

// The journal seam. A show whose events must outlive its process, and
// reach edges that serve its viewers (package cluster), is given a
// Journal: the flusher stores each batch in it, in seq order, before it
// offers the batch to any connection, so nobody sees an event the journal
// does not hold. The store is I/O: it runs on the flusher's goroutine
// with the show's lock released (flushMu still keeps batches in order).
// A journal that refuses a batch ends the show's server: its seqs can no
// longer agree with the journal's.

// Journal stores a show's events in seq order. The journal's sequence is
// the protocol's seq: Append must refuse a batch whose first seq is not
// one past the last it holds, which is how a second writer is fenced out.
type Journal interface {
	// Append stores entries, consecutive seqs in order, and returns once
	// they are stored. An error wrapping ErrFenced says another writer
	// has appended since; any error stops the show's server.
	Append(entries []JournalEntry) error
}

// ErrFenced is the error a Journal wraps when another writer holds the
// show's history: this server's seqs are stale.
var ErrFenced = errors.New("another server writes this show's events")

// JournalEntry is one show event as the journal stores it.
type JournalEntry struct {
	Seq   uint64
	Type  protocol.Type
	Key   string // a product event's product ID; empty for others
	Frame []byte // the encoded envelope, exactly as viewers get it
	Lazy  bool   // it may wait for a batch interval (chat, viewer counts)
	// Storm: the show's chat cap was holding lines back when it went out,
	// so lazy events wait longer (see stormFlushInterval); an edge batches
	// by the same rule.
	Storm bool
}

// store appends entries to the journal, without mu, and then lets joins
// that wait for them go on. It reports false when the journal refused:
// the hub is then shut down for a restart, and the show told.
func (h *hub) store(entries []JournalEntry) bool {
	err := h.journal.Append(entries)
	if err == nil {
		h.locked(func() { h.advanceLocked(entries[len(entries)-1].Seq) })
		return true
	}
	if h.failed != nil {
		h.failed(err) // shuts the hub down, with what the show runs
	} else {
		h.locked(func() { h.closeLocked(false) })
	}
	return false
}

// advanceLocked records that every event up to seq is stored.
func (h *hub) advanceLocked(seq uint64) {
	if seq <= h.durable {
		return
	}
	h.durable = seq
	close(h.advanced)
	h.advanced = make(chan struct{})
}

// waitStored returns once the journal holds every event up to seq, or
// false when ctx ends first or the hub has shut down.
func (h *hub) waitStored(ctx context.Context, seq uint64) bool {
	for {
		var ch chan struct{}
		done, closed := false, false
		h.locked(func() {
			done, closed, ch = h.durable >= seq, h.closed, h.advanced
		})
		switch {
		case done:
			return true
		case closed:
			return false
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}
