package draw

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// drawn is a record made the way a server makes one.
func drawn(t testing.TB, seed int, n int) Record {
	t.Helper()
	entrants := make([]string, n)
	for i := range entrants {
		entrants[i] = fmt.Sprintf("u-%010x", i*7919)
	}
	r, err := NewRecord(testSeed(seed), "gw-"+itoa(seed), entrants)
	if err != nil {
		t.Fatal(err)
	}
	r.ProductID, r.ProductName = "scarf-blue", "Blue Scarf"
	if r.Winner != "" {
		r.WinnerName = "Ana"
	}
	return r
}

// roundTrip encodes r as a server would serve it and parses it back.
func roundTrip(t *testing.T, r Record) (Record, error) {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return ParseRecord(data)
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 10, 1000} {
		r := drawn(t, n, n)
		got, err := roundTrip(t, r)
		if err != nil {
			t.Fatalf("%d entrants: %v", n, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("%d entrants: parsed\n%+v\nwant\n%+v", n, got, r)
		}
		if err := got.Verify(); err != nil {
			t.Errorf("%d entrants: %v", n, err)
		}
		if n == 0 && (got.WinnerIndex != NoWinner || got.Winner != "" || got.Entrants == nil) {
			t.Errorf("nobody entered: %+v", got)
		}
		if n == 1 && (got.WinnerIndex != 0 || got.Winner != got.Entrants[0]) {
			t.Errorf("one entrant: %+v", got)
		}
	}
}

// TestRecordJSON: the field names are the protocol's; an empty list is
// [] and the optional names are left out when empty.
func TestRecordJSON(t *testing.T) {
	r := drawn(t, 0, 0)
	r.ProductID, r.ProductName = "", ""
	data, _ := json.Marshal(r)
	var fields map[string]any
	json.Unmarshal(data, &fields)
	want := []string{"commitment", "entrants", "entrants_hash", "giveaway_id", "scheme", "seed", "winner", "winner_index"}
	if got := slices.Sorted(mapKeys(fields)); !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
	if !strings.Contains(string(data), `"entrants":[]`) || !strings.Contains(string(data), `"winner_index":-1`) {
		t.Errorf("no entrants: %s", data)
	}
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// mismatch asserts that err is a MismatchError on field.
func mismatch(t *testing.T, what string, err error, field string) {
	t.Helper()
	var m *MismatchError
	if !errors.As(err, &m) || m.Field != field {
		t.Errorf("%s: %v; want a mismatch of %s", what, err, field)
	}
}

func TestTamperedEntrants(t *testing.T) {
	base := drawn(t, 5, 8)
	cases := map[string]func([]string) []string{
		"one added":        func(e []string) []string { return slices.Insert(e, 3, "u-zz-sockpuppet") },
		"one added at end": func(e []string) []string { return append(e, "zzz") },
		"one removed":      func(e []string) []string { return slices.Delete(e, 2, 3) },
		"all removed":      func(e []string) []string { return []string{} },
		"two swapped":      func(e []string) []string { e[1], e[2] = e[2], e[1]; return e },
		"reversed":         func(e []string) []string { slices.Reverse(e); return e },
		"one changed":      func(e []string) []string { e[4] = e[4] + "x"; return e },
		"one repeated":     func(e []string) []string { return slices.Insert(e, 1, e[0]) },
	}
	for name, tamper := range cases {
		r := base
		r.Entrants = tamper(slices.Clone(base.Entrants))
		err := r.Verify()
		mismatch(t, name, err, FieldEntrantsHash)
		if err != nil && !strings.HasPrefix(err.Error(), "entrants hash does not match") {
			t.Errorf("%s: %v", name, err)
		}
		if _, err2 := roundTrip(t, r); err2 != nil {
			t.Errorf("%s: a tampered list is still a well-formed record, yet: %v", name, err2)
		}
	}
	// The hint says why when it can.
	r := base
	r.Entrants = slices.Clone(base.Entrants)
	slices.Reverse(r.Entrants)
	if err := r.Verify(); !strings.Contains(err.Error(), "not in byte order at entrants[1]") {
		t.Errorf("reversed: %v", err)
	}
	r.Entrants = slices.Insert(slices.Clone(base.Entrants), 1, base.Entrants[0])
	if err := r.Verify(); !strings.Contains(err.Error(), "entrants[1] repeats") {
		t.Errorf("repeated: %v", err)
	}
}

// TestUnsortedButHashed: a server that hashed its list unsorted is caught
// although the hash matches the list.
func TestUnsortedButHashed(t *testing.T) {
	r := drawn(t, 6, 5)
	slices.Reverse(r.Entrants)
	r.EntrantsHash = EntrantsHash(r.Entrants)
	mismatch(t, "unsorted list, hashed as it stands", r.Verify(), FieldEntrants)
}

func TestTamperedSeed(t *testing.T) {
	base := drawn(t, 7, 20)
	r := base
	digit := byte('0')
	if r.Seed[10] == digit {
		digit = '1'
	}
	r.Seed = r.Seed[:10] + string(digit) + r.Seed[11:] // one hex digit changed
	err := r.Verify()
	mismatch(t, "seed changed", err, FieldCommitment)
	if err != nil && !strings.HasPrefix(err.Error(), "commitment does not match the seed") {
		t.Errorf("seed changed: %v", err)
	}

	r = base
	r.Seed = strings.Repeat("0", 64)
	mismatch(t, "another seed", r.Verify(), FieldCommitment)

	r = base
	r.Commitment = Commit(testSeed(8), r.GiveawayID)
	mismatch(t, "another commitment", r.Verify(), FieldCommitment)

	r = base
	r.GiveawayID = "gw-other"
	mismatch(t, "another giveaway's record", r.Verify(), FieldCommitment)

	// A whole new draw under another seed, consistent but for the
	// commitment announced at the start.
	other, _ := NewRecord(testSeed(99), base.GiveawayID, base.Entrants)
	other.Commitment = base.Commitment
	mismatch(t, "redrawn with a new seed", other.Verify(), FieldCommitment)
}

func TestTamperedWinner(t *testing.T) {
	base := drawn(t, 9, 10)
	n := len(base.Entrants)
	for _, i := range []int{(base.WinnerIndex + 1) % n, NoWinner, n, -2, 1 << 40} {
		r := base
		r.WinnerIndex = i
		if i >= 0 && i < n {
			r.Winner = r.Entrants[i] // the index and the winner agree, the draw does not
		}
		err := r.Verify()
		mismatch(t, fmt.Sprintf("winner index %d", i), err, FieldWinnerIndex)
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("the seed and entrants draw %d of 0 to %d; the record says %d", base.WinnerIndex, n-1, i)) {
			t.Errorf("winner index %d: %v", i, err)
		}
	}
	for _, w := range []string{base.Entrants[(base.WinnerIndex+1)%n], "", "u-someone-else"} {
		r := base
		r.Winner = w
		mismatch(t, fmt.Sprintf("winner %q", w), r.Verify(), FieldWinner)
	}

	void := drawn(t, 10, 0)
	for _, i := range []int{0, 1} {
		r := void
		r.WinnerIndex = i
		err := r.Verify()
		mismatch(t, fmt.Sprintf("no entrants, index %d", i), err, FieldWinnerIndex)
		if err != nil && !strings.Contains(err.Error(), "no winner: nobody entered") {
			t.Errorf("no entrants: %v", err)
		}
	}
	r := void
	r.Winner = "u1"
	mismatch(t, "no entrants, a winner", r.Verify(), FieldWinner)
}

// TestHostileFields: values no server makes are refused before anything
// is computed, each with the field's name.
func TestHostileFields(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	cases := []struct {
		name   string
		tamper func(*Record)
		want   string
	}{
		{"no scheme", func(r *Record) { r.Scheme = "" }, `scheme "" is not "livecart-draw-1"`},
		{"another scheme", func(r *Record) { r.Scheme = "livecart-draw-2" }, "scheme"},
		{"empty giveaway", func(r *Record) { r.GiveawayID = "" }, "giveaway_id"},
		{"giveaway with a newline", func(r *Record) { r.GiveawayID = "gw\n1" }, `giveaway_id "gw\n1"`},
		{"bad product id", func(r *Record) { r.ProductID = "a b" }, "product_id"},
		{"long product name", func(r *Record) { r.ProductName = strings.Repeat("é", 81) }, "product_name is 81 characters"},
		{"product name not UTF-8", func(r *Record) { r.ProductName = "\xff" }, "product_name is not valid UTF-8"},
		{"short commitment", func(r *Record) { r.Commitment = hex[:62] }, "commitment: want 64 lowercase hex digits"},
		{"upper-case commitment", func(r *Record) { r.Commitment = strings.ToUpper(r.Commitment) }, "commitment"},
		{"empty hash", func(r *Record) { r.EntrantsHash = "" }, "entrants_hash: want 64 lowercase hex digits, got nothing"},
		{"long seed", func(r *Record) { r.Seed = hex + "00" }, "seed: want 64"},
		{"seed not hex", func(r *Record) { r.Seed = "g" + hex[1:] }, "seed"},
		{"entrant with a newline", func(r *Record) { r.Entrants[2] = "a\nb" }, `entrants[2]: "a\nb" is not a valid id`},
		{"empty entrant", func(r *Record) { r.Entrants[0] = "" }, "entrants[0]"},
		{"long entrant", func(r *Record) { r.Entrants[0] = strings.Repeat("a", 65) }, "entrants[0]"},
		{"too many entrants", func(r *Record) { r.Entrants = make([]string, MaxEntrants+1) }, "entrants: 100001 of them, more than 100000"},
		{"bad winner", func(r *Record) { r.Winner = "\x1b]0;owned\x07" }, "winner"},
		{"long winner name", func(r *Record) { r.WinnerName = strings.Repeat("n", 25) }, "winner_name is 25 characters"},
	}
	for _, c := range cases {
		r := drawn(t, 11, 4)
		r.Entrants = slices.Clone(r.Entrants)
		c.tamper(&r)
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if err2 := r.Verify(); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: Verify says %v, Validate %v", c.name, err2, err)
		}
		if strings.ContainsAny(fmt.Sprint(err), "\x1b\x07\n") {
			t.Errorf("%s: the error repeats control characters: %q", c.name, err)
		}
	}
}

func TestParseRecordErrors(t *testing.T) {
	good, _ := json.Marshal(drawn(t, 12, 3))
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "not a giveaway record: empty"},
		{"garbage", "hello", "not a giveaway record: line 1, column 1: invalid character 'h'"},
		{"HTML", "<html>\n<body>Not found</body>", "not a giveaway record: line 1, column 1: invalid character '<'"},
		{"cut short", string(good[:40]), "not a giveaway record: it ends in the middle"},
		{"array", "[1,2]", "not a giveaway record: want a JSON object, got array"},
		{"null", "null", `scheme "" is not`},
		{"number index", `{"winner_index": "3"}`, "not a giveaway record: winner_index: want a whole number, got string"},
		{"index too big", `{"winner_index": 1e30}`, "winner_index: want a whole number, got number 1e30"},
		{"entrants not a list", "{\n\"entrants\": \"a\"}", "not a giveaway record: entrants: want a list of strings, got string"},
		{"entrant a number", `{"entrants": ["a", 1]}`, "not a giveaway record: entrants: want a string, got number"},
		{"two records", string(good) + "\n" + string(good), "not a giveaway record: line 2, column 1: more after the record's closing brace"},
		{"not UTF-8", "{\"winner_name\": \"\xff\"}", "not UTF-8"},
		{"too big", "{" + strings.Repeat(" ", MaxRecordBytes) + "}", "more than 8388608"},
	}
	for _, c := range cases {
		_, err := ParseRecord([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// White space after the record is fine.
	if _, err := ParseRecord(append(good, " \n"...)); err != nil {
		t.Errorf("trailing newline: %v", err)
	}
}

// TestLargestRecordFits: a record with the most entrants, each the
// longest ID, is within MaxRecordBytes and verifies.
func TestLargestRecordFits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a record of 100,000 entrants")
	}
	entrants := make([]string, MaxEntrants)
	for i := range entrants {
		entrants[i] = fmt.Sprintf("%064d", i)
	}
	r, err := NewRecord(testSeed(13), strings.Repeat("g", 64), entrants)
	if err != nil {
		t.Fatal(err)
	}
	r.ProductID, r.ProductName, r.WinnerName = strings.Repeat("p", 64), strings.Repeat("名", 80), strings.Repeat("名", 24)
	data, _ := json.MarshalIndent(r, "", "  ")
	if len(data) > MaxRecordBytes {
		// Indented, one entrant a line: more than a server sends, and
		// still it must fit.
		t.Fatalf("largest record is %d bytes, over %d", len(data), MaxRecordBytes)
	}
	got, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Verify(); err != nil {
		t.Fatal(err)
	}
}
