package protocol

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/livecart/livecart/money"
)

// The checkout link is a contract between the client that builds it from
// Welcome.Checkout and the server that answers it: both sides use the
// functions below, so its shape and limits are written down once.
//
// A link orders at most MaxBuyItems items, 1 to MaxQty of each, and is at
// most MaxCheckoutURLBytes long.

// CheckoutPlaceholder is replaced in Welcome.Checkout by the cart's items,
// as FormatItems writes them: "VARIANT:QTY,VARIANT:QTY", the shape of a
// Shopify cart permalink.
const CheckoutPlaceholder = "{items}"

// CheckoutTotalPlaceholder, when Welcome.Checkout holds it, is replaced by
// the total the viewer's cart showed for the items, in minor units, or by
// nothing when the client does not say. The checkout page compares it with
// the total of the moment and says what changed.
const CheckoutTotalPlaceholder = "{total}"

// CheckoutSeenParam is the query parameter of the show server's checkout
// link that carries CheckoutTotalPlaceholder.
const CheckoutSeenParam = "seen"

// FormatItems writes items in the link's shape, "VARIANT:QTY,VARIANT:QTY".
// Every item must pass Item.Validate, each variant once, 1 to MaxBuyItems
// of them: what ParseItems reads back as the same items. Variant IDs are
// made of ValidID's characters, which mean the same unescaped in every part
// of a URL, so nothing is escaped.
func FormatItems(items []Item) (string, error) {
	if len(items) == 0 || len(items) > MaxBuyItems {
		return "", fmt.Errorf("%d items, want 1 to %d", len(items), MaxBuyItems)
	}
	var b strings.Builder
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		if err := it.Validate(); err != nil {
			return "", err
		}
		if seen[it.VariantID] {
			return "", fmt.Errorf("variant %s listed twice", it.VariantID)
		}
		seen[it.VariantID] = true
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(it.VariantID)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(it.Qty))
	}
	return b.String(), nil
}

// ParseItems reads the items of a checkout link, as FormatItems writes
// them. A variant listed twice is bought once with the quantities added up
// (see MergeItems). Its errors are written for the buyer, who may have
// typed the link.
func ParseItems(raw string) ([]Item, error) {
	if raw == "" {
		return nil, errors.New("the cart is empty")
	}
	parts := strings.Split(raw, ",")
	if len(parts) > MaxBuyItems {
		return nil, fmt.Errorf("a cart holds at most %d items, this one has %d", MaxBuyItems, len(parts))
	}
	items := make([]Item, 0, len(parts))
	for _, part := range parts {
		id, qtyText, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("item %q is not VARIANT:QTY", truncateForError(part))
		}
		if !ValidID(id) {
			return nil, fmt.Errorf("%q is not a valid variant id", truncateForError(id))
		}
		// ParseUint takes no sign, so "+1" and "-1" fail here too.
		qty, err := strconv.ParseUint(qtyText, 10, 32)
		if err != nil || qty < 1 || qty > MaxQty {
			return nil, fmt.Errorf("quantity must be 1-%d, not %q (item %s)", MaxQty, truncateForError(qtyText), id)
		}
		items = append(items, Item{VariantID: id, Qty: int(qty)})
	}
	return MergeItems(items)
}

// MergeItems lists each variant once, at its first place, with its
// quantities added up; the sum obeys the same 1 to MaxQty as one item.
func MergeItems(items []Item) ([]Item, error) {
	out := make([]Item, 0, len(items))
	at := make(map[string]int, len(items))
	for _, it := range items {
		i, dup := at[it.VariantID]
		if !dup {
			at[it.VariantID] = len(out)
			out = append(out, it)
			continue
		}
		if out[i].Qty += it.Qty; out[i].Qty > MaxQty {
			return nil, fmt.Errorf("quantity must be 1-%d, not %d in total (item %s)", MaxQty, out[i].Qty, it.VariantID)
		}
	}
	return out, nil
}

// ParseSeen reads the value of CheckoutSeenParam: a total in minor units,
// 0 to money.MaxAmount. Anything else, the empty value of a client that did
// not fill CheckoutTotalPlaceholder included, reads as no total.
func ParseSeen(raw string) (amount int64, ok bool) {
	n, err := strconv.ParseUint(raw, 10, 63)
	if err != nil || n > uint64(money.MaxAmount) {
		return 0, false
	}
	return int64(n), true
}
