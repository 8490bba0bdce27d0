package host

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/theme"
)

// TestMetricsOrdersUnknown: a show sold on a real store says its orders
// and revenue are unknown, not zero; checkouts started still count.
func TestMetricsOrdersUnknown(t *testing.T) {
	s := theme.New(true)
	m := protocol.Metrics{Revenue: money.New(0, "USD"), CheckoutsStarted: 4, OrdersUnknown: true}
	for name, rows := range map[string][]string{
		"strip": metricsStrip(s, m, true, series{}, series{}, series{}, 120),
		"panel": metricsPanel(s, m, true, series{}, series{}, series{}, 80),
	} {
		text := ansi.Strip(strings.Join(rows, "\n"))
		if strings.Contains(text, "$0.00") || !strings.Contains(text, "unknown") || !strings.Contains(text, "4") {
			t.Errorf("%s:\n%s", name, text)
		}
	}
}

// TestStoreWarningShown: a store that stops answering is said once on the
// status line, in the words the server gives.
func TestStoreWarningShown(t *testing.T) {
	h := joined(t, 120, 40)
	h.metricsEvent(protocol.Metrics{Revenue: money.New(0, "USD"), StoreWarning: "store not read (503)"})
	h.MustShow("Store: store not read (503)")
	if h.M.Status.Kind != live.StatusError {
		t.Error("the warning is not drawn as an error")
	}
}
