package demo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// The host's reactions, at pace 1.
const (
	// remarkDelay is how long the host takes to remark on the pinned stock
	// running low.
	remarkDelay = 1500 * time.Millisecond
	// cueWait is how long a reaction may wait for its turn or for the show
	// to catch up (a deal's echo) before it is stale and dropped.
	cueWait = 8 * time.Second
	// A sold-out variant is restocked restockMin to restockMax after the
	// host sees it sell out, with the stock it started the show with and
	// at least restockFloor.
	restockMin   = 45 * time.Second
	restockMax   = 2 * time.Minute
	restockFloor = 6
	// lateMax is how late the script may run before it resumes from now
	// instead of catching up, as after a reconnect.
	lateMax = 5 * time.Second
)

// reactStream is the random stream of the host's reactions, apart from its
// script's, so that what the live show does never changes the script.
const reactStream = namesStream - 1

// command is one command for the show.
type command struct {
	Type protocol.Type
	Data any
}

// cue is a line the host says in answer to the show, once its time has come
// and while the fact it states still holds.
type cue struct {
	at, until time.Duration
	// say returns the line, filled from the show as it is now; ok false while
	// the show has yet to catch up, and an empty line drops the cue.
	say     func(st *show.State, now time.Duration) (text string, ok bool)
	waiting bool // say returned ok false at its time; events wake it
}

// director is the host's mind: it plays the host's script at the show
// times it names and reacts to what the show does, as the host's mirror of
// the show tells it. It does no I/O and reads no clock: given the show time
// and the mirror it returns the commands to send, so the same director runs
// the live host and an hour of simulated show in a test.
type director struct {
	script *hostScript
	next   hostAction
	nextAt time.Duration
	rng    *rand.Rand
	// pace is the runner's: a deal's length is sent in real seconds, as the
	// server runs deals by its clock.
	pace float64
	// clock reads the server's times (when an auction ends) in show time.
	clock clock
	stage stage
	// held is when the stage frees up at the latest, while an auction or
	// a giveaway holds the script's next action; zero when nothing is held.
	held time.Duration
	// openAuction and openGiveaway are the IDs of those the host has seen
	// open, whose result it is still to say.
	openAuction, openGiveaway string

	initial   map[string]int           // variant ID -> stock at the start of the show
	restockAt map[string]time.Duration // sold-out variant ID -> when it is restocked
	lowSaid   map[string]int           // variant ID -> the stock the host last called low
	soldSaid  map[string]bool          // variants whose sell-out the host has remarked on
	cues      []cue

	lastLine   string
	lastLineAt time.Duration
	lastPin    []string // the candidates of the last scripted pin
	// repinned is the variant last pinned in place of a sold-out one, so a
	// burst of stock events before the echo does not pin it again.
	repinned string
}

// newDirector makes the host's director for the show st shows at its
// start, with the clock that turns the server's times into show time.
func newDirector(seed uint64, st *show.State, c clock) *director {
	d := &director{
		rng:        botRNG(seed, reactStream),
		pace:       c.pace,
		clock:      c,
		initial:    map[string]int{},
		restockAt:  map[string]time.Duration{},
		lowSaid:    map[string]int{},
		soldSaid:   map[string]bool{},
		lastLineAt: -hostLineGap,
	}
	var ids []string
	for _, p := range st.Catalog() {
		ids = append(ids, p.ID)
		for _, v := range p.Variants {
			d.initial[v.ID] = v.Stock
		}
	}
	d.script = newHostScript(seed, ids)
	d.next = d.script.next()
	d.nextAt = d.next.Wait
	return d
}

// step returns what the host does at show time now, given the show st.
// The caller steps it when wake says and after every batch of events.
func (d *director) step(now time.Duration, st *show.State) []command {
	var out []command
	out = d.watch(out, now, st)
	// After a hold the script goes on from now, as after an outage, so
	// what follows the held action keeps its distance from it.
	released := d.held > 0
	d.held = 0
	for now >= d.nextAt {
		if holds(d.next.Kind) {
			if until, busy := d.stage.busy(now, st, d.clock); busy {
				d.held = until
				break
			}
		}
		if now-d.nextAt > lateMax || released {
			d.nextAt = now // the host was away or held: the script goes on from here
		}
		released = false
		out = d.act(out, now, st, d.next)
		d.next = d.script.next()
		d.nextAt += d.next.Wait
	}
	out = d.restock(out, now, st)
	return d.sayCues(out, now, st)
}

// wake returns the show time of the director's next step, if no event
// comes first.
func (d *director) wake() time.Duration {
	w := d.nextAt
	if d.held > 0 {
		w = max(w, d.held)
	}
	for _, at := range d.restockAt {
		w = min(w, at)
	}
	for _, c := range d.cues {
		if c.waiting {
			w = min(w, c.until+1)
		} else {
			w = min(w, max(c.at, d.lastLineAt+hostLineGap))
		}
	}
	return w
}

// resume restores the pin after a reconnect: a restarted server has
// forgotten it, and an empty stage is the one thing a demo must not show.
func (d *director) resume(st *show.State) []command {
	if _, _, pinned := st.Pinned(); pinned || d.lastPin == nil {
		return nil
	}
	if p, v, ok := choosePin(st, d.lastPin, false); ok {
		return []command{{protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: v.ID}}}
	}
	return nil
}

func (d *director) act(out []command, now time.Duration, st *show.State, a hostAction) []command {
	switch a.Kind {
	case hostPin:
		return d.pin(out, now, st, a)
	case hostDeal:
		return d.deal(out, now, st, a)
	case hostAuction:
		return d.auction(out, now, st, a)
	case hostGiveaway:
		return d.giveaway(out, now, st, a)
	}
	l, pinned := liveFrom(st)
	if !running(st, a.During) {
		a.Say = ""
	}
	for _, t := range []string{a.Say, a.Fallback} {
		if t != "" && (pinned || !needsPin(t)) && fill(t, l) != d.lastLine {
			return d.emit(out, now, fill(t, l))
		}
	}
	return out
}

// pin pins the first candidate in stock and introduces it. The echo has
// not arrived when the introduction is said, so it is filled from the
// product chosen rather than from the mirror.
func (d *director) pin(out []command, now time.Duration, st *show.State, a hostAction) []command {
	d.lastPin = a.Pin
	p, v, ok := choosePin(st, a.Pin, a.Low)
	if !ok {
		if cur, _, pinned := st.Pinned(); pinned && cur.Stock() == 0 {
			out = append(out, command{protocol.TypeUnpin, protocol.Unpin{}})
		}
		return d.act(out, now, st, hostAction{Say: a.Fallback})
	}
	out = append(out, command{protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: v.ID}})
	if v.Stock <= lowStock {
		d.lowSaid[v.ID] = v.Stock // the introduction says so
	}
	l, _ := liveFrom(st)
	l = liveOf(p, v, l.Host)
	for _, t := range []string{a.Say, a.Fallback} {
		if text := fill(t, l); t != "" && text != d.lastLine {
			return d.emit(out, now, text)
		}
	}
	return out
}

// deal starts a flash deal on the pinned product and announces it once the
// show has it, with the price the server worked out.
func (d *director) deal(out []command, now time.Duration, st *show.State, a hostAction) []command {
	p, _, ok := st.Pinned()
	if !ok || p.Stock() == 0 {
		return out
	}
	secs := dealSeconds(a.For, d.pace)
	before := p.Deal
	out = append(out, command{protocol.TypeStartDeal, protocol.StartDeal{ProductID: p.ID, Percent: a.Percent, Seconds: secs}})
	tmpl := d.pick(hostDealLines)
	d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, saidAt time.Duration) (string, bool) {
		q, ok := st.Product(p.ID)
		if !ok || q.Stock() == 0 {
			return "", true
		}
		if q.Deal == nil || before != nil && q.Deal.EndsAt.Equal(before.EndsAt) {
			return "", false
		}
		v, _ := firstInStock(q)
		if pp, pv, ok := st.Pinned(); ok && pp.ID == q.ID && pv.Stock > 0 {
			v = pv
		}
		l := liveOf(q, v, st.Show.Host)
		// The deal has run since it was sent, by the server's clock.
		l.DealFor = time.Duration(secs)*time.Second - time.Duration(float64(saidAt-now)*d.pace)
		return d.compose(hostDealLines, tmpl, l), true
	}})
	return out
}

// watch notices what the host reacts to: variants selling out (each gets a
// restock), the pinned one selling out (another of its variants is pinned)
// or running low (the host says how many are left).
func (d *director) watch(out []command, now time.Duration, st *show.State) []command {
	d.stage.note(now, st)
	d.watchAuction(now, st)
	d.watchGiveaway(now, st)
	for _, p := range st.Catalog() {
		for _, v := range p.Variants {
			if v.Stock > 0 {
				if v.Stock > lowStock {
					delete(d.lowSaid, v.ID)
				}
				delete(d.soldSaid, v.ID)
				continue
			}
			if _, ok := d.restockAt[v.ID]; !ok {
				d.restockAt[v.ID] = now + between(d.rng, restockMin, restockMax)
			}
		}
	}
	p, v, ok := st.Pinned()
	switch {
	case !ok:
	case v.Stock == 0:
		if !d.soldSaid[v.ID] {
			d.soldSaid[v.ID] = true
			d.soldOut(now, p, v)
		}
		if alt, ok := firstInStock(p); ok && alt.ID != d.repinned {
			d.repinned = alt.ID
			out = append(out, command{protocol.TypePin, protocol.Pin{ProductID: p.ID, VariantID: alt.ID}})
		}
	case v.Stock <= lowStock:
		if said, ok := d.lowSaid[v.ID]; !ok || v.Stock == 1 && said > 1 {
			d.lowSaid[v.ID] = v.Stock
			d.low(now, v.ID)
		}
	}
	return out
}

// low cues the remark that the pinned variant is running low, with the
// count it has when the host says it.
func (d *director) low(now time.Duration, variantID string) {
	tmpl := d.pick(hostLowLines)
	d.cues = append(d.cues, cue{at: now + remarkDelay, until: now + remarkDelay + cueWait, say: func(st *show.State, _ time.Duration) (string, bool) {
		p, v, ok := st.Pinned()
		if !ok || v.ID != variantID || v.Stock <= 0 || v.Stock > lowStock {
			return "", true
		}
		return d.compose(hostLowLines, tmpl, liveOf(p, v, st.Show.Host)), true
	}})
}

// soldOut cues the remark that variant v of the pinned product sold out.
func (d *director) soldOut(now time.Duration, p protocol.Product, v protocol.Variant) {
	tmpl := d.pick(hostSoldOutLines)
	d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, _ time.Duration) (string, bool) {
		q, ok := st.Product(p.ID)
		w, _ := q.Variant(v.ID)
		if !ok || w.Stock > 0 {
			return "", true
		}
		return d.compose(hostSoldOutLines, tmpl, liveOf(q, w, st.Show.Host)), true
	}})
}

// restock brings back every variant whose restock is due and that is still
// sold out, and cues the news once the show has the new stock.
func (d *director) restock(out []command, now time.Duration, st *show.State) []command {
	due := make([]string, 0, len(d.restockAt))
	for id, at := range d.restockAt {
		if now >= at {
			due = append(due, id)
		}
	}
	slices.Sort(due) // map order is random; the show's is not
	for _, id := range due {
		delete(d.restockAt, id)
		p, ok := st.ProductOfVariant(id)
		if v, _ := p.Variant(id); !ok || v.Stock > 0 {
			continue
		}
		out = append(out, command{protocol.TypeSetStock, protocol.SetStock{VariantID: id, Stock: max(d.initial[id], restockFloor)}})
		tmpl := d.pick(hostRestockLines)
		d.cues = append(d.cues, cue{at: now, until: now + cueWait, say: func(st *show.State, _ time.Duration) (string, bool) {
			q, _ := st.ProductOfVariant(id)
			v, ok := q.Variant(id)
			if !ok || v.Stock == 0 {
				return "", false // not echoed yet, or sold out again
			}
			return d.compose(hostRestockLines, tmpl, liveOf(q, v, st.Show.Host)), true
		}})
	}
	return out
}

// sayCues says the reactions whose time has come, one per hostLineGap,
// and drops the stale ones.
func (d *director) sayCues(out []command, now time.Duration, st *show.State) []command {
	kept := d.cues[:0]
	for _, c := range d.cues {
		switch {
		case now > c.until:
			continue
		case now < c.at || now < d.lastLineAt+hostLineGap:
			kept = append(kept, c)
			continue
		}
		text, ok := c.say(st, now)
		if !ok {
			c.waiting = true
			kept = append(kept, c)
			continue
		}
		out = d.emit(out, now, text)
	}
	clear(d.cues[len(kept):])
	d.cues = kept
	return out
}

// pick chooses which template of list a reaction starts from, by the
// reactions' own random stream.
func (d *director) pick(list []string) int { return d.rng.IntN(len(list)) }

// compose fills template i of list, or the next one whose line differs
// from the host's last (the host never says the same line twice in a row)
// and that l can fill: a deal of an amount off has no percent to say, a
// giveaway without a record no record.
func (d *director) compose(list []string, i int, l live) string {
	for k := range list {
		t := list[(i+k)%len(list)]
		text := fill(prefill(t, "", emoji[(i+k)%len(emoji)]), l)
		if text != d.lastLine && !unfilled(text) {
			return text
		}
	}
	return ""
}

// unfilled reports whether a line still has a placeholder that live state
// could not fill.
func unfilled(text string) bool {
	for _, ph := range []string{phPercent, phWinner, phRecord} {
		if strings.Contains(text, "{"+ph+"}") {
			return true
		}
	}
	return false
}

// running reports whether what a line is said during, an auction or a
// giveaway, is open; any other line may be said at any time.
func running(st *show.State, during hostKind) bool {
	switch during {
	case hostAuction:
		return st.Auction != nil && st.Auction.State == protocol.AuctionOpen
	case hostGiveaway:
		return st.Giveaway != nil && st.Giveaway.State == protocol.GiveawayOpen
	}
	return true
}

// emit says a line, unless it is empty or the host's last line again.
func (d *director) emit(out []command, now time.Duration, text string) []command {
	if text == "" || text == d.lastLine {
		return out
	}
	d.lastLine, d.lastLineAt = text, now
	return append(out, command{protocol.TypeSay, protocol.Say{Text: text}})
}

// dealSeconds is how long the server runs a deal that lasts d of show time
// at pace: scaled, within the protocol's bounds.
func dealSeconds(d time.Duration, pace float64) int {
	return realSeconds(d, pace, protocol.MinDeal, protocol.MaxDeal)
}

// choosePin returns the first candidate with a variant in stock that is not
// already pinned, and that variant. With low, a variant that the opening's
// buys bring down to a handful without selling out comes first.
func choosePin(st *show.State, candidates []string, low bool) (protocol.Product, protocol.Variant, bool) {
	cur, _, pinned := st.Pinned()
	var found []protocol.Product
	for _, id := range candidates {
		if p, ok := st.Product(id); ok && !(pinned && id == cur.ID) {
			found = append(found, p)
		}
	}
	if low {
		for _, p := range found {
			for _, v := range p.Variants {
				if v.Stock > lowStock && v.Stock <= lowStock+len(openingBuys) {
					return p, v, true
				}
			}
		}
	}
	for _, p := range found {
		if v, ok := firstInStock(p); ok {
			return p, v, true
		}
	}
	return protocol.Product{}, protocol.Variant{}, false
}

func firstInStock(p protocol.Product) (protocol.Variant, bool) {
	for _, v := range p.Variants {
		if v.Stock > 0 {
			return v, true
		}
	}
	return protocol.Variant{}, false
}
