// Package cluster runs one show over several processes on NATS: an owner,
// the server that holds the show (package server's Server, with a
// journal), and edges that hold viewers' sockets (server's Edge). The
// owner writes every event to a JetStream stream, one stream per show,
// each event published with the stream sequence it expects before it, so
// the protocol's seq is the stream's sequence and a second owner is
// fenced out. Edges follow the stream with an ordered consumer and fan it
// out; viewers' hellos and commands go to the owner by request and reply;
// what the owner sends one viewer goes back on a subject of its edge.
//
// Subjects, for a show whose ID is SHOW:
//
//	livecart.SHOW.ev.KIND       the stream's: the show's events (KIND: product.ID, pin,
//	                            settings, auction, giveaway, chat, other)
//	livecart.SHOW.join          edge → owner, request: a viewer's hello (server.RemoteJoin)
//	livecart.SHOW.rejoin        edge → owner, request: viewers the owner lost, quietly
//	livecart.SHOW.cmd           edge → owner, request: one frame a viewer sent
//	livecart.SHOW.leave         edge → owner, request: viewers whose sockets closed
//	livecart.SHOW.hb            edge → owner, request: an edge is alive, at this URL
//	livecart.SHOW.to.EDGE       owner → edge: frames for its viewers, and closes
//	livecart.SHOW.ended         owner → edges: the show is over
package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/livecart/livecart/protocol"
)

// Stream metadata keys: the epoch, which names the stream's history for
// resumes, and the identity key, so a viewer's identity outlives an
// owner's restart. A stream that is deleted and made again gets new ones.
const (
	metaEpoch       = "livecart_epoch"
	metaIdentityKey = "livecart_identity_key"
)

// Headers on the messages the cluster sends.
const (
	hdrLazy   = "Lc-Lazy"   // on an event: it may wait for a batch interval
	hdrStorm  = "Lc-Storm"  // on an event: the show is in a chat storm
	hdrEdge   = "Lc-Edge"   // on a request from an edge: which
	hdrKey    = "Lc-Key"    // on a command: the viewer's key
	hdrBinary = "Lc-Binary" // on a command: it was a binary frame
)

// Defaults.
const (
	// DefaultEdgeTimeout is how long the owner waits to hear from an edge
	// before it drops the edge's viewers (they rejoin if it comes back).
	DefaultEdgeTimeout = 3 * time.Second
	// DefaultLostAfter is how long an edge stays cut off from NATS before
	// it closes its viewers so they move to another edge.
	DefaultLostAfter = 3 * time.Second
	// heartbeatEvery is how often an edge tells the owner it is alive.
	heartbeatEvery = 500 * time.Millisecond
	// stormFresh: an event marked as sent in a chat storm puts an edge in
	// one only if it was stored less than this long ago; an older one is
	// the edge catching up on history, not the storm of now.
	stormFresh = time.Second
	// ownerRetry is how long a starting edge waits between tries to
	// reach the show's owner.
	ownerRetry = 100 * time.Millisecond
	// requestWait bounds one request between edge and owner.
	requestWait = 3 * time.Second
	// maxLinkMessage is the most one owner → edge message carries, under
	// NATS's default payload limit of 1 MiB.
	maxLinkMessage = 512 << 10
)

// names are the stream and subjects of one show.
type names struct {
	stream string
	prefix string // livecart.SHOW.
}

func namesOf(showID string) names {
	// Show IDs are letters, digits, '-', '_' and '.': a '.' would split a
	// subject token, and a stream name may not hold one.
	tok := strings.ReplaceAll(showID, ".", "_")
	return names{stream: "LIVECART_" + tok, prefix: "livecart." + tok + "."}
}

func (n names) events() string            { return n.prefix + "ev.>" }
func (n names) subject(s string) string   { return n.prefix + s }
func (n names) toEdge(edge string) string { return n.prefix + "to." + edge }

// eventSubject is where an event of type typ (a product's: key) goes in
// the stream: one subject per piece of state an owner restores, so the
// latest of each is one lookup away.
func (n names) eventSubject(typ protocol.Type, key string) string {
	switch typ {
	case protocol.TypeProduct:
		return n.prefix + "ev.product." + key
	case protocol.TypePin, protocol.TypeUnpin:
		return n.prefix + "ev.pin"
	case protocol.TypeSettings:
		return n.prefix + "ev.settings"
	case protocol.TypeAuction:
		return n.prefix + "ev.auction"
	case protocol.TypeGiveaway:
		return n.prefix + "ev.giveaway"
	case protocol.TypeChat, protocol.TypeChatDeleted:
		return n.prefix + "ev.chat"
	}
	return n.prefix + "ev.other"
}

// randomID returns a fresh random ID, a valid protocol ID.
func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
