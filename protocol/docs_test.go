package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// decoders checks an example's payload by its type: every event and
// command PROTOCOL.md shows must decode and validate as its own type.
var decoders = map[Type]func(Envelope) error{
	TypeWelcome:       decodes[Welcome],
	TypeChat:          decodes[Chat],
	TypePin:           decodes[Pin],
	TypeProduct:       decodes[Product],
	TypeViewers:       decodes[Viewers],
	TypeError:         decodes[Error],
	TypeHello:         decodes[Hello],
	TypeSay:           decodes[Say],
	TypeCart:          decodes[CartSignal],
	TypeBuy:           decodes[Buy],
	TypePurchase:      decodes[Purchase],
	TypeChatDeleted:   decodes[ChatDeleted],
	TypeSettings:      decodes[Settings],
	TypeNotice:        decodes[Notice],
	TypeOrder:         decodes[Order],
	TypeMetrics:       decodes[Metrics],
	TypeQueue:         decodes[Queue],
	TypeStartDeal:     decodes[StartDeal],
	TypeEndDeal:       decodes[EndDeal],
	TypeSetStock:      decodes[SetStock],
	TypeSetPrice:      decodes[SetPrice],
	TypeDeleteChat:    decodes[DeleteChat],
	TypeTimeout:       decodes[Timeout],
	TypeBan:           decodes[Ban],
	TypeSlowMode:      decodes[SlowMode],
	TypeBlockedWords:  decodes[BlockedWords],
	TypeAuction:       decodes[Auction],
	TypeAuctionWon:    decodes[AuctionWon],
	TypeMaxBid:        decodes[MaxBid],
	TypeStartAuction:  decodes[StartAuction],
	TypeCancelAuction: decodes[CancelAuction],
	TypeBid:           decodes[Bid],
	TypeGiveaway:      decodes[Giveaway],
	TypeEntered:       decodes[Entered],
	TypeStartGiveaway: decodes[StartGiveaway],
	TypeDraw:          decodes[Draw],
	TypeEnter:         decodes[Enter],
	TypeGiftLink:      decodes[GiftLink],
}

func decodes[T any](env Envelope) error {
	_, err := Decode[T](env)
	return err
}

// TestDocumentedExamplesDecode reads every JSON example in PROTOCOL.md
// that is an envelope and decodes its payload as its type, so a field
// renamed in the code and not in the document, or an example that breaks a
// limit, fails here. Types whose payload depends on the direction (gift is
// a viewer's command and a show event) are told apart by their fields.
func TestDocumentedExamplesDecode(t *testing.T) {
	doc, err := os.ReadFile("../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Type]int{}
	for i, block := range jsonBlocks(string(doc)) {
		dec := json.NewDecoder(strings.NewReader(block))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("json block %d: %v\n%s", i, err, block)
			}
			// Only type and data: examples write "ts": "…" for any time.
			var shape struct {
				Type Type            `json:"type"`
				Data json.RawMessage `json:"data"`
			}
			if json.Unmarshal(raw, &shape) != nil || shape.Type == "" {
				continue // not an envelope: a record, a part of one
			}
			env := Envelope{Type: shape.Type, Data: shape.Data}
			seen[env.Type]++
			if len(env.Data) == 0 || bytes.Equal(env.Data, []byte("{}")) {
				continue
			}
			check := decoders[env.Type]
			if env.Type == TypeGift {
				check = decodes[Gift]
				if !bytes.Contains(env.Data, []byte(`"from"`)) {
					check = decodes[SendGift]
				}
			}
			if check == nil {
				continue
			}
			if err := check(env); err != nil {
				t.Errorf("example %s: %v\n%s", env.Type, err, raw)
			}
		}
	}
	for _, typ := range []Type{TypeWelcome, TypeChat, TypeProduct, TypeMetrics, TypeStartDeal, TypeGiveaway, TypeEnter, TypeEntered, TypeStartGiveaway, TypeDraw, TypeGiftLink, TypeGift,
		TypeAuction, TypeBid, TypeStartAuction, TypeCancelAuction, TypeMaxBid, TypeAuctionWon} {
		if seen[typ] == 0 {
			t.Errorf("no example of %s found: is the document's format still what this test reads?", typ)
		}
	}
}

// jsonBlocks returns the contents of the document's ```json fences.
func jsonBlocks(doc string) []string {
	var out []string
	for {
		start := strings.Index(doc, "```json\n")
		if start < 0 {
			return out
		}
		doc = doc[start+len("```json\n"):]
		end := strings.Index(doc, "```")
		if end < 0 {
			return out
		}
		out = append(out, doc[:end])
		doc = doc[end+3:]
	}
}
