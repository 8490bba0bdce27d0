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

	// A flash deal comes every two to four minutes, on the product pinned
	// at the time, and runs dealMin to dealMax. It starts dealLead after a
	// pin, so the product is introduced first, and the pin holds until the
	// deal is over and dealTail more, so a deal is never cut short on
	// screen. A deal falls due a gap in [dealGapMin, dealGapMax] after the
	// last and moves to the start of the pin it falls in, up to
	// pinMax-dealLead early and dealLead late: hence the bounds.
	dealGapMin = 2*time.Minute + pinMax - dealLead
	dealGapMax = 4*time.Minute - dealLead
	dealMin    = 45 * time.Second
	dealMax    = 90 * time.Second
	dealLead   = 4 * time.Second
	dealTail   = 6 * time.Second

	// hostLineGap is the least time between a line of the host and one it
	// says in answer to the show (a deal, low stock, a restock), so each
	// reads on its own.
	hostLineGap = 2 * time.Second

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
	// about 0.945 times (chat, plus a brag after half the buys; gifts and
	// leaves are silent) and a viewer is present about 90% of the time
	// (away for ~5.5 gaps per ~50 actions), so N viewers say N*0.85/gap
	// lines a second, and a little more about auctions and giveaways.
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

// dealPercents are the discounts the host gives.
var dealPercents = []int{10, 15, 20, 25, 30}

// The opening: the show's first half minute at pace 1, the same for every
// seed but for names, products and words. Everything a newcomer should see
// happens in it: the host greets and pins a product a few sales will bring
// low, the audience chats, a flash deal starts with its countdown, viewers
// buy, and the host says when the pinned stock is down to a handful.
const (
	openingPinAt  = 1 * time.Second
	openingHypeAt = 5500 * time.Millisecond
	openingDealAt = 9 * time.Second
	openingDeal   = 60 * time.Second
	openingDealOf = 20 // percent off
	openingLateAt = 26 * time.Second
	// openingLen is how long the opening lasts: before it, viewers only
	// chat and make the scripted buys, so the stock falls as planned and
	// the audience stays whole.
	openingLen = 30 * time.Second
)

// openingBuys are when the audience buys the pinned product in the opening,
// one buy each for the first viewers. The opening pin is a variant these
// buys bring down to lowStock or fewer without selling it out.
var openingBuys = []time.Duration{5 * time.Second, 12 * time.Second, 16 * time.Second, 21 * time.Second}

// Away time after a leave, in viewer gaps: long enough to notice the viewer
// count move, short enough that the audience stays near its size.
const (
	awayMinGaps = 3
	awayMaxGaps = 8
)

// botRNG returns the random stream of one bot's script. Each bot has its
// own stream, so what one viewer does never depends on how many others
// there are.
func botRNG(seed, bot uint64) *rand.Rand { return streamRNG(seed, bot, scriptStreams) }

// Families of streams: each bot has one stream of each. A viewer reacts to
// auctions and giveaways by streams apart from its script's, so what the
// live show brings (how many auctions it meets, at what prices) never
// changes what its script says and does.
const (
	scriptStreams uint64 = iota
	auctionStreams
	giveawayStreams
)

// streamRNG returns bot's stream of the given family.
func streamRNG(seed, bot, family uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^family*0xd1342543de82ef95, bot*0x9e3779b97f4a7c15+1))
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

// hostKind is what a host action does.
type hostKind int

const (
	hostSay      hostKind = iota // say a line
	hostPin                      // pin a product and introduce it
	hostDeal                     // start a flash deal on the pinned product
	hostAuction                  // auction one of the pinned product
	hostGiveaway                 // give one of the pinned product away
)

func (k hostKind) String() string {
	switch k {
	case hostSay:
		return "say"
	case hostPin:
		return "pin"
	case hostDeal:
		return "deal"
	case hostAuction:
		return "auction"
	case hostGiveaway:
		return "giveaway"
	}
	return "hostKind(" + strconv.Itoa(int(k)) + ")"
}

// hostAction is one step of the host bot. Durations are at pace 1.
type hostAction struct {
	Wait time.Duration // after the previous action
	Kind hostKind
	// Pin lists products in the order to try: the runner pins the first
	// with stock that is not already pinned.
	Pin []string
	// Low asks for a variant that the opening's buys bring down to a
	// handful, when one of the candidates has it.
	Low bool
	// Percent and For are the deal's discount and length; For is an
	// auction's or a giveaway's length too.
	Percent int
	For     time.Duration
	// Counter is an auction's counter-bid time.
	Counter time.Duration
	// BuyersOnly opens a giveaway to this show's buyers alone.
	BuyersOnly bool
	// Say is said with the action; a template that may mention the product.
	// A deal, an auction and a giveaway are announced by the runner once
	// the show has them.
	Say string
	// Fallback is said instead when Say cannot be filled: nothing pinned,
	// or nothing left to pin, or During is not running.
	Fallback string
	// During is hostAuction or hostGiveaway for a line that is only true
	// while one is open ("press b to bid").
	During hostKind
}

// timed is an action at its time in the show, before waits are worked out.
type timed struct {
	at time.Duration
	a  hostAction
}

// hostScript decides what the host does: the opening, then pins that cycle
// through the catalog in a fresh shuffled order each round, with a few
// lines between them and a flash deal every few minutes.
type hostScript struct {
	rng      *rand.Rand
	products []string
	order    []string // this round's pin order
	pos      int      // next index into order
	queue    []hostAction
	at       time.Duration // show time of the last action queued
	end      time.Duration // show time the planned segment ends: the next pin
	nextDeal time.Duration // show time the next deal is due
	// nextAuction and nextGiveaway are when the next auction and the next
	// giveaway are due.
	nextAuction, nextGiveaway time.Duration
	giveaways                 int // giveaways planned so far
	started                   bool
	// prev and cur are the line templates of the previous action and of
	// the one being made: no template is given to two actions running, so
	// the host never says the same line twice in a row.
	prev, cur []string
}

// newHostScript makes the host's script for a catalog snapshot (product IDs
// in catalog order).
func newHostScript(seed uint64, products []string) *hostScript {
	return &hostScript{rng: botRNG(seed, 0), products: slices.Clone(products)}
}

// next returns the host's next action.
func (s *hostScript) next() hostAction {
	for len(s.queue) == 0 {
		if !s.started {
			s.started = true
			s.enqueue(s.opening())
		} else {
			s.enqueue(s.segment())
		}
	}
	a := s.queue[0]
	s.queue = s.queue[1:]
	return a
}

// enqueue turns timed actions, in order, into waits.
func (s *hostScript) enqueue(acts []timed) {
	slices.SortStableFunc(acts, func(a, b timed) int { return int(a.at - b.at) })
	for _, t := range acts {
		t.a.Wait = t.at - s.at
		s.at = t.at
		s.queue = append(s.queue, t.a)
	}
}

// action starts making the next action, in show order.
func (s *hostScript) action() { s.prev, s.cur = s.cur, nil }

// line picks a template that the previous action was not given.
func (s *hostScript) line(list []string) string {
	tmpl := pick(s.rng, list)
	for len(list) > len(s.prev) && slices.Contains(s.prev, tmpl) {
		tmpl = pick(s.rng, list)
	}
	s.cur = append(s.cur, tmpl)
	return prefill(tmpl, pick(s.rng, cities), pick(s.rng, emoji))
}

func (s *hostScript) say(list []string) hostAction {
	s.action()
	return hostAction{Kind: hostSay, Say: s.line(list)}
}

func (s *hostScript) hype() hostAction {
	s.action()
	return hostAction{Kind: hostSay, Say: s.line(hostHypeLines), Fallback: s.line(hostChatLines)}
}

func (s *hostScript) pin(low bool) hostAction {
	s.action()
	return hostAction{Kind: hostPin, Pin: s.nextPin(), Low: low, Say: s.line(hostIntroLines), Fallback: s.line(hostChatLines)}
}

// opening plans the first segment: greet, pin, deal, and lines between,
// until the opening deal is over.
func (s *hostScript) opening() []timed {
	acts := []timed{
		{0, s.say(hostWelcomeLines)},
		{openingPinAt, s.pin(true)},
		{openingHypeAt, s.hype()},
		{openingDealAt, hostAction{Kind: hostDeal, Percent: openingDealOf, For: openingDeal}},
		{openingLateAt, s.hype()},
	}
	s.end = openingDealAt + openingDeal + dealTail
	acts = append(acts, s.lines(openingLen, s.end, openingDealAt, s.hype)...)
	s.nextDeal = openingDealAt + between(s.rng, dealGapMin, dealGapMax)
	s.nextAuction = s.end // the first pin after the opening
	s.nextGiveaway = giveawayFirst
	return acts
}

// segment plans one pin: the pin and its introduction, then a few lines
// while it is pinned, and a deal, an auction or a giveaway when one falls
// due in it. They hold the stage alone: of those due, the one due first
// runs, and the others wait for a later pin.
func (s *hostScript) segment() []timed {
	start := s.end
	var acts []timed
	if len(s.products) == 0 {
		acts = append(acts, timed{start, s.say(hostChatLines)})
	} else {
		acts = append(acts, timed{start, s.pin(false)})
	}
	s.end = start + between(s.rng, pinMin, pinMax)
	if len(s.products) == 0 {
		return append(acts, s.lines(start+(s.end-start)/5, s.end-hostLineGap, -1, s.hype)...)
	}
	at := start + dealLead
	switch s.due() {
	case hostDeal:
		d := hostAction{Kind: hostDeal, Percent: dealPercents[s.rng.IntN(len(dealPercents))], For: between(s.rng, dealMin, dealMax)}
		acts = append(acts, timed{at, d})
		s.end = max(s.end, at+d.For+dealTail)
		s.nextDeal = at + between(s.rng, dealGapMin, dealGapMax)
	case hostAuction:
		acts = append(acts, timed{at, hostAction{Kind: hostAuction, For: auctionFor, Counter: auctionCounter}})
		s.end = max(s.end, at+auctionFor+stageTail)
		s.nextAuction = at + between(s.rng, auctionGapMin, auctionGapMax)
		return append(acts, s.lines(at+auctionFor/4, at+auctionFor-hostLineGap, -1, s.bidding)...)
	case hostGiveaway:
		// The first giveaway is for everyone, so a newcomer sees it fill.
		g := hostAction{Kind: hostGiveaway, For: giveawayFor, BuyersOnly: s.giveaways > 0 && s.rng.IntN(100) < buyersOnlyPercent}
		s.giveaways++
		acts = append(acts, timed{at, g})
		s.end = max(s.end, at+giveawayFor+stageTail)
		s.nextGiveaway = at + between(s.rng, giveawayGapMin, giveawayGapMax)
		return append(acts, s.lines(at+giveawayFor/4, at+giveawayFor-hostLineGap, -1, s.entries)...)
	default:
		at = -1
	}
	return append(acts, s.lines(start+(s.end-start)/5, s.end-hostLineGap, at, s.hype)...)
}

// due returns which of a deal, an auction and a giveaway runs in the
// segment being planned, or hostSay for none: an auction when one is due,
// as the show's headline keeps its rhythm; else the giveaway or the deal
// that fell due first.
func (s *hostScript) due() hostKind {
	if s.nextAuction <= s.end {
		return hostAuction
	}
	kind, first := hostSay, s.end+1
	for _, c := range []struct {
		kind hostKind
		at   time.Duration
	}{{hostGiveaway, s.nextGiveaway}, {hostDeal, s.nextDeal}} {
		if c.at < first {
			kind, first = c.kind, c.at
		}
	}
	return kind
}

// lines plans one or two lines in [from, to), one more for every further
// half minute, each in its own equal slot so they spread out, and none
// within hostLineGap of an announcement at eventAt. say makes each line.
func (s *hostScript) lines(from, to, eventAt time.Duration, say func() hostAction) []timed {
	n := 1 + s.rng.IntN(2) + int((to-from)/(30*time.Second))
	slot := (to - from) / time.Duration(n)
	var out []timed
	for i := range n {
		at := between(s.rng, from+slot*time.Duration(i), from+slot*time.Duration(i+1))
		if eventAt < 0 || at <= eventAt-hostLineGap || at >= eventAt+hostLineGap {
			out = append(out, timed{at, say()})
		}
	}
	return out
}

// bidding is a line for while an auction takes bids.
func (s *hostScript) bidding() hostAction {
	s.action()
	return hostAction{Kind: hostSay, Say: s.line(hostBiddingLines), Fallback: s.line(hostHypeLines), During: hostAuction}
}

// entries is a line for while a giveaway takes entries.
func (s *hostScript) entries() hostAction {
	s.action()
	return hostAction{Kind: hostSay, Say: s.line(hostEntryLines), Fallback: s.line(hostChatLines), During: hostGiveaway}
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
	viewerGift
)

func (k viewerKind) String() string {
	switch k {
	case viewerChat:
		return "chat"
	case viewerBuy:
		return "buy"
	case viewerLeave:
		return "leave"
	case viewerGift:
		return "gift"
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
	// Roll, in [0, 100), chooses the kind of a gift among those the show
	// offers (giver.choose), and Pay is how long the viewer takes to pay
	// for it.
	Roll int
	Pay  time.Duration
}

// viewerScript decides what one viewer does.
type viewerScript struct {
	Name string
	Join time.Duration // after the show starts

	rng     *rand.Rand
	gap     time.Duration // mean time between actions
	first   time.Duration // bound on the first action's wait
	actions int
	back    bool // the last action drawn was a leave
	// at is the show time of the last action returned, counting the away
	// time after a leave.
	at time.Duration
	// drawn is the next action of the random stream and drawnAt its show
	// time, held back while a scripted buy comes first.
	drawn   *viewerAction
	drawnAt time.Duration
	buys    []time.Duration // the viewer's buys in the opening, in show time
}

// audienceScripts makes the scripts of n viewers. Names are a seeded choice,
// unique within the show. The opening's buys go to the first viewers, who
// have all joined by the first.
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
		s.at = s.Join
		out[i] = s
	}
	for k, at := range openingBuys {
		if n > 0 {
			s := out[k%min(n, len(openingBuys))]
			s.buys = append(s.buys, at)
		}
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

// next returns the viewer's next action: a scripted buy of the opening when
// one is due before the next action of the random stream, else that one.
func (s *viewerScript) next() viewerAction {
	if s.drawn == nil {
		a := s.draw()
		s.drawn, s.drawnAt = &a, s.at+a.Wait
	}
	if len(s.buys) > 0 && s.buys[0] <= s.drawnAt {
		at := s.buys[0]
		s.buys = s.buys[1:]
		a := viewerAction{Wait: at - s.at, Kind: viewerBuy, Say: line(s.rng, bragLines), Fallback: line(s.rng, generalLines)}
		s.at = at
		return a
	}
	a := *s.drawn
	s.drawn = nil
	a.Wait = s.drawnAt - s.at
	s.at = s.drawnAt + a.Away
	return a
}

// draw returns the next action of the random stream, its wait counted from
// s.at. The first action is always a chat line, so every viewer says
// something soon after joining; in the opening every action is.
func (s *viewerScript) draw() viewerAction {
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
	case s.actions == 1 || s.at+a.Wait < openingLen || roll >= buyPercent+leavePercent+giftPercent:
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
	case roll < buyPercent+leavePercent:
		a.Kind = viewerLeave
		a.Away = between(s.rng, s.gap*awayMinGaps, s.gap*awayMaxGaps)
		s.back = true
	default:
		a.Kind = viewerGift
		a.Roll, a.Pay = s.rng.IntN(100), between(s.rng, payMin, payMax)
	}
	a.Fallback = line(s.rng, generalLines)
	return a
}
