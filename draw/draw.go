// Package draw is the giveaway draw anyone can check: a winner chosen from
// a seed the server committed to before entries opened, and the record
// that lets anyone recompute it. The scheme, with a worked example, is in
// docs/PROTOCOL.md under "Giveaway draw". Nothing here does I/O beyond
// reading crypto/rand in NewSeed.
package draw

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/livecart/livecart/protocol"
)

// MaxEntrants is the most entrants a giveaway may have. A server stops
// taking entries there; a verifier refuses a record listing more.
const MaxEntrants = 100_000

// SeedSize is the size of a seed, in bytes.
const SeedSize = 32

// NewSeed returns a secret seed from crypto/rand, made when a giveaway
// starts.
func NewSeed() ([SeedSize]byte, error) {
	var seed [SeedSize]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return seed, fmt.Errorf("giveaway seed: %w", err)
	}
	return seed, nil
}

// Commit returns the commitment published when a giveaway starts:
// hex(SHA-256(seed || giveawayID)). Binding the giveaway ID keeps one
// seed's commitment from being passed off as another giveaway's.
func Commit(seed [SeedSize]byte, giveawayID string) string {
	h := sha256.New()
	h.Write(seed[:])
	h.Write([]byte(giveawayID))
	return hex.EncodeToString(h.Sum(nil))
}

// Sort returns the entrants as they are drawn from: valid identity IDs,
// sorted in byte order, each once. The input is left as it was. It
// refuses an invalid ID (one could hold the newline the hash separates
// IDs with) and more than MaxEntrants distinct IDs.
func Sort(entrants []string) ([]string, error) {
	for i, e := range entrants {
		if !protocol.ValidID(e) {
			return nil, fmt.Errorf("entrant %d: %s is not a valid id", i+1, quote(e))
		}
	}
	sorted := slices.Compact(slices.Sorted(slices.Values(entrants)))
	if len(sorted) > MaxEntrants {
		return nil, fmt.Errorf("%d entrants, more than %d", len(sorted), MaxEntrants)
	}
	return sorted, nil
}

// EntrantsHash returns hex(SHA-256) of the entrants joined by "\n", with
// no newline at the end, in the order given: the list Sort returns.
func EntrantsHash(sorted []string) string {
	h := sha256.New()
	for i, e := range sorted {
		if i > 0 {
			h.Write([]byte{'\n'})
		}
		h.Write([]byte(e))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WinnerIndex draws the winner's index among n entrants from the seed and
// the entrants hash (hex, as EntrantsHash returns it). For c = 0, 1, …
// it takes the first 8 bytes of HMAC-SHA256(seed, hash || uint32 c) as a
// big-endian x, and returns x mod n for the first x below the largest
// multiple of n that fits in 2^64, so every index is equally likely.
func WinnerIndex(seed [SeedSize]byte, entrantsHash string, n int) (int, error) {
	hash, err := decodeHex32("entrants hash", entrantsHash)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("cannot draw a winner from %d entrants", n)
	}
	mac := hmac.New(sha256.New, seed[:])
	msg := make([]byte, 0, len(hash)+4)
	x := func(c uint32) uint64 {
		mac.Reset()
		mac.Write(binary.BigEndian.AppendUint32(append(msg[:0], hash[:]...), c))
		return binary.BigEndian.Uint64(mac.Sum(nil))
	}
	return pick(x, uint64(n))
}

// pick returns the index the stream x draws among n: x(c) mod n for the
// first counter c whose x(c) is accepted.
func pick(x func(c uint32) uint64, n uint64) (int, error) {
	for c := uint32(0); ; c++ {
		if v := x(c); accept(v, n) {
			return int(v % n), nil
		}
		if c == math.MaxUint32 {
			// Each try is rejected with probability under n/2^64.
			return 0, errors.New("no draw accepted in 2^32 tries")
		}
	}
}

// accept reports whether x is below limit(n) = 2^64 − (2^64 mod n): the
// values under it fall evenly on every residue mod n; the few above it
// would favour the low ones and are drawn again.
func accept(x, n uint64) bool {
	rem := (math.MaxUint64%n + 1) % n // 2^64 mod n
	// With rem 0 the limit is 2^64 itself and every x is under it;
	// otherwise 2^64 − rem is -rem in uint64.
	return rem == 0 || x < -rem
}

// decodeHex32 decodes s, which must be 64 lowercase hex digits: the form
// every hash and seed takes in a record, so a value has one spelling.
func decodeHex32(what, s string) ([32]byte, error) {
	var b [32]byte
	if len(s) != 2*len(b) || strings.IndexFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f')
	}) >= 0 {
		return b, fmt.Errorf("%s: want 64 lowercase hex digits, got %s", what, describe(s))
	}
	hex.Decode(b[:], []byte(s))
	return b, nil
}

// describe says what a malformed hex value is without printing all of a
// hostile one.
func describe(s string) string {
	if len(s) == 0 {
		return "nothing"
	}
	return fmt.Sprintf("%s (%d bytes)", quote(s), len(s))
}

// maxQuoted is how many bytes of a hostile value an error repeats.
const maxQuoted = 80

// quote is s quoted for an error message, cut to maxQuoted bytes.
func quote(s string) string {
	if len(s) > maxQuoted {
		return fmt.Sprintf("%q…", s[:maxQuoted])
	}
	return fmt.Sprintf("%q", s)
}
