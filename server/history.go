package server

import (
	"crypto/rand"
	"encoding/hex"
)

// replayChunk is the most one replay frame holds before the next one
// starts, so a resume costs a few queue places however much it replays.
// The write loop may add one more queued item to a frame, which stays far
// under protocol.MaxServerFrame.
const replayChunk = batchBytes

// newEpoch returns a fresh random epoch, a valid protocol ID. A client that
// resumes with another server's epoch, or this process's predecessor's,
// gets a snapshot: its seqs mean nothing here.
func newEpoch() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails; it crashes the program instead
	return hex.EncodeToString(b)
}

// event is one published show event as it went out on the wire.
type event struct {
	seq   uint64
	frame []byte // shared with every connection's queue; never modified
}

// history keeps the most recent show events, oldest first. Seqs in it are
// consecutive and the newest is the server's current seq.
type history struct {
	ring  []event
	start int // index of the oldest event
	n     int
}

func newHistory(size int) history {
	return history{ring: make([]event, size)}
}

func (h *history) add(seq uint64, frame []byte) {
	if h.n < len(h.ring) {
		h.ring[(h.start+h.n)%len(h.ring)] = event{seq: seq, frame: frame}
		h.n++
		return
	}
	h.ring[h.start] = event{seq: seq, frame: frame}
	h.start = (h.start + 1) % len(h.ring)
}

// since returns the frames of every event after seq after, oldest first,
// when the history still holds all of them. current is the seq of the
// newest event. A seq from the future cannot be resumed.
func (h *history) since(after, current uint64) ([][]byte, bool) {
	if after > current || current-after > uint64(h.n) {
		return nil, false
	}
	k := int(current - after)
	out := make([][]byte, k)
	for i := range k {
		out[i] = h.ring[(h.start+h.n-k+i)%len(h.ring)].frame
	}
	return out, true
}

// chunk joins events into frames of newline-separated events, each at most
// limit bytes unless a single event is larger.
func chunk(frames [][]byte, limit int) [][]byte {
	var out [][]byte
	var cur []byte
	for _, f := range frames {
		if len(cur) > 0 && len(cur)+1+len(f) > limit {
			out = append(out, cur)
			cur = nil
		}
		if len(cur) > 0 {
			cur = append(cur, '\n')
		}
		cur = append(cur, f...)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
