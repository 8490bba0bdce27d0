package demo

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// Placeholders in the templates below, without their braces. {city} and
// {emoji} are chosen by the script, so they are filled when the script is
// made; the others depend on what the bot's connection has seen and are
// filled by the runner, from the show's state at the moment the line is
// said.
const (
	phProduct   = "product"    // the product's name
	phVariant   = "variant"    // the variant's name
	phInVariant = "in_variant" // "in Blue", "with Linear switches"
	phPrice     = "price"      // what it costs now: the deal price during a deal
	phRegular   = "regular"    // the regular price
	phPercent   = "percent"    // a deal's percent off, "20%"
	phLeft      = "left"       // "only 3 left", "12 left", "40 in stock"
	phNote      = "note"       // a remark on the stock: {left} {in_variant}
	phDealTime  = "deal_time"  // how long a deal has left: "45 seconds"
	phStart     = "start"      // an auction's opening bid, "$9"
	phBid       = "bid"        // an auction's leading or winning bid, "$23"
	phWinner    = "winner"     // who won an auction or a giveaway
	phRecord    = "record"     // where a giveaway's draw is published
	phTimeLeft  = "time_left"  // how long an auction or a giveaway has left: "30 seconds"
	phHost      = "host"
	phCity      = "city"
	phEmoji     = "emoji"
)

// Words that agree with the product or the variant are written
// {singular/plural:product} or {singular/plural:variant}: "{is/are:product}
// the {product} handmade?" asks "are the Wool Reading Socks handmade?".

// productLines are what viewers say about the pinned product. They are the
// bulk of the chat, so a newcomer sees the audience react to what is on show.
var productLines = []string{
	"{does/do:product} the {product} come in other colours?",
	"{variant} {is/are:variant} so pretty",
	"how big {is/are:product} the {product}?",
	"{price} is a steal",
	"@{host} can you show the back of the {product}?",
	"{is/are:product} the {product} easy to clean?",
	"ooh the {product} {emoji}",
	"{variant} or the other one? can't decide",
	"@{host} can you hold the {product} up to the light?",
	"{what's/what are:product} the {product} made of?",
	"need the {product} in my life",
	"{price}?? take my money",
	"{in_variant} {it's/they're:product} gorgeous {emoji}",
	"{does/do:product} the {product} ship to {city}?",
	"is {price} with shipping?",
	"my sister has the {product}, she loves {it/them:product}",
	"how long {does/do:product} the {product} take to ship?",
	"the {product} would make a great gift",
	"adding the {product} to my wishlist",
	"how many left {in_variant}?",
	"@{host} {is/are:product} the {product} handmade?",
	"love the {product}!! {emoji}",
	"{variant} {emoji}{emoji}",
	"can you zoom in on the {product}?",
	"would the {product} work as a present for my mum?",
	"{price} is fair for that quality",
	"hmm {price} is a bit much for me",
	"the {product} {looks/look:product} even better live",
	"{does/do:product} the {product} look the same in daylight?",
	"ordered the {product} last week, love {it/them:product}",
	"@{host} do you use the {product} yourself?",
	"{in_variant} {it'd/they'd:product} match my kitchen perfectly",
}

// generalLines need no pinned product: greetings, the host, the show.
var generalLines = []string{
	"hi from {city} {emoji}",
	"just joined, what did I miss?",
	"hello everyone!",
	"@{host} love your shows",
	"first time here {emoji}",
	"the vibe today {emoji}",
	"what's next after this?",
	"@{host} you're so good at this",
	"watching from {city} on my lunch break",
	"{emoji}{emoji}{emoji}",
	"ordered one last week, love it",
	"is there a discount code today?",
	"good evening from {city}",
	"can't stop watching these",
	"@{host} shout out to {city} please!",
	"my cart is getting dangerous",
	"lol the chat is so fast",
	"so cosy in here",
	"anyone else here every week?",
	"yesss {emoji}",
	"@{host} what's your favourite piece today?",
	"how long does shipping usually take?",
}

// bragLines follow a purchase, so the chat shows that people buy.
var bragLines = []string{
	"just bought one!",
	"got mine {emoji}",
	"ordered! can't wait",
	"done, bought {it/them:product} {emoji}",
	"snagged one {in_variant}!",
}

// backLines greet the show after a viewer has left and rejoined.
var backLines = []string{
	"back! what did I miss?",
	"sorry, had to step away",
	"I'm back {emoji}",
	"back again, couldn't stay away",
}

// hostWelcomeLines open the show.
var hostWelcomeLines = []string{
	"Welcome, everyone! So happy you're here {emoji}",
	"Hi all, welcome to the show! Grab a tea, we have lovely things today",
	"Hello hello! Say hi in the chat and tell me where you're watching from",
	"Welcome in! Lots to show you today, let's get started {emoji}",
}

// hostIntroLines introduce a freshly pinned product; {note} is a remark on
// its stock, made from the live count.
var hostIntroLines = []string{
	"Next up: the {product}, {price} — {note}",
	"{Here's/Here are:product} the {product}! {price} — {note}",
	"Ooh, I love {this one/these:product}: the {product}, just {price} — {note}",
	"Pinned the {product} for you, {price} — {note}",
	"Let's look at the {product}. {It's/They're:product} {price} — {note}",
	"{This is/These are:product} the {product}, {price} — {note}",
}

// hostHypeLines fill the time between pins while a product is pinned.
var hostHypeLines = []string{
	"{Isn't/Aren't:product} the {product} lovely in the light?",
	"{price} for the {product}, that's a good price",
	"{variant} {is/are:variant} my pick today {emoji}",
	"Press a to add the {product} to your cart",
	"The {product} {makes/make:product} such a good gift {emoji}",
	"Questions about the {product}? Ask away!",
	"I use mine every single day, honestly",
}

// hostChatLines are what the host says when nothing is pinned, or when a
// product line cannot be filled.
var hostChatLines = []string{
	"Thanks for all the love in the chat {emoji}",
	"Keep the questions coming!",
	"Hi to everyone just joining!",
	"We've got more coming up, stay with me",
	"You're all so lovely today {emoji}",
}

// hostDealLines announce a flash deal once the show has it, so the price
// said is the one the server charges.
var hostDealLines = []string{
	"⚡ Flash deal! The {product} {is/are:product} {price} instead of {regular} for {deal_time}",
	"Flash deal on the {product}: {percent} off, just {price} for {deal_time}!",
	"Deal time! {price} instead of {regular} for the {product}, {deal_time} only {emoji}",
}

// hostLowLines say that the pinned variant is running low, with its count.
var hostLowLines = []string{
	"Heads up: {left} {in_variant}!",
	"Going fast: {left} of the {product} {in_variant}",
	"Careful, {left} {in_variant} now {emoji}",
	"The {product} {is/are:product} flying: {left} {in_variant}",
}

// hostSoldOutLines say that the pinned variant has sold out; a restock is
// always on its way, so "more soon" is a promise the host keeps.
var hostSoldOutLines = []string{
	"That's the last of the {product} {in_variant}! More soon, I promise",
	"Wow, the {product} {in_variant} sold out! I'll get more",
	"Sold out {in_variant}! Thank you all, more on the way {emoji}",
}

// hostRestockLines say that a sold-out variant is back, with its new stock.
var hostRestockLines = []string{
	"Good news: the {product} {in_variant} {is/are:product} back, {left}!",
	"Restocked! The {product} {in_variant}: {left} {emoji}",
	"Back in stock: the {product} {in_variant}, {left}",
}

// hostAuctionLines announce an auction once the show has it, with its
// opening bid and the time on its clock.
var hostAuctionLines = []string{
	"Auction! The {product} {in_variant}, starting at {start}, press b to bid — {time_left}",
	"🔨 Auction time: the {product} {in_variant} from {start}! Press b to bid, {time_left} on the clock",
	"Let's auction the {product} {in_variant}! Bids start at {start}, press b — {time_left}",
}

// hostBiddingLines fill an auction while it takes bids; they name no
// amount, which moves with every bid.
var hostBiddingLines = []string{
	"Who wants the {product}? Press b to bid!",
	"Don't let the {product} go cheap, press b {emoji}",
	"Bids are coming in for the {product}!",
	"A bid in the last seconds adds time to the clock, keep going {emoji}",
}

// hostSoldLines give an auction's result: who won it, for how much.
var hostSoldLines = []string{
	"SOLD to {winner} for {bid} 🎉",
	"Going, going... SOLD! The {product} {goes/go:product} to {winner} for {bid} 🎉",
	"And the {product} {is/are:product} {winner}'s for {bid}! Congratulations 🎉",
}

// hostUnsoldLines close an auction nobody bid on.
var hostUnsoldLines = []string{
	"No bids on the {product} this time, {it's/they're:product} still {price} to buy",
	"The auction closed without a bid! The {product} {is/are:product} still {price}, press a to add {it/them:product}",
}

// hostGiveawayLines open a giveaway anyone may enter.
var hostGiveawayLines = []string{
	"🎁 Giveaway! One {product} {in_variant} for one lucky viewer, press e to enter — {time_left}",
	"Giveaway time {emoji} Press e to enter for the {product} {in_variant}, {time_left} to get in",
	"I'm giving away the {product} {in_variant}! Press e to enter, entry is free — {time_left}",
}

// hostBuyersGiveawayLines open a giveaway only this show's buyers may
// enter.
var hostBuyersGiveawayLines = []string{
	"🎁 A giveaway for everyone who bought today: the {product} {in_variant}! Press e to enter — {time_left}",
	"Thank you for shopping {emoji} Buyers, press e to enter for the {product} {in_variant}, {time_left}",
}

// hostEntryLines fill a giveaway while it takes entries.
var hostEntryLines = []string{
	"Still time to enter the giveaway, press e {emoji}",
	"Have you entered? Press e, it's free!",
	"The draw is fair and anyone can check it afterwards {emoji}",
}

// hostWinnerLines name a giveaway's winner and how to check the draw.
var hostWinnerLines = []string{
	"🎉 {winner} wins the {product}! Check the draw: livecart verify {record}",
	"And the winner is... {winner}! 🎉 Verify the draw yourself: livecart verify {record}",
}

// hostShortWinnerLines name the winner when a line with the record would
// not fit the chat; the record follows on its own in hostVerifyLines.
var hostShortWinnerLines = []string{
	"🎉 {winner} wins the {product}! Congratulations!",
	"And the winner is... {winner}! 🎉",
}

// hostVerifyLines tell how to check a draw, on their own.
var hostVerifyLines = []string{
	"Check the draw: livecart verify {record}",
}

// hostVoidLines close a giveaway nobody entered.
var hostVoidLines = []string{
	"Nobody entered the giveaway this time, another one soon!",
}

// bidLines go with a viewer's bid now and then.
var bidLines = []string{
	"bid!",
	"mine!! {emoji}",
	"{bid} from me",
	"not letting this one go",
	"bidding {emoji}",
	"come on come on",
	"I need the {product}",
}

// outbidLines follow losing the lead.
var outbidLines = []string{
	"outbid again 😭",
	"noooo",
	"ok one more",
	"someone really wants it lol",
	"grr {emoji}",
}

// wonLines follow winning an auction.
var wonLines = []string{
	"I WON 🎉",
	"yesss the {product} {is/are:product} mine!!",
	"won it!! {emoji}",
}

// enterLines follow entering a giveaway.
var enterLines = []string{
	"entered! 🤞",
	"fingers crossed 🤞",
	"entered, good luck all",
	"in! {emoji}",
}

// luckyLines follow winning a giveaway.
var luckyLines = []string{
	"omg I won?! 😱",
	"no way, I won! thank you!!",
}

// congratsLines follow someone else's win.
var congratsLines = []string{
	"congrats {winner}! 🎉",
	"lucky {winner} {emoji}",
	"well done {winner}",
}

var cities = []string{
	"Lisbon", "Manila", "Leeds", "Austin", "Lagos", "Osaka", "Porto", "Cork",
	"Melbourne", "Toronto", "Nairobi", "Bergen", "Denver", "Lyon", "Seoul",
	"Glasgow", "Cape Town", "Kraków", "São Paulo", "Halifax",
}

var emoji = []string{"👋", "😍", "🔥", "✨", "💖", "🙌", "😂", "🛒", "☕", "🌸", "👀", "💯"}

// viewerNames are the audience's display names. A run with more viewers
// than names reuses them with a number, so names stay unique.
var viewerNames = []string{
	"Ana", "kofi_m", "Lena B.", "ravi.codes", "Mia", "tomás", "Jules", "priya_k",
	"Olu", "sam_w", "Hana", "Marco", "bea.makes", "Ife", "Noor", "Leo",
	"greta_g", "Yuki", "Caleb", "zainab", "Nina R.", "oscar.p", "Amara", "Finn",
	"lucía", "Dev", "Maeve", "kai_lee", "Rosa", "Ines", "tariq_a", "Elsie",
	"Bongani", "Chloé", "milo.jpg", "Sana", "Ezra", "Ayla", "rory_d", "Keiko",
	"Thandi", "Jonas", "pia.k", "Aditi", "Matteo", "Wren", "Kwame", "Sofia",
	"lars_e", "Imani", "Bao", "Freya", "Nico", "Zara", "hugo.v", "Leila",
	"Tobi", "Esme", "Arjun", "Clara",
}

// ViewerNames returns the display names the simulated audience uses, for
// tests that need ordinary names.
func ViewerNames() []string { return slices.Clone(viewerNames) }

// pinWords are the placeholders that need a product to fill.
var pinWords = []string{phProduct, phVariant, phInVariant, phPrice, phRegular, phPercent, phLeft, phNote}

// needsPin reports whether a template speaks about the pinned product.
func needsPin(tmpl string) bool {
	for _, ph := range pinWords {
		if strings.Contains(tmpl, "{"+ph+"}") {
			return true
		}
	}
	return agrees(tmpl)
}

// prefill fills the placeholders the script owns. Every {emoji} gets the
// same emoji: "🔥🔥🔥" reads as one reaction.
func prefill(tmpl, city, em string) string {
	return expand(tmpl, func(ph string) (string, bool) {
		switch ph {
		case phCity:
			return city, true
		case phEmoji:
			return em, true
		}
		return "", false
	})
}

// live is what a bot knows from its connection that a line can mention.
type live struct {
	Product noun
	Variant noun
	Price   money.Money // what it costs now: the deal price during a deal
	Regular money.Money
	Percent int // a running deal's percent off; 0 without one
	Stock   int // of the variant
	Host    string
	// DealFor is how long a deal just started runs, for its announcement.
	DealFor time.Duration

	// Of an auction or a giveaway: the opening bid, the leading or winning
	// bid, the winner's name, the draw's record and the time left.
	Start, Bid money.Money
	Winner     string
	Record     string
	TimeLeft   time.Duration
}

// liveOf describes variant v of product p. A deal counts while the product
// carries one: the server sends the product again without it when it ends.
func liveOf(p protocol.Product, v protocol.Variant, host string) live {
	l := live{Product: nounOf(p.Name), Variant: nounOf(v.Name), Price: p.Price, Regular: p.Price, Stock: v.Stock, Host: host}
	if p.Deal != nil {
		l.Price, l.Percent = p.Deal.Price, p.Deal.Percent
	}
	return l
}

// liveFrom reads the pinned product and the host's name from a bot's mirror
// of the show. ok is false when nothing is pinned.
func liveFrom(st *show.State) (l live, ok bool) {
	host := st.Show.Host
	if host == "" {
		host = "host"
	}
	p, v, ok := st.Pinned()
	if !ok {
		return live{Host: host}, false
	}
	return liveOf(p, v, host), true
}

// fill completes a template from live state and keeps it within the chat
// limit: product names may be long enough to push a line over.
func fill(tmpl string, l live) string {
	return clip(expand(tmpl, func(ph string) (string, bool) {
		switch ph {
		case phProduct:
			return l.Product.Name, true
		case phVariant:
			return l.Variant.Name, true
		case phInVariant:
			return inVariant(l.Variant), true
		case phPrice:
			return l.Price.String(), true
		case phRegular:
			return l.Regular.String(), true
		case phPercent:
			return strconv.Itoa(l.Percent) + "%", l.Percent > 0
		case phLeft:
			return left(l.Stock), true
		case phNote:
			return stockNote(l.Stock, l.Variant), true
		case phDealTime:
			return spoken(l.DealFor), true
		case phHost:
			return l.Host, true
		case phStart:
			return whole(l.Start), true
		case phBid:
			return whole(l.Bid), true
		case phWinner:
			return l.Winner, l.Winner != ""
		case phRecord:
			return l.Record, l.Record != ""
		case phTimeLeft:
			return spoken(l.TimeLeft), true
		}
		return agreed(ph, l.Product, l.Variant)
	}), protocol.MaxChatRunes)
}

// whole says an amount as a host does: "$9" for a whole one, "$9.50"
// otherwise. Auction bids are whole, so they read short.
func whole(m money.Money) string {
	unit := money.MajorUnit(m.Currency)
	if unit == 1 || m.Amount%unit != 0 {
		return m.String()
	}
	return money.Prefix(m.Currency) + strconv.FormatInt(m.Amount/unit, 10)
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
