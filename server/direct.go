package server

import (
	"encoding/binary"
	"errors"
	"net"
	"runtime"
	"sync"
	"syscall"

	"github.com/gorilla/websocket"
)

// A batch is written to most connections by the flusher itself, not by a
// writer goroutine of the connection's (writeNow). On a busy show nearly
// every connection keeps up, its socket has room, and a write that does
// not wait for room costs one syscall; handing the batch to a goroutine
// per connection costs a queue offer, a wake-up, a select and gorilla's
// framing for each, which a profile at 10k viewers put at most of the
// server's CPU besides the syscall. The batch is framed once (wireFrames),
// and the same bytes go to every socket. A connection that cannot take all
// of it at once (its socket buffer is full, or it failed) gets a writer,
// which writes the rest under a deadline before anything else; until that
// writer is done, batches queue for it, and a queue that fills up evicts
// the connection.
//
// One goroutine at a time writes to a socket: whoever set conn.writing,
// the flusher for one write or a writer for a run of them. The exception
// is gorilla's own close frame on a client's protocol error or a frame
// over the read limit, sent from the read loop; the connection is ending
// then, and a close frame that lands inside a batch's rest only garbles
// its last frame.

// shardConns is the fewest connections worth a goroutine of their own in
// writeBatch: a goroutine costs about as much as writing to a few sockets.
const shardConns = 128

// writeBatch writes a batch (frames, and wire, the same framed by
// wireFrames) to conns, split over as many goroutines as the machine runs
// at once: the last viewer's latency is the time the fan-out takes, and
// every write is a syscall that can run beside the others. Each
// connection is in one part, so its batches still reach it in order. It
// returns the connections whose queues were full, to evict.
func writeBatch(conns []*conn, frames [][]byte, wire []byte, at int64) []*conn {
	n := min(runtime.GOMAXPROCS(0), len(conns)/shardConns)
	if n <= 1 {
		return writeOrQueue(conns, frames, wire, at)
	}
	slow := make([][]*conn, n)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Go(func() { slow[i] = writeOrQueue(part(conns, i, n), frames, wire, at) })
	}
	all := writeOrQueue(part(conns, 0, n), frames, wire, at)
	wg.Wait()
	for _, s := range slow[1:] {
		all = append(all, s...)
	}
	return all
}

// part is the i-th of n parts of s, in order, of sizes that differ by one
// at most.
func part[T any](s []T, i, n int) []T {
	return s[i*len(s)/n : (i+1)*len(s)/n]
}

// writeOrQueue writes a batch to each of conns that takes it now, queues it
// for the others and kicks their writers, and returns those whose queues
// were full.
func writeOrQueue(conns []*conn, frames [][]byte, wire []byte, at int64) []*conn {
	var slow []*conn
	for _, c := range conns {
		if c.writeNow(wire, at) {
			continue
		}
		for _, f := range frames {
			select {
			case c.send <- f:
				continue
			default:
				slow = append(slow, c)
			}
			break
		}
		c.kick()
	}
	return slow
}

// wireFrames returns frames as they go on the wire: each one a WebSocket
// text message, unmasked as a server's are, one after the other. The
// result is shared by every connection and never changed.
func wireFrames(frames [][]byte) []byte {
	n := 0
	for _, f := range frames {
		n += len(f) + 10
	}
	b := make([]byte, 0, n)
	for _, f := range frames {
		b = appendTextFrame(b, f)
	}
	return b
}

// appendTextFrame appends payload as one final, unmasked text frame
// (RFC 6455, section 5.2).
func appendTextFrame(b, payload []byte) []byte {
	const finText = 0x80 | websocket.TextMessage
	b = append(b, finText)
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// rawSocket returns the socket under ws for writes that do not wait, or
// nil when it is not a TCP socket of the kernel's (a test's pipe, TLS),
// whose connections are then always written to by a writer.
func rawSocket(ws *websocket.Conn) syscall.RawConn {
	if ws == nil {
		return nil
	}
	nc := ws.NetConn()
	if d, ok := nc.(*deadlineConn); ok {
		nc = d.Conn
	}
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeNow writes wire, a batch framed by wireFrames, to c's socket from
// the calling goroutine, as far as the socket takes it without waiting, and
// stamps the write at (a hub clock reading). It returns false, having
// written nothing, when c must get the batch through its queue instead: a
// writer has it, something is queued ahead of the batch or a ping is due,
// c has ended, or its socket is not one writeNow can write to.
func (c *conn) writeNow(wire []byte, at int64) bool {
	if c.raw == nil || !c.writing.CompareAndSwap(false, true) {
		return false
	}
	if c.owed() {
		c.writing.Store(false)
		return false
	}
	n := c.tryWrite(wire)
	c.lastWrite.Store(at)
	if n < len(wire) {
		// The rest must follow before any other frame, and a writer can
		// wait for room; a failed socket fails the writer's write, which
		// ends the connection as any failed write does.
		c.rest, c.restPartial = wire[n:], n > 0
		c.startWriter()
		return true
	}
	c.release()
	return true
}

// tryWrite writes b to the socket without waiting for room and returns how
// many bytes went.
func (c *conn) tryWrite(b []byte) int {
	n := 0
	_ = c.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil || m <= 0 {
				break
			}
		}
		return true // never wait: a writer finishes what is left
	})
	return n
}

// writeRest writes what writeNow left of a batch, under the write
// deadline the caller has set.
func (c *conn) writeRest() error {
	rest := c.rest
	c.rest, c.restPartial = nil, false
	nc := c.ws.NetConn()
	err := nc.SetWriteDeadline(c.deadline)
	if err == nil {
		_, err = nc.Write(rest)
	}
	if err != nil {
		// gorilla did not write it, so it does not know to refuse a
		// close frame after it.
		c.broken = true
	}
	return err
}
