package server

import (
	"strings"
	"testing"

	"github.com/livecart/livecart/protocol"
)

// The longest public URL accepted still leaves room for the whole link
// template, the ref of the longest client ID and the seen total, so the
// template never loses the seen total; one byte more is refused.
func TestPublicURLLeavesRoomForTheWholeTemplate(t *testing.T) {
	prefix := "https://shop.example/"
	room := protocol.MaxCheckoutURLBytes - len("/cart/"+protocol.CheckoutPlaceholder) - maxTemplateQuery
	longest := prefix + strings.Repeat("a", room-len(prefix))
	base, err := checkPublicURL(longest)
	if err != nil {
		t.Fatalf("checkPublicURL(%d bytes) = %v, want it accepted", len(longest), err)
	}
	id := strings.Repeat("k", protocol.MaxIDBytes)
	tmpl := checkoutTemplate(base+"/cart/"+protocol.CheckoutPlaceholder, id)
	if len(tmpl) > protocol.MaxCheckoutURLBytes {
		t.Errorf("the template is %d bytes, over %d", len(tmpl), protocol.MaxCheckoutURLBytes)
	}
	if !strings.Contains(tmpl, "ref="+id) || !strings.HasSuffix(tmpl, protocol.CheckoutSeenParam+"="+protocol.CheckoutTotalPlaceholder) {
		t.Errorf("the template lost its ref or seen total: %q", tmpl)
	}
	if _, err := checkPublicURL(longest + "a"); err == nil {
		t.Errorf("checkPublicURL(%d bytes) accepted a URL with no room for the template", len(longest)+1)
	}
}
