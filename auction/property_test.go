package auction

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
)

// The property and fuzz tests decode bytes into an auction and a run of
// bids and check every step against a model that knows only what each
// bidder asked for, not how the engine resolves it.

// bidders are the people in a decoded run; few, so that they meet often.
var bidders = [...]string{"ann", "bob", "cat", "dan"}

// entry is a bidder's latest accepted bid, as the model saw it.
type entry struct {
	max   int64 // the maximum; a plain bid's amount
	seq   int   // when it was set: equal maximums go to the lower
	plain bool
}

// model drives one auction and checks it after every step.
type model struct {
	t       *testing.T
	a       *Auction
	cfg     Config
	unit    int64
	now     time.Time
	end     time.Time // the first end time
	bids    map[string]entry
	seq     int
	floor   int64 // the least price the leader's winning bid set
	price   int64 // the price after the previous step
	stopped bool  // cancelled or closed
}

// newModel decodes a 3-byte header into a Config: h0 sudden death, currency
// and duration; h1 the counter-bid time; h2 the starting bid.
func newModel(t *testing.T, h []byte) *model {
	cur := [...]string{"USD", "JPY", "KWD", "USD"}[h[0]>>1&3]
	unit := money.MajorUnit(cur)
	cfg := Config{
		Start:    money.New(1+int64(h[2])*unit/4, cur),
		Duration: 10*time.Second + time.Duration(h[0]>>3)*10*time.Second,
		Counter:  time.Duration(1+h[1]%60) * time.Second,
		Sudden:   h[0]&1 == 1,
	}
	a, err := New(cfg, t0)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return &model{t: t, a: a, cfg: cfg, unit: unit, now: t0, end: t0.Add(cfg.Duration), bids: map[string]entry{}}
}

// step decodes three bytes into one action and checks it: b0 picks the
// bidder, plain or maximum, and how far the clock moves; b1 and b2 pick the
// amount relative to the state (too low, exactly next, a jump, a tie with
// another's maximum, the ceiling), or a Close or Cancel.
func (m *model) step(b0, b1, b2 byte) {
	m.t.Helper()
	m.now = m.now.Add(time.Duration(b0>>3) * 500 * time.Millisecond)
	before := m.a.Snapshot()
	next := before.Next.Amount
	ceil := Ceiling(m.cfg.Start.Currency)
	var amount int64
	switch b1 % 9 {
	case 0:
		amount = next - 1 - int64(b2)
	case 1:
		amount = next
	case 2:
		amount = next + int64(b2)
	case 3:
		amount = next + int64(b2)*m.unit
	case 4: // a tie with someone's maximum, or a minor unit either side
		amount = next
		if e, ok := m.bids[bidders[b2%4]]; ok {
			amount = e.max + int64((b2>>2)%3) - 1
		}
	case 5: // a leader's raise, or a tie with the leader, one minor unit up
		amount = next
		if e, ok := m.bids[before.Leader]; ok {
			amount = e.max + int64(b2%2)
		}
	case 6:
		amount = next + int64(b2)*m.unit*10
	case 7:
		amount = ceil - 1 + int64(b2%3)
	case 8:
		m.control(b2)
		return
	}
	m.bid(bidders[b0&3], amount, b0&4 != 0, before)
}

// control closes or cancels the auction and checks the refusal rules.
func (m *model) control(b byte) {
	m.t.Helper()
	before := m.a.Snapshot()
	if b&1 == 0 {
		_, ok := m.a.Close(m.now)
		if want := before.Ended || !m.now.Before(before.End); ok != want {
			m.t.Fatalf("Close at %v with end %v = %v, want %v", m.now, before.End, ok, want)
		}
		m.stopped = m.stopped || ok
		return
	}
	err := m.a.Cancel()
	switch {
	case before.Ended && !before.Cancelled:
		if !errors.Is(err, ErrEnded) {
			m.t.Fatalf("Cancel after Close: %v", err)
		}
	case before.Bids > 0:
		if !errors.Is(err, ErrHasBids) {
			m.t.Fatalf("Cancel with %d bids: %v", before.Bids, err)
		}
	case err != nil:
		m.t.Fatalf("Cancel with no bids: %v", err)
	default:
		m.stopped = true
	}
}

// refusal returns the error a bid should get, with nil for none.
func (m *model) refusal(who string, amount int64, proxy bool, s State) error {
	ceil := Ceiling(m.cfg.Start.Currency)
	switch {
	case s.Cancelled:
		return ErrCancelled
	case s.Ended || !m.now.Before(s.End):
		return ErrEnded
	case who == s.Leader && !proxy:
		return ErrAlreadyLeading
	case who == s.Leader && amount <= m.bids[who].max:
		return ErrMaxNotRaised
	case amount > ceil:
		return &TooHighError{Max: money.New(ceil, s.Start.Currency)}
	case amount < s.Next.Amount:
		return &TooLowError{Next: s.Next}
	}
	return nil
}

func (m *model) bid(who string, amount int64, proxy bool, before State) {
	m.t.Helper()
	r, err := m.a.Bid(who, amount, proxy, m.now)
	want := m.refusal(who, amount, proxy, before)
	if (err == nil) != (want == nil) || err != nil && err.Error() != want.Error() {
		m.t.Fatalf("%s bids %d (proxy %v) on %+v: err = %v, want %v", who, amount, proxy, before, err, want)
	}
	if err != nil {
		if after := m.a.Snapshot(); after != before {
			m.t.Fatalf("a refused bid changed the state: %+v, was %+v", after, before)
		}
		return
	}
	raise := who == before.Leader
	m.seq++
	m.bids[who] = entry{max: amount, seq: m.seq, plain: !proxy}
	s := m.a.Snapshot()
	if !raise && s.Leader == who {
		m.floor = amount
		if proxy {
			m.floor = before.Next.Amount
		}
	}

	if r.Price != s.Price || r.Next != s.Next || r.Leader != s.Leader || !r.End.Equal(s.End) ||
		r.Leading != (s.Leader == who) || r.LeaderChanged != (s.Leader != before.Leader) {
		m.t.Fatalf("Result %+v disagrees with the state %+v", r, s)
	}
	wantOutbid := ""
	if r.LeaderChanged {
		wantOutbid = before.Leader
	}
	if r.Outbid != wantOutbid {
		m.t.Fatalf("Outbid = %q after %q led, want %q", r.Outbid, before.Leader, wantOutbid)
	}
	if proxy && r.Max != amount || !proxy && r.Max != 0 {
		m.t.Fatalf("Result.Max = %d for %d (proxy %v)", r.Max, amount, proxy)
	}
	wantBids := before.Bids + 1
	if raise {
		wantBids = before.Bids
		if s.Price != before.Price || s.Leader != who {
			m.t.Fatalf("a raise moved the price or the lead: %+v, was %+v", s, before)
		}
	}
	if s.Bids != wantBids {
		m.t.Fatalf("bids = %d, want %d", s.Bids, wantBids)
	}
	m.checkClock(before, s, r)
	m.checkInvariants(s)
}

// checkClock checks the extension rule for one accepted bid.
func (m *model) checkClock(before, s State, r Result) {
	m.t.Helper()
	changed := s.Price != before.Price || s.Leader != before.Leader
	extend := changed && !m.cfg.Sudden && before.End.Sub(m.now) < m.cfg.Counter
	wantEnd, wantExt := before.End, before.Extensions
	if extend {
		wantEnd, wantExt = m.now.Add(m.cfg.Counter), wantExt+1
	}
	if r.Extended != extend || !s.End.Equal(wantEnd) || s.Extensions != wantExt {
		m.t.Fatalf("bid at %v, end %v (counter %v, sudden %v): extended %v to %v (%d), want %v to %v (%d)",
			m.now, before.End, m.cfg.Counter, m.cfg.Sudden, r.Extended, s.End, s.Extensions, extend, wantEnd, wantExt)
	}
	if m.cfg.Sudden && !s.End.Equal(m.end) {
		m.t.Fatalf("sudden death end moved to %v from %v", s.End, m.end)
	}
}

// leader returns who should lead by the model: the highest maximum, the
// earliest among equals.
func (m *model) leader() string {
	best := ""
	for _, who := range bidders {
		e, ok := m.bids[who]
		if !ok {
			continue
		}
		if b, ok := m.bids[best]; !ok || e.max > b.max || e.max == b.max && e.seq < b.seq {
			best = who
		}
	}
	return best
}

// checkInvariants checks what holds after every accepted bid.
func (m *model) checkInvariants(s State) {
	m.t.Helper()
	price := s.Price.Amount
	if price < m.price || price < m.cfg.Start.Amount || price > Ceiling(m.cfg.Start.Currency) {
		m.t.Fatalf("price %d after %d (start %d)", price, m.price, m.cfg.Start.Amount)
	}
	m.price = price
	if want := price + Increment(s.Price); s.Next.Amount != want {
		m.t.Fatalf("next %d at price %d, want %d", s.Next.Amount, price, want)
	}
	lead := m.leader()
	if s.Leader != lead {
		m.t.Fatalf("leader %q, want %q by maximums %+v", s.Leader, lead, m.bids)
	}
	var runnerUp int64 // the highest maximum but the leader's
	for who, e := range m.bids {
		if got, ok := m.a.MaxOf(who); !ok || got != e.max {
			m.t.Fatalf("MaxOf(%s) = %d, %v, want %d", who, got, ok, e.max)
		}
		if who == lead {
			if e.max < price || e.plain && price != e.max {
				m.t.Fatalf("leader %s (%+v) at price %d", who, e, price)
			}
			continue
		}
		if e.max > price {
			m.t.Fatalf("%s's maximum %d is above the price %d led by %s", who, e.max, price, lead)
		}
		runnerUp = max(runnerUp, e.max)
	}
	// The leader pays no more than needed: their own floor, or one increment
	// over the runner-up.
	ceiling := m.floor
	if runnerUp > 0 {
		ceiling = max(ceiling, runnerUp+increment(runnerUp, m.unit))
	}
	if price < m.floor || price > ceiling {
		m.t.Fatalf("price %d, want from %d to %d (runner-up %d)", price, m.floor, ceiling, runnerUp)
	}
}

// finish closes the auction after its end and checks the outcome.
func (m *model) finish() {
	m.t.Helper()
	s := m.a.Snapshot()
	out, ok := m.a.Close(s.End)
	want := Outcome{}
	if lead := m.leader(); lead != "" {
		want = Outcome{Sold: true, Winner: lead, Price: s.Price}
	}
	if !ok || out != want {
		m.t.Fatalf("Close = %+v, %v, want %+v", out, ok, want)
	}
}

// run decodes data (a header, then three bytes a step) and checks it all.
func run(t *testing.T, data []byte) {
	if len(data) < 3 {
		return
	}
	m := newModel(t, data[:3])
	for ops := data[3:]; len(ops) >= 3; ops = ops[3:] {
		m.step(ops[0], ops[1], ops[2])
	}
	m.finish()
}

func TestRandomBids(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		data := make([]byte, 3+3*r.IntN(60))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		// Mostly small steps of the clock, so runs last.
		for i := 3; i < len(data); i += 3 {
			if r.IntN(8) != 0 {
				data[i] &= 0x0f
			}
		}
		run(t, data)
	}
}

func FuzzBids(f *testing.F) {
	f.Add([]byte{0, 9, 40, 0, 1, 0, 5, 3, 0, 1, 2, 9})
	f.Add([]byte{1, 0, 200, 4, 6, 3, 1, 1, 0, 6, 4, 0, 2, 5, 1})
	f.Add([]byte{2, 5, 0, 4, 7, 2, 5, 8, 0, 1, 4, 1, 0xf8, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 3+3*200 {
			data = data[:3+3*200]
		}
		run(t, data)
	})
}
