package server

import (
	"context"
	"time"

	"github.com/livecart/livecart/protocol"
)

// Viewers whose sockets are on edges (package cluster runs them, relay.go
// is their side). The owner, the server that holds the show, keeps a
// member for each: a conn without a socket, joined like any other, so
// that the show's rules (identity, bans and timeouts, rate limits, slow
// mode, caps, entries, bids, orders to every connection of a client) apply
// to it as they do to a local viewer, and the viewer count is the
// audience's across every edge. Such a member is not on the fan-out list:
// show events reach it through the journal and its edge. What the show
// sends it alone (errors, orders, notices, bids, wins) goes to its Link.

// Link carries what the owner sends to the viewers of one edge. Its
// methods are called with the show's lock held: they must not block, and
// they must keep the order of the calls for each key.
type Link interface {
	// Send passes one frame for the viewer keyed key.
	Send(key string, frame []byte)
	// End closes the viewer's socket with code and reason, after what was
	// sent before.
	End(key string, code int, reason string)
	// Alternates is the welcome's alternates for a viewer of this edge:
	// the show's other edges, in an order of their own for each call.
	Alternates() []string
}

// RemoteJoin is a hello an edge passes on.
type RemoteJoin struct {
	Key    string         `json:"key"` // names the viewer's socket among every edge's
	Hello  protocol.Hello `json:"hello"`
	Remote string         `json:"remote"` // the viewer's address, for the log
	// Host is the Host the viewer reached its edge by, as the edge's host
	// rule admitted it: the welcome's links are on it when the owner
	// listens on every address (see reachedAs).
	Host string `json:"host,omitempty"`
	// Resume says the edge can replay what the hello's resume asks for:
	// the epoch is the show's and the events are in its reach.
	Resume bool `json:"resume,omitempty"`
	// Quiet rejoins a viewer the edge still serves, after this server
	// restarted or lost the edge: nothing is sent to it.
	Quiet bool `json:"quiet,omitempty"`
}

// RemoteWelcome is the owner's answer to a RemoteJoin.
type RemoteWelcome struct {
	// Frames are the welcome, then what followed it for this viewer
	// alone (slow mode, an entry, an auction's standing).
	Frames [][]byte `json:"frames,omitempty"`
	// Seq is the seq the welcome is at: the edge sends the viewer the
	// show events after it.
	Seq     uint64 `json:"seq"`
	Resumed bool   `json:"resumed,omitempty"`
	// Code, when not zero, refuses the viewer: close with it and Reason.
	Code   int    `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// RemoteVerdict is the owner's answer to a viewer's frame.
type RemoteVerdict struct {
	// Unknown: the owner has no such viewer (it restarted, or dropped the
	// edge); the edge rejoins it and sends the frame again.
	Unknown bool `json:"unknown,omitempty"`
}

// farSide is a conn's part in a socket held by another process.
type farSide struct {
	key string
	// The owner's side of a viewer on an edge.
	link      Link
	capturing bool     // joining: what is offered goes into captured
	captured  [][]byte // the welcome and what follows it
	resume    bool     // the edge can replay what the resume asks for
	at        uint64   // the welcome's seq
	resumed   bool
	// The edge's side (relay.go).
	hello    protocol.Hello
	welcomed bool     // its welcome is queued: the owner's frames go straight on
	early    [][]byte // the owner's frames that came before the welcome
	wait     *waitingJoin
}

// offer passes one frame of the owner's to the edge, or keeps it for the
// join's answer.
func (f *farSide) offer(frame []byte) {
	if f.capturing {
		f.captured = append(f.captured, frame)
		return
	}
	f.link.Send(f.key, frame)
}

// onEdge reports whether c is an owner's member for a viewer on an edge.
func (c *conn) onEdge() bool { return c.far != nil && c.far.link != nil }

// joinWait bounds how long an edge's join waits for the journal to hold
// the welcome's seq.
const joinWait = 5 * time.Second

// JoinRemote joins a viewer whose socket is on the edge behind link, as
// a hello on a socket of its own would, and returns its welcome. A
// RemoteJoin with a key already joined replaces that member.
func (s *Server) JoinRemote(link Link, j RemoteJoin) RemoteWelcome {
	if j.Hello.Token != "" {
		return RemoteWelcome{Code: protocol.CloseBadHello, Reason: edgeHostReason}
	}
	if err := j.Hello.Validate(); err != nil || j.Hello.Version != protocol.Version {
		return RemoteWelcome{Code: protocol.CloseBadHello, Reason: "invalid hello"}
	}
	c := &conn{hub: s.hub, remote: j.Remote, done: make(chan struct{}), readDone: make(chan struct{})}
	c.far = &farSide{key: j.Key, link: link, capturing: true, resume: j.Resume}
	c.checkout = reachedAs(s.publicURL, j.Host) + "/cart/" + protocol.CheckoutPlaceholder
	c.limits = s.newThrottle()
	c.id = s.identify(j.Hello, false)
	c.clientID = j.Hello.ClientID
	registered := false
	s.hub.locked(func() {
		if s.hub.closedLocked() {
			return
		}
		if old := s.remote[j.Key]; old != nil {
			s.hub.endLocked(old, 0, "joined again")
		}
		s.remote[j.Key] = c
		s.hub.conns[c] = struct{}{}
		registered = true
	})
	if !registered {
		code, reason := s.hub.farewell()
		return RemoteWelcome{Code: code, Reason: reason}
	}
	if e := s.join(c, j.Hello.Resume); e != nil {
		s.hub.locked(func() {
			s.hub.endLocked(c, 0, e.reason)
			if s.remote[j.Key] == c {
				delete(s.remote, j.Key)
			}
		})
		return RemoteWelcome{Code: e.code, Reason: e.reason}
	}
	var w RemoteWelcome
	s.hub.locked(func() {
		w = RemoteWelcome{Frames: c.far.captured, Seq: c.far.at, Resumed: c.far.resumed}
		c.far.captured, c.far.capturing = nil, false
	})
	if j.Quiet {
		return RemoteWelcome{Seq: w.Seq}
	}
	s.log.Info("joined", "id", c.id.ID, "name", c.id.Name, "role", c.id.Role, "remote", c.remote, "key", j.Key)
	// The welcome must not be at a seq the journal may never hold.
	ctx, cancel := context.WithTimeout(context.Background(), joinWait)
	defer cancel()
	if !s.hub.waitStored(ctx, w.Seq) {
		return RemoteWelcome{Code: protocol.CloseTryAgainLater, Reason: "the show could not store its events"}
	}
	return w
}

// edgeHostReason is why a hello with a host token is refused through an
// edge.
const edgeHostReason = "hosts connect to the show's own server, not to an edge"

// CommandRemote applies one frame a viewer on an edge sent, as its read
// loop would: binary says it was a binary frame. Answers and errors go to
// the viewer's Link; a viewer that sent too many bad commands, or too many
// too fast, is closed through it.
func (s *Server) CommandRemote(key string, frame []byte, binary bool) RemoteVerdict {
	var c *conn
	s.hub.locked(func() { c = s.remote[key] })
	if c == nil {
		return RemoteVerdict{Unknown: true}
	}
	var e *ending
	if binary {
		drop, end := s.throttle(c, "")
		if e = end; e == nil && !drop {
			e = s.refuse(c, newError(protocol.ErrCodeBadRequest, "binary frames are not accepted"))
		}
	} else {
		envs, err := protocol.DecodeFrame(frame)
		kept := envs[:0]
		for _, env := range envs {
			if env.Type != protocol.TypePing { // the edge answers pings
				kept = append(kept, env)
			}
		}
		if e = s.handle(c, kept); e == nil && err != nil {
			e = s.refuse(c, newError(protocol.ErrCodeBadRequest, err.Error()))
		}
	}
	if e != nil {
		s.hub.end(c, e.code, e.reason)
	}
	return RemoteVerdict{}
}

// LeaveRemote takes the viewer keyed key out of the show: its socket on
// the edge has closed.
func (s *Server) LeaveRemote(key string) {
	s.hub.locked(func() {
		if c := s.remote[key]; c != nil {
			delete(s.remote, key)
			s.hub.endLocked(c, 0, "left")
		}
	})
}

// DropLink takes every viewer of link's edge out of the show: the edge is
// gone, or out of reach. Viewers it still serves rejoin (RemoteJoin.Quiet)
// when it is back.
func (s *Server) DropLink(link Link) int {
	n := 0
	s.hub.locked(func() {
		for key, c := range s.remote {
			if c.far.link == link {
				delete(s.remote, key)
				s.hub.endLocked(c, 0, "edge lost")
				n++
			}
		}
	})
	return n
}
