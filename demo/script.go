package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/livecart/livecart/protocol"
)

// Show timing at pace 1. The runner multiplies every duration by the pace.
const (
	pinMin = 20 * time.Second // shortest time a product stays pinned
	pinMax = 40 * time.Second // longest time a product stays pinned

	// joinAtOnce viewers join the moment the show starts, so it looks alive
	// at once; the rest trickle in over joinSpread.
	joinAtOnce = 3
	joinSpread = 4 * time.Second
	// firstLineMax bounds the first action of the viewers that join at once,
	// so the chat starts within a couple of seconds whatever the audience.
	firstLineMax = 2 * time.Second

	// gapPerViewer is the mean time between one viewer's actions, per viewer
	// in the audience. Scaling each viewer's gap by the audience size keeps
	// the whole chat near one line a second: a viewer's action is a line
	// about 0.965 times (chat, plus a brag after half the buys) and a viewer
	// is present about 90% of the time (away for ~5.5 gaps per ~50 actions),
	// so N viewers say N*0.87/gap lines a second.
	gapPerViewer = 870 * time.Millisecond
	// minGap keeps a tiny audience from chatting like a machine.
	minGap = 2 * time.Second

	// Chance of each viewer action, in percent; the rest is chat.
	buyPercent   = 3
	leavePercent = 2
	// bragPercent of buys are followed by a line saying so.
	bragPercent = 50
	// backPercent of returns open with a line saying so.
	backPercent = 50
)

// Away time after a leave, in viewer gaps: long enough to notice the viewer
// count move, short enough that the audience stays near its size.
const (
	awayMinGaps = 3
	awayMaxGaps = 8
)

// botRNG returns the random stream of one bot. Each bot has its own stream,
// so what one viewer does never depends on how many others there are.
func botRNG(seed, bot uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, bot*0x9e3779b97f4a7c15+1))
}

// Streams that are not bots. Viewers are bots 1..N and the host is bot 0.
const namesStream = ^uint64(0)

// between returns a duration uniformly drawn from [lo, hi].
func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
}

func pick(rng *rand.Rand, list []string) string { return list[rng.IntN(len(list))] }

// line picks a template from list and fills the parts the script owns.
func line(rng *rand.Rand, list []string) string {
	tmpl := pick(rng, list)
	city := pick(rng, cities)
	em := pick(rng, emoji)
	return prefill(tmpl, city, em)
}

// hostAction is one step of the host bot. Durations are at pace 1.
type hostAction struct {
	Wait time.Duration // after the previous action
	// Pin, when set, lists products in the order to try: the runner pins the
	// first with stock that is not already pinned. Empty for a chat line.
	Pin []string
	// Say is said with the action; a template that mentions the product.
	Say string
	// Fallback is said instead when Say cannot be filled: nothing pinned,
	// or nothing left to pin.
	Fallback string
}

// hostScript decides what the host does: it cycles through the catalog in
// a fresh shuffled order each round, with a few lines between pins.
type hostScript struct {
	rng      *rand.Rand
	products []string
	order    []string // this round's pin order
	pos      int      // next index into order
	queue    []hostAction
	pending  time.Duration // wait before the next pin, left from the last plan
	started  bool
}

// newHostScript makes the host's script for a catalog snapshot (product IDs
// in catalog order).
func newHostScript(seed uint64, products []string) *hostScript {
	return &hostScript{rng: botRNG(seed, 0), products: slices.Clone(products)}
}

// next returns the host's next action.
func (s *hostScript) next() hostAction {
	if len(s.queue) == 0 {
		s.plan()
	}
	a := s.queue[0]
	s.queue = s.queue[1:]
	return a
}

// plan queues one pin's worth of actions: the pin and its introduction, then
// one or two lines while it is pinned. The opening also greets the audience.
func (s *hostScript) plan() {
	wait := time.Duration(0)
	if !s.started {
		s.started = true
		s.queue = append(s.queue, hostAction{Say: line(s.rng, hostWelcomeLines)})
	} else {
		wait = s.pending
	}
	s.queue = append(s.queue, hostAction{
		Wait:     wait,
		Pin:      s.nextPin(),
		Say:      line(s.rng, hostIntroLines),
		Fallback: line(s.rng, hostChatLines),
	})
	interval := between(s.rng, pinMin, pinMax)
	n := 1 + s.rng.IntN(2)
	offsets := make([]time.Duration, n)
	for i := range offsets {
		offsets[i] = between(s.rng, interval/5, interval*9/10)
	}
	slices.Sort(offsets)
	at := time.Duration(0)
	for _, off := range offsets {
		s.queue = append(s.queue, hostAction{
			Wait:     off - at,
			Say:      line(s.rng, hostHypeLines),
			Fallback: line(s.rng, hostChatLines),
		})
		at = off
	}
	s.pending = interval - at
}

// nextPin returns the pin order starting at the next product of this round:
// the rest of the round, then its start, so a sold-out product is skipped in
// favour of the one that would have followed it.
func (s *hostScript) nextPin() []string {
	if len(s.products) == 0 {
		return nil
	}
	if s.pos >= len(s.order) {
		s.shuffle()
	}
	out := slices.Clone(s.order[s.pos:])
	out = append(out, s.order[:s.pos]...)
	s.pos++
	return out
}

// shuffle starts a new round. The first product of a round is never the
// last of the previous one, so the same product is not pinned twice running.
func (s *hostScript) shuffle() {
	last := ""
	if len(s.order) > 0 {
		last = s.order[len(s.order)-1]
	}
	s.order = slices.Clone(s.products)
	s.rng.Shuffle(len(s.order), func(i, j int) { s.order[i], s.order[j] = s.order[j], s.order[i] })
	if len(s.order) > 1 && s.order[0] == last {
		s.order[0], s.order[1] = s.order[1], s.order[0]
	}
	s.pos = 0
}

// viewerKind is what a viewer does.
type viewerKind int

const (
	viewerChat viewerKind = iota
	viewerBuy
	viewerLeave
)

func (k viewerKind) String() string {
	switch k {
	case viewerChat:
		return "chat"
	case viewerBuy:
		return "buy"
	case viewerLeave:
		return "leave"
	}
	return "viewerKind(" + strconv.Itoa(int(k)) + ")"
}

// viewerAction is one step of a viewer bot. Durations are at pace 1.
type viewerAction struct {
	Wait time.Duration // after the previous action, or after joining
	Kind viewerKind
	// Say is a chat line template; for a buy, the line said after buying
	// (empty for a quiet buyer).
	Say string
	// Fallback is said instead of a chat line about the product when
	// nothing is pinned.
	Fallback string
	// Away is how long a leaving viewer stays away before rejoining.
	Away time.Duration
}

// viewerScript decides what one viewer does.
type viewerScript struct {
	Name string
	Join time.Duration // after the show starts

	rng     *rand.Rand
	gap     time.Duration // mean time between actions
	first   time.Duration // bound on the first action's wait
	actions int
	back    bool // the last action was a leave
}

// audienceScripts makes the scripts of n viewers. Names are a seeded choice,
// unique within the show.
func audienceScripts(seed uint64, n int) []*viewerScript {
	names := audienceNames(seed, n)
	gap := max(minGap, time.Duration(n)*gapPerViewer)
	out := make([]*viewerScript, n)
	for i := range out {
		rng := botRNG(seed, uint64(i)+1)
		s := &viewerScript{Name: names[i], rng: rng, gap: gap, first: gap}
		if i >= joinAtOnce {
			s.Join = between(rng, 0, joinSpread)
		} else {
			s.first = min(gap, firstLineMax)
		}
		out[i] = s
	}
	return out
}

// audienceNames returns n unique names in a seeded order.
func audienceNames(seed uint64, n int) []string {
	rng := botRNG(seed, namesStream)
	base := slices.Clone(viewerNames)
	rng.Shuffle(len(base), func(i, j int) { base[i], base[j] = base[j], base[i] })
	out := make([]string, n)
	for i := range out {
		name := base[i%len(base)]
		if round := i / len(base); round > 0 {
			name = clip(name, protocol.MaxNameRunes-4) + strconv.Itoa(round+1)
		}
		out[i] = name
	}
	return out
}

// next returns the viewer's next action. The first action is always a chat
// line, so every viewer says something soon after joining.
func (s *viewerScript) next() viewerAction {
	var a viewerAction
	if s.actions == 0 {
		a.Wait = between(s.rng, 0, s.first)
	} else {
		a.Wait = between(s.rng, s.gap*2/5, s.gap*8/5)
	}
	s.actions++
	roll := s.rng.IntN(100)
	switch {
	case s.back:
		s.back = false
		a.Kind = viewerChat
		if s.rng.IntN(100) < backPercent {
			a.Say = line(s.rng, backLines)
		} else {
			a.Say = line(s.rng, generalLines)
		}
	case s.actions == 1 || roll >= buyPercent+leavePercent:
		a.Kind = viewerChat
		// Mostly about the product, as a live audience is.
		if s.rng.IntN(3) > 0 {
			a.Say = line(s.rng, productLines)
		} else {
			a.Say = line(s.rng, generalLines)
		}
	case roll < buyPercent:
		a.Kind = viewerBuy
		if s.rng.IntN(100) < bragPercent {
			a.Say = line(s.rng, bragLines)
		}
	default:
		a.Kind = viewerLeave
		a.Away = between(s.rng, s.gap*awayMinGaps, s.gap*awayMaxGaps)
		s.back = true
	}
	a.Fallback = line(s.rng, generalLines)
	return a
}
