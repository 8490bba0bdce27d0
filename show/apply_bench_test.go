package show_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// benchEvents is how many events one pass over the stream holds.
const benchEvents = 1000

// benchFrameEvents is how many events share one frame, as the server's
// write loop batches a busy chat.
const benchFrameEvents = 16

func benchProduct(stock int) protocol.Product {
	return protocol.Product{
		ID: "mug", Name: "Speckled Mug", Description: "Stoneware, 350 ml",
		Price: money.New(2400, "USD"),
		Variants: []protocol.Variant{
			{ID: "mug-blue", Name: "Blue", Stock: stock},
			{ID: "mug-sand", Name: "Sand", Stock: 3},
		},
	}
}

// benchStream returns a show's welcome and benchEvents events after it,
// encoded and framed as the server sends them: mostly chat, with a stock
// change every 12th event and a pin every 50th.
func benchStream(tb testing.TB) (protocol.Welcome, [][]byte) {
	tb.Helper()
	w := protocol.Welcome{
		Version:  protocol.Version,
		You:      protocol.Identity{ID: "u-me", Name: "me", Role: protocol.RoleViewer},
		Show:     protocol.ShowInfo{ID: "demo", Title: "Cosy Corner", Host: "Maya"},
		Catalog:  []protocol.Product{benchProduct(40)},
		Viewers:  1000,
		Checkout: "http://127.0.0.1:7420/cart/{items}",
	}
	ts := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	var frames [][]byte
	var cur [][]byte
	for i := range benchEvents {
		seq := uint64(i + 1)
		var typ protocol.Type
		var data any
		switch {
		case i%50 == 49:
			typ, data = protocol.TypePin, protocol.Pin{ProductID: "mug", VariantID: "mug-blue"}
		case i%12 == 11:
			typ, data = protocol.TypeProduct, benchProduct(40-i%40)
		default:
			who := i % 97
			typ, data = protocol.TypeChat, protocol.Chat{
				ID:     fmt.Sprintf("e1-c%d", i),
				Author: protocol.Identity{ID: fmt.Sprintf("u%d", who), Name: fmt.Sprintf("viewer_%d", who), Role: protocol.RoleViewer},
				Text:   "is the blue one dishwasher safe? asking for my mum 🍵",
			}
		}
		b, err := protocol.Encode(typ, seq, ts, data)
		if err != nil {
			tb.Fatal(err)
		}
		cur = append(cur, b)
		if len(cur) == benchFrameEvents || i == benchEvents-1 {
			frames = append(frames, bytes.Join(cur, []byte{'\n'}))
			cur = nil
		}
	}
	return w, frames
}

// BenchmarkApplyChat measures the client's ingest: decoding each frame
// and applying every event to the mirror, as the session and the UI do.
func BenchmarkApplyChat(b *testing.B) {
	w, frames := benchStream(b)
	st, _ := show.FromWelcome(w, 0)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, f := range frames {
			envs, err := protocol.DecodeFrame(f)
			if err != nil {
				b.Fatal(err)
			}
			for _, env := range envs {
				if _, err := st.Apply(env); err != nil {
					b.Fatal(err)
				}
			}
			n += len(envs)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeOnly is BenchmarkApplyChat without Apply: the bare frame
// decode over the same bytes, so the ratio of the two is Apply's share.
func BenchmarkDecodeOnly(b *testing.B) {
	_, frames := benchStream(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, f := range frames {
			envs, err := protocol.DecodeFrame(f)
			if err != nil {
				b.Fatal(err)
			}
			n += len(envs)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
