package protocol

import (
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
)

func TestDiscountCode(t *testing.T) {
	for _, code := range []string{"SUMMER10", "a", "live-cart_2026", strings.Repeat("Z", MaxDiscountCodeBytes)} {
		if !ValidDiscountCode(code) {
			t.Errorf("%q refused", code)
		}
	}
	for _, code := range []string{"", "SUMMER 10", "A&B=C", "été", "a.b", "a#b", strings.Repeat("Z", MaxDiscountCodeBytes+1)} {
		if ValidDiscountCode(code) {
			t.Errorf("%q accepted", code)
		}
	}
	start := StartDeal{ProductID: "mug", Percent: 20, Seconds: 90}
	if err := start.Validate(); err != nil {
		t.Errorf("a deal without a code: %v", err)
	}
	start.Code = "SUMMER10"
	if err := start.Validate(); err != nil {
		t.Errorf("a deal with a code: %v", err)
	}
	start.Code = "SUMMER 10"
	if err := start.Validate(); err == nil {
		t.Error("start_deal with a bad code accepted")
	}
	d := Deal{Price: money.New(1920, "USD"), Percent: 20, EndsAt: time.Unix(1, 0), Code: "a/b"}
	if err := d.Validate(money.New(2400, "USD")); err == nil {
		t.Error("a deal with a bad code accepted")
	}
}
