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
		}
		return agreed(ph, l.Product, l.Variant)
	}), protocol.MaxChatRunes)
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
