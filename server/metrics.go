package server

import (
	"time"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

const (
	// metricsInterval is how often each host gets a metrics event.
	metricsInterval = time.Second
	// chatWindow is what chat_per_minute counts over, in seconds.
	chatWindow = 60
	// maxFunnel caps each funnel step's set of distinct clients: past it,
	// the step stops growing rather than let a stream of new client IDs
	// grow the server's memory without end.
	maxFunnel = 1 << 20
)

// tally is what the host's metrics count. Orders, units sold and revenue
// include those read from the orders file; the rest counts since New.
// Guarded by the show's lock (see Server).
type tally struct {
	currency  string
	peak      int                    // most viewers at once
	chat      [chatWindow]chatSecond // chat lines per second of server time
	chatHeld  int                    // viewers' lines the chat cap kept to their authors
	products  []productTally         // by product index
	checkouts int                    // checkout pages served, or a store show's checkout signals
	orders    int                    // orders placed
	units     int                    // units in them
	revenue   int64                  // their totals, in minor units of currency
	joined    map[string]struct{}    // funnel: viewers' identity IDs
	added     map[string]struct{}    // funnel: those of them who signalled a cart add
	ordered   map[string]struct{}    // buyers who placed an order, viewers or not
	started   map[string]struct{}    // a store show's viewers who signalled a checkout
}

type chatSecond struct {
	unix int64 // which second n counts
	n    int
}

type productTally struct{ adds, removes, sold int }

func newTally(products int, currency string) tally {
	return tally{
		currency: currency,
		products: make([]productTally, products),
		joined:   make(map[string]struct{}),
		added:    make(map[string]struct{}),
		ordered:  make(map[string]struct{}),
		started:  make(map[string]struct{}),
	}
}

// chatLine counts one chat line said at now.
func (t *tally) chatLine(now time.Time) {
	sec := now.Unix()
	b := &t.chat[sec%chatWindow]
	if b.unix != sec {
		*b = chatSecond{unix: sec}
	}
	b.n++
}

// chatPerMinute counts the lines of the last chatWindow seconds.
func (t *tally) chatPerMinute(now time.Time) int {
	sec, n := now.Unix(), 0
	for _, b := range t.chat {
		if b.unix > sec-chatWindow && b.unix <= sec {
			n += b.n
		}
	}
	return n
}

func (t *tally) cart(product int, who protocol.Identity, sig protocol.CartSignal) {
	if sig.Action == protocol.CartAdd {
		t.products[product].adds += sig.Qty
		if _, viewer := t.joined[who.ID]; viewer {
			addCapped(t.added, who.ID)
		}
	} else {
		t.products[product].removes += sig.Qty
	}
}

// checkoutStarted counts a viewer's word that they handed their cart to a
// real store's checkout, whose pages and orders the show never sees.
func (t *tally) checkoutStarted(who protocol.Identity) {
	t.checkouts++
	if _, viewer := t.joined[who.ID]; viewer {
		addCapped(t.started, who.ID)
	}
}

// order counts one placed order. product maps its lines' product IDs to
// catalog indexes; a line of a product the catalog no longer has (an order
// read from an older show's file) counts in the totals only.
func (t *tally) order(o protocol.Order, product map[string]int) {
	t.orders++
	t.revenue += o.Total.Amount
	for _, l := range o.Lines {
		t.units += l.Qty
		if i, ok := product[l.ProductID]; ok {
			t.products[i].sold += l.Qty
		}
	}
}

// funnel counts each step among the people of the step before, so no step
// outnumbers the one before it: the viewers who joined; of them, those who
// put something in a cart, by a cart add or by checking a cart out (an
// order, as the demo audience's buy is, or a store show's checkout signal);
// of those, the ones who checked out: placed an order or, on a store show
// whose orders the server never sees, handed their cart to the store's
// checkout. A buyer who never joined as a viewer (the host, a checkout link
// without ref or with a client ID the show has not seen) counts in orders
// and revenue but not here. Its cost is one lookup per buyer: cart adds
// and checkout signals are checked as they come.
func (t *tally) funnel() protocol.Funnel {
	f := protocol.Funnel{Viewers: len(t.joined), AddedToCart: len(t.added)}
	count := func(id string) {
		f.CheckedOut++
		if _, carted := t.added[id]; !carted {
			f.AddedToCart++
		}
	}
	for id := range t.ordered {
		if _, viewer := t.joined[id]; viewer {
			count(id)
		}
	}
	for id := range t.started {
		// Joined already checked as the signal came.
		if _, done := t.ordered[id]; !done {
			count(id)
		}
	}
	return f
}

func addCapped(set map[string]struct{}, key string) {
	if len(set) < maxFunnel {
		set[key] = struct{}{}
	}
}

// countJoinLocked counts a joining viewer in the funnel and the peak.
func (s *Server) countJoinLocked(c *conn) {
	if c.id.Role != protocol.RoleViewer {
		return
	}
	addCapped(s.tally.joined, c.id.ID)
	s.tally.peak = max(s.tally.peak, s.hub.viewersLocked())
}

// metricsLocked is the host's view of the show now. Its viewers are the
// count the show last announced, which every header shows, rather than a
// count a viewers event has yet to bring; the peak counts every join at
// once, so it is never below either.
func (s *Server) metricsLocked() protocol.Metrics {
	t := &s.tally
	m := protocol.Metrics{
		Viewers:          s.hub.announcedLocked(),
		PeakViewers:      t.peak,
		ChatPerMinute:    t.chatPerMinute(s.now()),
		ChatHeld:         t.chatHeld,
		Products:         make([]protocol.ProductMetrics, len(s.products)),
		CheckoutsStarted: t.checkouts,
		Orders:           t.orders,
		UnitsSold:        t.units,
		Revenue:          money.New(t.revenue, t.currency),
		OrdersUnknown:    s.storeURL != "",
		StoreWarning:     s.storeWarning,
		Funnel:           t.funnel(),
		UpNext:           append([]string{}, s.upNext...),
		SlowModeSeconds:  int(s.mod.slowMode / time.Second),
		BlockedWords:     append([]string{}, s.mod.words...),
		Bids:             s.auctions.bids,
		Bidders:          len(s.auctions.bidders),
	}
	s.giftMetricsLocked(&m)
	for i, p := range s.products {
		pt := t.products[i]
		m.Products[i] = protocol.ProductMetrics{ProductID: p.ID, Adds: pt.adds, Removes: pt.removes, Sold: pt.sold}
	}
	return m
}

// metricsFeed is the loop that sends hosts their metrics. Guarded by the
// show's lock (see Server).
type metricsFeed struct {
	on    bool          // the loop runs
	stop  chan struct{} // closed to stop it
	every time.Duration // how often it sends
}

// startMetricsLocked starts the loop that sends hosts their metrics, unless
// it runs already. It stops by itself once no host is connected, so a show
// without a host does no metrics work at all.
func (s *Server) startMetricsLocked() {
	if s.hub.closedLocked() || s.feed.on {
		return
	}
	s.feed.on = true
	s.feed.stop = make(chan struct{})
	s.wg.Add(1)
	go s.metricsLoop(s.feed.every, s.feed.stop)
}

func (s *Server) metricsLoop(every time.Duration, stop <-chan struct{}) {
	defer s.wg.Done()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		done := false
		s.hub.locked(func() {
			if s.hub.closedLocked() || s.hub.hostsLocked() == 0 {
				s.feed.on, done = false, true
				return
			}
			s.sendMetricsLocked()
		})
		if done {
			return
		}
	}
}

// sendMetricsLocked encodes the metrics once for every host connection.
func (s *Server) sendMetricsLocked() {
	frame, err := protocol.Encode(protocol.TypeMetrics, 0, s.now(), s.metricsLocked())
	if err != nil {
		s.hub.later(func() { s.log.Error("metrics not sent", "err", err) })
		return
	}
	for c := range s.hub.joinedLocked() {
		if c.id.Role == protocol.RoleHost {
			s.hub.offerLocked(c, frame)
		}
	}
}

// viewersAnnouncedLocked sends the hosts their metrics along with a viewers
// event. They are queued ahead of the event's batch, so a dashboard never
// shows a count above the peak: the new peak comes first.
func (s *Server) viewersAnnouncedLocked() {
	if s.hub.hostsLocked() > 0 {
		s.sendMetricsLocked()
	}
}

// stopMetricsLocked ends the metrics loop for Close.
func (s *Server) stopMetricsLocked() {
	if s.feed.on {
		close(s.feed.stop)
		s.feed.on = false
	}
}
