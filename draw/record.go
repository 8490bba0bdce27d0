package draw

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/livecart/livecart/protocol"
)

// Scheme names the draw a record follows. A verifier refuses any other, so
// a later scheme (one mixing in a public beacon, say) is never checked by
// the rules of this one.
const Scheme = "livecart-draw-1"

// NoWinner is the winner index of a giveaway nobody entered.
const NoWinner = -1

// MaxRecordBytes is the largest record a verifier reads, in bytes. The
// largest record a server can publish, MaxEntrants IDs of the longest
// length, takes about 6.7 MB as compact JSON and 7.2 MB indented one
// entrant a line; 8 MiB holds either.
const MaxRecordBytes = 8 << 20

// Record is what a server publishes once a giveaway is drawn, as JSON at
// GET /giveaways/{id}; everything a verifier needs. The JSON field names
// are part of the protocol (docs/PROTOCOL.md, "Giveaway draw").
type Record struct {
	Scheme     string `json:"scheme"` // always Scheme
	GiveawayID string `json:"giveaway_id"`
	// ProductID and ProductName say what was given away. They are the
	// server's word: the draw does not cover them.
	ProductID   string `json:"product_id,omitempty"`
	ProductName string `json:"product_name,omitempty"`
	// Commitment is hex(SHA-256(seed || giveaway_id)), published when the
	// giveaway started.
	Commitment string `json:"commitment"`
	// Entrants are the identity IDs that entered, sorted in byte order,
	// each once.
	Entrants     []string `json:"entrants"`
	EntrantsHash string   `json:"entrants_hash"` // hex(SHA-256 of Entrants joined by "\n")
	Seed         string   `json:"seed"`          // the seed, revealed: 64 hex digits
	// WinnerIndex is the drawn index into Entrants, NoWinner when nobody
	// entered.
	WinnerIndex int    `json:"winner_index"`
	Winner      string `json:"winner"` // Entrants[WinnerIndex]; "" when nobody entered
	// WinnerName is the winner's display name, the server's word like the
	// product: only the ID is drawn.
	WinnerName string `json:"winner_name,omitempty"`
}

// NewRecord draws a giveaway: it sorts the entrants (see Sort), hashes
// them and draws the winner from seed, filling every field but the
// product and the winner's name, which the caller adds.
func NewRecord(seed [SeedSize]byte, giveawayID string, entrants []string) (Record, error) {
	if !protocol.ValidID(giveawayID) {
		return Record{}, fmt.Errorf("giveaway id %s is not a valid id", quote(giveawayID))
	}
	sorted, err := Sort(entrants)
	if err != nil {
		return Record{}, err
	}
	r := Record{
		Scheme:       Scheme,
		GiveawayID:   giveawayID,
		Commitment:   Commit(seed, giveawayID),
		Entrants:     sorted,
		EntrantsHash: EntrantsHash(sorted),
		Seed:         hex.EncodeToString(seed[:]),
		WinnerIndex:  NoWinner,
	}
	if len(sorted) == 0 {
		r.Entrants = []string{} // [] in JSON, not null
		return r, nil
	}
	if r.WinnerIndex, err = WinnerIndex(seed, r.EntrantsHash, len(sorted)); err != nil {
		return Record{}, err
	}
	r.Winner = sorted[r.WinnerIndex]
	return r, nil
}

// ParseRecord decodes a record from JSON: one object, no more than
// MaxRecordBytes, its fields checked by Validate. Unknown fields are
// ignored, as everywhere in the protocol; the scheme says how to check.
func ParseRecord(data []byte) (Record, error) {
	var r Record
	if len(data) > MaxRecordBytes {
		return r, fmt.Errorf("not a giveaway record: %d bytes, more than %d", len(data), MaxRecordBytes)
	}
	if !utf8.Valid(data) {
		return r, errors.New("not a giveaway record: not UTF-8 text")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("not a giveaway record: %s", jsonError(data, dec, err))
	}
	end := dec.InputOffset()
	if rest := bytes.TrimLeft(data[end:], " \t\r\n"); len(rest) > 0 {
		return Record{}, fmt.Errorf("not a giveaway record: %s: more after the record's closing brace", position(data, int64(len(data)-len(rest))))
	}
	if err := r.Validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// jsonError says where and why data did not decode.
func jsonError(data []byte, dec *json.Decoder, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// Offset is just past the byte that broke the syntax.
		return fmt.Sprintf("%s: %s", position(data, syntax.Offset-1), syntax.Error())
	case errors.As(err, &typ) && typ.Field != "":
		// The field's name says where; Offset is the value's end.
		return fmt.Sprintf("%s: want %s, got %s", typ.Field, kind(typ.Type), typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("want a JSON object, got %s", typ.Value)
	case errors.Is(err, io.EOF):
		return "empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends in the middle"
	}
	return fmt.Sprintf("%s: %v", position(data, dec.InputOffset()), err)
}

// kind names what a Go type holds in JSON terms.
func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(kind(t.Elem()), "a ") + "s"
	}
	return t.String()
}

// position is "line L, column C" of offset in data, both from 1, the
// column in characters.
func position(data []byte, offset int64) string {
	before := data[:min(max(offset, 0), int64(len(data)))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Validate checks that every field has a shape the scheme allows, treating
// the record as hostile: the scheme, the IDs, the hex values' lengths, the
// entrant count and the names' lengths. Whether the values agree is
// Verify's job.
func (r Record) Validate() error {
	if r.Scheme != Scheme {
		return fmt.Errorf("scheme %s is not %q, the only scheme this livecart checks", quote(r.Scheme), Scheme)
	}
	if !protocol.ValidID(r.GiveawayID) {
		return fmt.Errorf("giveaway_id %s is not a valid id", quote(r.GiveawayID))
	}
	if r.ProductID != "" && !protocol.ValidID(r.ProductID) {
		return fmt.Errorf("product_id %s is not a valid id", quote(r.ProductID))
	}
	if err := checkName("product_name", r.ProductName, protocol.MaxProductNameRunes); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{
		{"commitment", r.Commitment}, {"entrants_hash", r.EntrantsHash}, {"seed", r.Seed},
	} {
		if _, err := decodeHex32(f.name, f.value); err != nil {
			return err
		}
	}
	if len(r.Entrants) > MaxEntrants {
		return fmt.Errorf("entrants: %d of them, more than %d", len(r.Entrants), MaxEntrants)
	}
	for i, e := range r.Entrants {
		if !protocol.ValidID(e) {
			return fmt.Errorf("entrants[%d]: %s is not a valid id", i, quote(e))
		}
	}
	if r.Winner != "" && !protocol.ValidID(r.Winner) {
		return fmt.Errorf("winner %s is not a valid id", quote(r.Winner))
	}
	return checkName("winner_name", r.WinnerName, protocol.MaxNameRunes)
}

// checkName checks a name the server gives for people to read.
func checkName(field, s string, maxRunes int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return fmt.Errorf("%s is %d characters, more than %d", field, n, maxRunes)
	}
	return nil
}

// The fields Verify compares, in the order it compares them: a
// MismatchError's Field is one of these.
const (
	FieldCommitment   = "commitment"
	FieldEntrantsHash = "entrants_hash"
	FieldEntrants     = "entrants" // a list that hashes right but is not sorted and deduplicated
	FieldWinnerIndex  = "winner_index"
	FieldWinner       = "winner"
)

// MismatchError is a record's value that is not what its other values
// make it.
type MismatchError struct {
	Field     string // the JSON name of the first value that does not match
	Published string // what the record says
	Computed  string // what its other values make it
	Detail    string // a hint at why, or ""
}

func (e *MismatchError) Error() string {
	var msg string
	switch e.Field {
	case FieldCommitment:
		msg = fmt.Sprintf("commitment does not match the seed: SHA-256(seed || giveaway_id) is %s; the record says %s", e.Computed, e.Published)
	case FieldEntrantsHash:
		msg = fmt.Sprintf("entrants hash does not match the entrants: the list hashes to %s; the record says %s", e.Computed, e.Published)
	case FieldEntrants:
		msg = "entrants are not sorted in byte order without duplicates, as the scheme has them hashed"
	case FieldWinnerIndex:
		msg = fmt.Sprintf("winner index does not match: the seed and entrants draw %s; the record says %s", e.Computed, e.Published)
	case FieldWinner:
		msg = fmt.Sprintf("winner does not match: the entrant at the winner index is %s; the record says %s", e.Computed, e.Published)
	default:
		msg = fmt.Sprintf("%s does not match: %s, not %s", e.Field, e.Computed, e.Published)
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Verify checks the record as anyone can: its shape (Validate), then that
// the seed gives the commitment, that the entrants give the entrants hash
// and are in the scheme's order, that the seed and the hash draw the
// winner index, and that the entrant there is the winner. The first value
// that does not match comes back as a *MismatchError.
//
// Verify does not know which commitment was announced when the giveaway
// started: whoever checks compares that with Commitment themselves.
func (r Record) Verify() error {
	if err := r.Validate(); err != nil {
		return err
	}
	seed, _ := decodeHex32("seed", r.Seed) // Validate checked it
	if c := Commit(seed, r.GiveawayID); c != r.Commitment {
		return &MismatchError{Field: FieldCommitment, Published: r.Commitment, Computed: c}
	}
	if h := EntrantsHash(r.Entrants); h != r.EntrantsHash {
		return &MismatchError{Field: FieldEntrantsHash, Published: r.EntrantsHash, Computed: h, Detail: listProblem(r.Entrants)}
	}
	if problem := listProblem(r.Entrants); problem != "" {
		return &MismatchError{Field: FieldEntrants, Detail: problem}
	}
	n := len(r.Entrants)
	want := NoWinner
	if n > 0 {
		var err error
		if want, err = WinnerIndex(seed, r.EntrantsHash, n); err != nil {
			return err
		}
	}
	if r.WinnerIndex != want {
		return &MismatchError{Field: FieldWinnerIndex, Published: fmt.Sprint(r.WinnerIndex), Computed: describeIndex(want, n)}
	}
	winner := ""
	if want != NoWinner {
		winner = r.Entrants[want]
	}
	if r.Winner != winner {
		return &MismatchError{Field: FieldWinner, Published: quote(r.Winner), Computed: quote(winner)}
	}
	return nil
}

// describeIndex says what index the draw gave.
func describeIndex(i, n int) string {
	if i == NoWinner {
		return fmt.Sprintf("%d, no winner: nobody entered", NoWinner)
	}
	return fmt.Sprintf("%d of 0 to %d", i, n-1)
}

// listProblem says how entrants differ from the sorted, duplicate-free
// list the scheme hashes, or "" when they do not.
func listProblem(entrants []string) string {
	for i := 1; i < len(entrants); i++ {
		switch {
		case entrants[i-1] == entrants[i]:
			return fmt.Sprintf("entrants[%d] repeats %s", i, quote(entrants[i]))
		case entrants[i-1] > entrants[i]:
			return fmt.Sprintf("the list is not in byte order at entrants[%d]", i)
		}
	}
	return ""
}
