// Package sshshow serves the viewer's screen to SSH sessions, next to the
// show's WebSocket endpoint: `ssh -p 2222 name@host` watches the show
// without installing livecart.
//
// Each session is an ordinary viewer. Its program runs here, on the
// server, and speaks the protocol to the show over a loopback WebSocket,
// through the same hub, limits and moderation as any other viewer. Who the
// viewer is follows the SSH public key: the client ID in its hello is
// derived from the key's SHA-256 fingerprint, so bans, timeouts, orders and
// the cart (kept here, per key and show) come back with the key. A session
// without a key is someone new each time, with a cart for that session
// only.
package sshshow
