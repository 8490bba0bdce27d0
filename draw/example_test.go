package draw

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestWorkedExample computes the worked example of docs/PROTOCOL.md step
// by step and checks that the section shows each number, and that its
// record is the one NewRecord makes and verifies.
func TestWorkedExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Giveaway draw\n")
	if !ok {
		t.Fatal(`docs/PROTOCOL.md has no "Giveaway draw" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, example, ok := strings.Cut(section, "### Worked example")
	if !ok {
		t.Fatal("the Giveaway draw section has no worked example")
	}

	var seed [SeedSize]byte
	for i := range seed {
		seed[i] = byte(i)
	}
	arrived := []string{"u7", "ana-3", "u12", "u7", "bo", "Zed"}
	sorted, err := Sort(arrived)
	if err != nil {
		t.Fatal(err)
	}
	n := len(sorted)
	joined := strings.Join(sorted, `\n`)
	hash := EntrantsHash(sorted)
	hashBytes, _ := hex.DecodeString(hash)
	mac := hmac.New(sha256.New, seed[:])
	mac.Write(binary.BigEndian.AppendUint32(hashBytes, 0))
	r := mac.Sum(nil)
	x := binary.BigEndian.Uint64(r)
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	rem := new(big.Int).Mod(two64, big.NewInt(int64(n)))
	limit := new(big.Int).Sub(two64, rem)
	if new(big.Int).SetUint64(x).Cmp(limit) >= 0 {
		t.Fatal("the example's first x is rejected; the text says it is not")
	}
	index, err := WinnerIndex(seed, hash, n)
	if err != nil || uint64(index) != x%uint64(n) {
		t.Fatalf("WinnerIndex = %d, %v; x mod n = %d", index, err, x%uint64(n))
	}

	shown := []string{
		"entries\ncame in as `" + strings.Join(arrived, "`, `") + "`",
		"`gw-42` = `" + Commit(seed, "gw-42") + "`",
		"sorted, each once: `" + strings.Join(sorted, "`, `") + fmt.Sprintf("` (`n` = %d)", n),
		fmt.Sprintf("SHA-256 of `%s` (%d bytes) =\n  `%s`", joined, len(strings.ReplaceAll(joined, `\n`, "\n")), hash),
		fmt.Sprintf("`r` = `%x`", r),
		fmt.Sprintf("`x` = `0x%016x` = %d", x, x),
		fmt.Sprintf("2^64 mod %d = %s, so `limit` = %s; `x` is below it", n, rem, limit),
		fmt.Sprintf("winner index = %d mod %d = **%d**; the winner is `%s`", x, n, index, sorted[index]),
	}
	for _, s := range shown {
		if !strings.Contains(example, s) {
			t.Errorf("the worked example does not show\n%s", s)
		}
	}

	_, block, _ := strings.Cut(example, "```json\n")
	block, _, _ = strings.Cut(block, "```")
	got, err := ParseRecord([]byte(block))
	if err != nil {
		t.Fatalf("the example record: %v", err)
	}
	want, err := NewRecord(seed, "gw-42", arrived)
	if err != nil {
		t.Fatal(err)
	}
	want.ProductID, want.ProductName, want.WinnerName = got.ProductID, got.ProductName, got.WinnerName
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the example record\n%+v\nis not the one NewRecord makes\n%+v", got, want)
	}
	if err := got.Verify(); err != nil {
		t.Errorf("the example record: %v", err)
	}
	if !strings.Contains(section, EntrantsHash(nil)) {
		t.Error("the section does not show the hash of no entrants")
	}
}
