package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/livecart/livecart/protocol"
)

// dashboard is what a host's screen shows of the audience: the header's
// count, from the welcome and viewers events, and the latest metrics.
type dashboard struct {
	t        *testing.T
	host     *client
	watching int
	metrics  protocol.Metrics
	have     bool
}

func newDashboard(t *testing.T, host *client) *dashboard {
	return &dashboard{t: t, host: host, watching: host.welcome.Viewers}
}

// read applies the host's next event and checks that the numbers on the
// screen agree after it.
func (d *dashboard) read() protocol.Envelope {
	d.t.Helper()
	env := d.host.next()
	switch env.Type {
	case protocol.TypeViewers:
		d.watching = decode[protocol.Viewers](d.t, env).Count
		// The metrics that go with a count come before it.
		if d.have && d.metrics.Viewers != d.watching {
			d.t.Fatalf("header says %d watching, metrics %d viewers", d.watching, d.metrics.Viewers)
		}
	case protocol.TypeMetrics:
		d.metrics, d.have = decode[protocol.Metrics](d.t, env), true
	}
	if !d.have {
		return env
	}
	m := d.metrics
	if m.PeakViewers < m.Viewers || m.PeakViewers < d.watching {
		d.t.Fatalf("peak %d below now: metrics %d viewers, header %d watching", m.PeakViewers, m.Viewers, d.watching)
	}
	if f := m.Funnel; f.AddedToCart > f.Viewers || f.CheckedOut > f.AddedToCart {
		d.t.Fatalf("funnel steps grow: %+v", f)
	}
	return env
}

// until reads events until ok holds for the screen.
func (d *dashboard) until(what string, ok func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(waitFor)
	for !ok() {
		if time.Now().After(deadline) {
			d.t.Fatalf("waiting for %s: %d watching, metrics %+v", what, d.watching, d.metrics)
		}
		d.read()
	}
}

// TestHeaderAndMetricsAgree: the host's header and its metrics count the
// same viewers (the host not among them), the peak is never below either,
// and they settle on the same number.
func TestHeaderAndMetricsAgree(t *testing.T) {
	_, ts := startServer(t)
	host := dial(t, ts.URL, "", testToken)
	d := newDashboard(t, host)
	d.until("the first metrics", func() bool { return d.have })
	if d.watching != 0 || d.metrics.Viewers != 0 {
		t.Fatalf("a show with only its host: %d watching, %d viewers", d.watching, d.metrics.Viewers)
	}

	ana := dial(t, ts.URL, "ana", "")
	d.until("ana counted", func() bool { return d.watching == 1 })
	bo := dial(t, ts.URL, "bo", "")
	dial(t, ts.URL, "cy", "")
	d.until("three viewers", func() bool { return d.watching == 3 && d.metrics.Viewers == 3 })
	// A second host is not a viewer.
	dial(t, ts.URL, "", testToken)
	bo.ws.Close()
	ana.ws.Close()
	d.until("one viewer left", func() bool { return d.watching == 1 && d.metrics.Viewers == 1 })
	if d.metrics.PeakViewers != 3 {
		t.Fatalf("peak %d, want 3", d.metrics.PeakViewers)
	}
}

// TestFunnelStepsNest: each step of the funnel counts only people of the
// step before. An order is a cart checked out; buyers who never joined as
// viewers count in the orders but not in the funnel.
func TestFunnelStepsNest(t *testing.T) {
	s, ts := startServer(t, unlimited)
	fastMetrics(s)
	host := dial(t, ts.URL, "", testToken)
	d := newDashboard(t, host)
	ana := dialClient(t, ts.URL, "ana", "client-ana")
	bo := dial(t, ts.URL, "bo", "")
	dial(t, ts.URL, "cy", "")

	// ana puts the mug in her cart and orders it from her checkout link.
	ana.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "mug", VariantID: "mug-blue", Qty: 1})
	ana.sync()
	if status, _ := postOrder(t, ts.URL, order("mug-blue:1", "client-ana"), nil); status != http.StatusOK {
		t.Fatalf("ana's order: %d", status)
	}
	// bo buys without a cart signal, as the demo audience does.
	bo.send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "tote-natural", Qty: 1}}})
	bo.nextOf(protocol.TypeOrder)
	// The host, a link without ref and a ref the show never saw buy too.
	host.send(protocol.TypeCart, protocol.CartSignal{Action: protocol.CartAdd, ProductID: "candle", VariantID: "candle-small", Qty: 1})
	host.send(protocol.TypeBuy, protocol.Buy{Items: []protocol.Item{{VariantID: "candle-small", Qty: 1}}})
	for _, ref := range []string{"", "client-stranger"} {
		if status, _ := postOrder(t, ts.URL, order("candle-small:1", ref), nil); status != http.StatusOK {
			t.Fatalf("order with ref %q: %d", ref, status)
		}
	}

	d.until("every order counted", func() bool { return d.have && d.metrics.Orders == 5 })
	want := protocol.Funnel{Viewers: 3, AddedToCart: 2, CheckedOut: 2}
	if f := d.metrics.Funnel; f != want {
		t.Fatalf("funnel %+v, want %+v", f, want)
	}
}
