package draw

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParseRecord: whatever the bytes, parsing and verifying return an
// error or nothing, never panic, and never repeat a control character a
// terminal would act on.
func FuzzParseRecord(f *testing.F) {
	for _, n := range []int{0, 1, 3} {
		data, _ := json.Marshal(drawn(f, 20+n, n))
		f.Add(data)
	}
	f.Add([]byte(`{"scheme":"livecart-draw-1","giveaway_id":"g","entrants":["a","b"],"winner_index":7}`))
	f.Add([]byte(`{"winner_index":-9223372036854775808}`))
	f.Add([]byte("[]"))
	f.Add([]byte("\x1b[2J"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRecord(data)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\x1b\x07\r\n") {
				t.Fatalf("error with a control character: %q", err)
			}
			return
		}
		err = r.Verify()
		var m *MismatchError
		if err != nil && !errors.As(err, &m) {
			t.Fatalf("a parsed record failed Validate in Verify: %v", err)
		}
		if err == nil && r.WinnerIndex != NoWinner && r.Entrants[r.WinnerIndex] != r.Winner {
			t.Fatalf("verified, but the winner is not the entrant at the index: %+v", r)
		}
	})
}
