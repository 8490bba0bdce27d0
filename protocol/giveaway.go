package protocol

import (
	"errors"
	"fmt"
	"time"
)

// Events and commands of giveaways. One giveaway runs at a time.
const (
	TypeGiveaway      Type = "giveaway"       // show event: a giveaway's whole public state
	TypeEntered       Type = "entered"        // unicast: your entry is in
	TypeStartGiveaway Type = "start_giveaway" // host: open a giveaway
	TypeDraw          Type = "draw"           // host: close entry and draw now
	TypeEnter         Type = "enter"          // viewer: enter the running giveaway
)

// Limits of giveaways.
const (
	MinGiveaway = 10 * time.Second
	MaxGiveaway = 5 * time.Minute
	// MaxEntrants bounds one giveaway's entrants, and so the published
	// record a verifier reads.
	MaxEntrants = 100_000
	// DrawHashHexLen is the length of a commitment, an entrants hash and a
	// seed in hex: 32 bytes.
	DrawHashHexLen = 64
)

// Giveaway states.
const (
	GiveawayOpen  = "open"  // taking entries until EndsAt (or the host draws)
	GiveawayDrawn = "drawn" // Winner, Seed and WinnerIndex are set
	GiveawayVoid  = "void"  // nothing drawn: no one entered, or the show's server restarted while it ran
)

// Giveaway is the whole public state of a giveaway, sent as a show event
// whenever it changes (start, entrant counts, the draw). The draw is
// verifiable: Commitment, published at the start, binds the server to a
// seed it reveals only with the winner; EntrantsHash fixes who was in when
// entry closed; the winner follows from both (docs/PROTOCOL.md, "Giveaway
// draw"), and Record is where the entrant list is published.
type Giveaway struct {
	ID         string    `json:"id"`
	ProductID  string    `json:"product_id"`
	VariantID  string    `json:"variant_id"`
	BuyersOnly bool      `json:"buyers_only,omitempty"` // only viewers who bought in this show may enter
	EndsAt     time.Time `json:"ends_at"`               // server time; entry closes and the draw runs then
	Entrants   int       `json:"entrants"`
	State      string    `json:"state"`
	Commitment string    `json:"commitment"` // hex SHA-256 of the seed and the ID

	// Set once entry has closed.
	EntrantsHash string `json:"entrants_hash,omitempty"`
	// Set with the draw.
	Seed        string    `json:"seed,omitempty"`
	WinnerIndex int       `json:"winner_index,omitempty"`
	Winner      *Identity `json:"winner,omitempty"`
	// Record is the URL of the published record (the sorted entrant list
	// and every value above) that `livecart verify` checks.
	Record string `json:"record,omitempty"`
}

func checkHexHash(what, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	if len(s) != DrawHashHexLen {
		return fmt.Errorf("%s is not %d hex digits", what, DrawHashHexLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("%s is not lower-case hex", what)
		}
	}
	return nil
}

// Validate checks the giveaway's fields.
func (g Giveaway) Validate() error {
	if err := checkID("giveaway id", g.ID); err != nil {
		return err
	}
	if err := checkID("product id", g.ProductID); err != nil {
		return err
	}
	if err := checkID("variant id", g.VariantID); err != nil {
		return err
	}
	if g.EndsAt.IsZero() {
		return errors.New("giveaway has no end")
	}
	if g.Entrants < 0 || g.Entrants > MaxEntrants {
		return fmt.Errorf("%d entrants out of range", g.Entrants)
	}
	switch g.State {
	case GiveawayOpen, GiveawayDrawn, GiveawayVoid:
	default:
		return fmt.Errorf("unknown giveaway state %q", truncateForError(g.State))
	}
	if err := checkHexHash("commitment", g.Commitment, true); err != nil {
		return err
	}
	if err := checkHexHash("entrants hash", g.EntrantsHash, false); err != nil {
		return err
	}
	if err := checkHexHash("seed", g.Seed, false); err != nil {
		return err
	}
	if g.State == GiveawayDrawn {
		if g.Winner == nil || g.Seed == "" || g.EntrantsHash == "" {
			return errors.New("drawn giveaway without its winner, seed or entrants hash")
		}
		if g.WinnerIndex < 0 || g.WinnerIndex >= g.Entrants {
			return fmt.Errorf("winner index %d out of range", g.WinnerIndex)
		}
	}
	if g.Winner != nil {
		if err := g.Winner.Validate(); err != nil {
			return fmt.Errorf("winner: %w", err)
		}
	}
	if len(g.Record) > MaxCheckoutURLBytes {
		return errors.New("record link too long")
	}
	return nil
}

// Entered confirms a viewer's entry.
type Entered struct {
	GiveawayID string `json:"giveaway_id"`
}

// Validate checks the ID.
func (e Entered) Validate() error { return checkID("giveaway id", e.GiveawayID) }

// StartGiveaway opens a giveaway of one unit of a variant (host).
type StartGiveaway struct {
	ProductID  string `json:"product_id"`
	VariantID  string `json:"variant_id"`
	Seconds    int    `json:"seconds"`
	BuyersOnly bool   `json:"buyers_only,omitempty"`
}

// Validate checks the giveaway's shape.
func (g StartGiveaway) Validate() error {
	if err := checkID("product id", g.ProductID); err != nil {
		return err
	}
	if err := checkID("variant id", g.VariantID); err != nil {
		return err
	}
	d := time.Duration(g.Seconds) * time.Second
	if d < MinGiveaway || d > MaxGiveaway {
		return fmt.Errorf("giveaway of %d s is not between %d s and %d s", g.Seconds, int(MinGiveaway.Seconds()), int(MaxGiveaway.Seconds()))
	}
	return nil
}

// Draw closes the running giveaway's entry and draws at once (host).
type Draw struct {
	GiveawayID string `json:"giveaway_id"`
}

// Validate checks the ID.
func (d Draw) Validate() error { return checkID("giveaway id", d.GiveawayID) }

// Enter enters the running giveaway (viewer).
type Enter struct {
	GiveawayID string `json:"giveaway_id"`
}

// Validate checks the ID.
func (e Enter) Validate() error { return checkID("giveaway id", e.GiveawayID) }
