package sshshow

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// clientIDPrefix marks client IDs derived from SSH keys.
const clientIDPrefix = "ssh-"

// identity is who an SSH session is to the show.
type identity struct {
	fingerprint string // SHA256:… of the public key; empty without one
	clientID    string // for the hello; empty: the session makes up one
	name        string // asked for; the server sanitizes and deduplicates it
}

// identify derives a session's identity from its public key and user name.
func identify(secret []byte, sess ssh.Session) identity {
	id := identity{name: sess.User()}
	if key := sess.PublicKey(); key != nil {
		id.fingerprint = gossh.FingerprintSHA256(key)
		id.clientID = clientIDFor(secret, id.fingerprint)
	}
	return id
}

// clientIDFor turns a key's fingerprint into a client ID: keyed, so that
// the ID cannot be computed from the public key alone, and valid as
// protocol.ValidID requires (letters, digits and '-', 4+32 bytes).
func clientIDFor(secret []byte, fingerprint string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(fingerprint))
	return clientIDPrefix + hex.EncodeToString(mac.Sum(nil)[:16])
}
