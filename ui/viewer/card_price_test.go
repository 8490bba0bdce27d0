package viewer

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/theme"
)

// TestCardShowsChosenVariantPrice: a variant priced apart shows its own
// price on the card, and its own deal price while a deal runs.
func TestCardShowsChosenVariantPrice(t *testing.T) {
	large := money.New(129900, "USD")
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	p := protocol.Product{ID: "print", Name: "Art Print", Price: money.New(99, "USD"), Variants: []protocol.Variant{
		{ID: "s", Name: "Small", Stock: 9}, {ID: "l", Name: "Large", Stock: 9, Price: &large},
	}}
	card := func(v int) string {
		return ansi.Strip(renderCard(theme.New(true), cardData{product: p, variant: p.Variants[v], pinned: true, serverNow: now}, 60, false))
	}
	if got := card(0); !strings.Contains(got, "$0.99") || strings.Contains(got, "$1299.00") {
		t.Errorf("small chosen:\n%s", got)
	}
	if got := card(1); !strings.Contains(got, "$1299.00") || strings.Contains(got, "$0.99") {
		t.Errorf("large chosen:\n%s", got)
	}
	p.Deal = &protocol.Deal{Price: money.New(50, "USD"), Percent: 50, EndsAt: now.Add(time.Minute)}
	if got := card(1); !strings.Contains(got, "$649.50") {
		t.Errorf("large chosen in a deal:\n%s", got)
	}
}
