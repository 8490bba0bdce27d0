package sshshow

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Files kept in the state directory (Config.StateDir).
const (
	hostKeyFile  = "host_ed25519" // the server's host key; host_ed25519.pub beside it
	secretFile   = "identity.key" // the key that turns fingerprints into client IDs
	cartsDir     = "carts"        // one cart file per public key and show
	secretBytes  = 32
	stateDirPerm = 0o700
)

// loadSecret reads the identity key from dir, making one on first start.
// It is the server's own: with it, nobody who learns a public key (public
// by nature) can compute the client ID that routes that viewer's orders.
func loadSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, secretFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		secret := make([]byte, secretBytes)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("make identity key: %w", err)
		}
		if err := renameio.WriteFile(path, []byte(hex.EncodeToString(secret)+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write identity key %s: %w", path, err)
		}
		return secret, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read identity key %s: %w", path, err)
	}
	secret, err := hex.DecodeString(string(trimNewline(raw)))
	if err != nil || len(secret) != secretBytes {
		return nil, fmt.Errorf("identity key %s is damaged: want %d hex-encoded bytes; remove it to make a new one (SSH viewers then start with new identities and empty carts)", path, secretBytes)
	}
	return secret, nil
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
