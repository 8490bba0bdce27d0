package draw

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"
)

// testSeed is a seed made from i, so tests draw the same every run.
func testSeed(i int) [SeedSize]byte {
	return sha256.Sum256(binary.BigEndian.AppendUint64([]byte("livecart draw test seed "), uint64(i)))
}

func TestNewSeed(t *testing.T) {
	a, err := NewSeed()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSeed()
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a == [SeedSize]byte{} {
		t.Fatalf("two seeds: %x, %x", a, b)
	}
}

func TestSort(t *testing.T) {
	in := []string{"u7", "ana-3", "u12", "u7", "bo", "Zed", "a.b_c"}
	orig := slices.Clone(in)
	got, err := Sort(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Zed", "a.b_c", "ana-3", "bo", "u12", "u7"}; !slices.Equal(got, want) {
		t.Errorf("Sort = %q, want %q", got, want)
	}
	if !slices.Equal(in, orig) {
		t.Errorf("Sort changed its input: %q", in)
	}
	if got, err := Sort(nil); err != nil || len(got) != 0 {
		t.Errorf("Sort(nil) = %q, %v", got, err)
	}
	for _, bad := range []string{"", "a\nb", "a b", "ü", strings.Repeat("x", 65), "a/b"} {
		if _, err := Sort([]string{"ok", bad}); err == nil || !strings.Contains(err.Error(), "entrant 2") {
			t.Errorf("Sort with %q: %v", bad, err)
		}
	}
	if _, err := Sort([]string{strings.Repeat("x", 64)}); err != nil {
		t.Errorf("an id of 64 bytes: %v", err)
	}
}

func TestSortRefusesTooMany(t *testing.T) {
	many := make([]string, MaxEntrants+1)
	for i := range many {
		many[i] = "u" + itoa(i)
	}
	if _, err := Sort(many); err == nil || !strings.Contains(err.Error(), "more than 100000") {
		t.Fatalf("Sort of %d entrants: %v", len(many), err)
	}
	// Duplicates do not count against the limit.
	if _, err := Sort(append(many[:MaxEntrants], "u0")); err != nil {
		t.Fatalf("Sort of %d distinct entrants and a duplicate: %v", MaxEntrants, err)
	}
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

func TestEntrantsHash(t *testing.T) {
	cases := []struct {
		in   []string
		want string
	}{
		{nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}, // SHA-256 of nothing
		{[]string{"a"}, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"},
		{[]string{"a", "b", "c"}, hexSum("a\nb\nc")}, // no newline at the end
	}
	for _, c := range cases {
		if got := EntrantsHash(c.in); got != c.want {
			t.Errorf("EntrantsHash(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestCommit(t *testing.T) {
	seed := testSeed(1)
	if got, want := Commit(seed, "gw-1"), hexSum(string(seed[:])+"gw-1"); got != want {
		t.Errorf("Commit = %s, want %s", got, want)
	}
	if Commit(seed, "gw-1") == Commit(seed, "gw-2") {
		t.Error("two giveaways, one commitment")
	}
}

// TestAccept: the limit is 2^64 − (2^64 mod n), computed here with big
// integers; x just under it is accepted and x at it is drawn again.
func TestAccept(t *testing.T) {
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	for _, n := range []uint64{1, 2, 3, 4, 5, 6, 7, 10, 1000, 65536, 99_991, MaxEntrants, 1 << 62, 3 << 62, math.MaxUint64} {
		nb := new(big.Int).SetUint64(n)
		limit := new(big.Int).Sub(two64, new(big.Int).Mod(two64, nb))
		if limit.Cmp(two64) == 0 {
			if !accept(math.MaxUint64, n) || !accept(0, n) {
				t.Errorf("n=%d: 2^64 divides evenly, yet a value is refused", n)
			}
			continue
		}
		l := limit.Uint64()
		if !accept(l-1, n) || accept(l, n) || accept(math.MaxUint64, n) || !accept(0, n) {
			t.Errorf("n=%d: limit %d not where accept puts it", n, l)
		}
	}
	// 3·2^62: a third of all values is refused, the case that makes the
	// rule visible.
	if n := uint64(3) << 62; accept(n, n) || !accept(n-1, n) {
		t.Error("n = 3·2^62: limit is n itself")
	}
}

// TestPickRetries: a rejected x moves to the next counter, and the index
// is the first accepted x mod n.
func TestPickRetries(t *testing.T) {
	var asked []uint32
	xs := []uint64{math.MaxUint64, math.MaxUint64 - 1, 7} // n = 6: the limit is 2^64 − 4
	x := func(c uint32) uint64 { asked = append(asked, c); return xs[c] }
	got, err := pick(x, 6)
	if err != nil || got != 1 {
		t.Fatalf("pick = %d, %v; want 7 mod 6 = 1", got, err)
	}
	if !slices.Equal(asked, []uint32{0, 1, 2}) {
		t.Errorf("counters asked: %v, want 0, 1, 2", asked)
	}
	// Just under the limit is taken at once.
	asked = nil
	xs = []uint64{math.MaxUint64 - 4, 0}
	if got, _ := pick(x, 6); got != int((math.MaxUint64-4)%6) || len(asked) != 1 {
		t.Errorf("pick = %d after %d tries", got, len(asked))
	}
}

func TestWinnerIndexErrors(t *testing.T) {
	seed := testSeed(0)
	h := EntrantsHash([]string{"a"})
	if _, err := WinnerIndex(seed, h, 0); err == nil {
		t.Error("0 entrants: no error")
	}
	for _, bad := range []string{"", h[:63], h + "0", strings.ToUpper(h), "zz" + h[2:]} {
		if _, err := WinnerIndex(seed, bad, 1); err == nil || !strings.Contains(err.Error(), "64 lowercase hex digits") {
			t.Errorf("hash %q: %v", bad, err)
		}
	}
	if i, err := WinnerIndex(seed, h, 1); i != 0 || err != nil {
		t.Errorf("one entrant: %d, %v", i, err)
	}
}

// TestWinnerIndexUniform: over many seeds, every index wins about as
// often. The seeds are fixed, so the statistic is too; the bounds are the
// chi-square values a fair draw exceeds once in a thousand.
func TestWinnerIndexUniform(t *testing.T) {
	cases := []struct {
		n, draws int
		bound    float64 // chi-square, n−1 degrees of freedom, p = 0.001
	}{
		{3, 60_000, 13.816},
		{10, 60_000, 27.877},
		{7, 21_000, 22.458},
	}
	for _, c := range cases {
		entrants := make([]string, c.n)
		for i := range entrants {
			entrants[i] = "u" + itoa(i)
		}
		hash := EntrantsHash(entrants)
		counts := make([]int, c.n)
		for d := range c.draws {
			i, err := WinnerIndex(testSeed(d), hash, c.n)
			if err != nil {
				t.Fatal(err)
			}
			counts[i]++
		}
		expected := float64(c.draws) / float64(c.n)
		chi := 0.0
		for _, k := range counts {
			chi += (float64(k) - expected) * (float64(k) - expected) / expected
		}
		if chi > c.bound {
			t.Errorf("n=%d: counts %v, chi-square %.2f over %.3f", c.n, counts, chi, c.bound)
		}
		t.Logf("n=%d: counts %v, chi-square %.2f", c.n, counts, chi)
	}
}

// TestWinnerIndexDependsOnList: the same seed draws differently once the
// entrant list differs, which is why the hash goes into the HMAC.
func TestWinnerIndexDependsOnList(t *testing.T) {
	seed := testSeed(3)
	seen := map[int]bool{}
	for k := range 50 {
		i, err := WinnerIndex(seed, EntrantsHash([]string{"u" + itoa(k)}), 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen[i] = true
	}
	if len(seen) < 40 {
		t.Errorf("50 lists drew only %d distinct indexes", len(seen))
	}
}

func TestQuoteCuts(t *testing.T) {
	_, err := decodeHex32("seed", strings.Repeat("\x1b[2J", 1000))
	if err == nil || len(err.Error()) > 200 || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("error for a long hostile value: %q", err)
	}
	var m *MismatchError
	if errors.As(err, &m) {
		t.Error("a malformed value is not a mismatch")
	}
}
