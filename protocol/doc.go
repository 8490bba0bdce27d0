// Package protocol is livecart's wire format: the envelope, every event and
// command payload, their validation, the size limits and the close codes.
// Client and server both build on it so the two sides cannot drift; the
// prose version lives in docs/PROTOCOL.md.
package protocol
