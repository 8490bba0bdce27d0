package demo

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

// Placeholders in the templates below. {city} and {emoji} are chosen by the
// script, so they are filled when the script is made; the others depend on
// what the bot's connection has seen and are filled by the runner.
const (
	phProduct = "{product}"
	phVariant = "{variant}"
	phPrice   = "{price}"
	phStock   = "{stock}"
	phNote    = "{note}"
	phHost    = "{host}"
	phCity    = "{city}"
	phEmoji   = "{emoji}"
)

// productLines are what viewers say about the pinned product. They are the
// bulk of the chat, so a newcomer sees the audience react to what is on show.
var productLines = []string{
	"does the {product} come in other colours?",
	"{variant} is so pretty",
	"how big is the {product}?",
	"{price} is a steal",
	"@{host} can you show the back of the {product}?",
	"is the {product} easy to clean?",
	"ooh the {product} {emoji}",
	"{variant} or the other one? can't decide",
	"@{host} can you hold the {variant} up to the light?",
	"what's the {product} made of?",
	"need the {product} in my life",
	"{price}?? take my money",
	"the {variant} one is gorgeous {emoji}",
	"does the {product} ship to {city}?",
	"is {price} with shipping?",
	"my sister has the {product}, she loves it",
	"is the {variant} darker in real life?",
	"the {product} would make a great gift",
	"adding the {product} to my wishlist",
	"how many {variant} are left?",
	"@{host} is the {product} handmade?",
	"love the {product}!! {emoji}",
	"that {variant} {emoji}{emoji}",
	"can you zoom in on the {product}?",
	"would the {product} work as a present for my mum?",
	"{price} is fair for that quality",
	"hmm {price} is a bit much for me",
	"the {product} looks even better live",
	"does the {variant} look the same in daylight?",
	"ordered the {product} last week, love it",
	"@{host} do you use the {product} yourself?",
	"the {variant} would match my kitchen perfectly",
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
	"done, bought it {emoji}",
	"snagged the {variant} one!",
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
	"Here's the {product}! {price} — {note}",
	"Ooh, I love this one: the {product}, just {price} — {note}",
	"Pinned the {product} for you, {price} — {note}",
	"Let's look at the {product}. It's {price} — {note}",
	"This is the {product}, {price} — {note}",
}

// hostHypeLines fill the time between pins while a product is pinned.
var hostHypeLines = []string{
	"Isn't the {product} lovely in the light?",
	"{price} for the {product}, that's a good deal",
	"The {variant} is flying today {emoji}",
	"Tap the pin to add the {product} to your cart",
	"Only {stock} {variant} left, don't wait too long!",
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

// needsPin reports whether a template speaks about the pinned product.
func needsPin(tmpl string) bool {
	for _, ph := range []string{phProduct, phVariant, phPrice, phStock, phNote} {
		if strings.Contains(tmpl, ph) {
			return true
		}
	}
	return false
}

// prefill fills the placeholders the script owns. Every {emoji} gets the
// same emoji: "🔥🔥🔥" reads as one reaction.
func prefill(tmpl, city, em string) string {
	return strings.NewReplacer(phCity, city, phEmoji, em).Replace(tmpl)
}

// live is what a bot knows from its connection that a line can mention.
type live struct {
	Product string
	Variant string
	Price   string
	Stock   int
	Host    string
}

// liveFrom reads the pinned product and the host's name from a bot's mirror
// of the show. ok is false when nothing is pinned.
func liveFrom(st *show.State) (l live, ok bool) {
	l.Host = st.Show.Host
	if l.Host == "" {
		l.Host = "host"
	}
	p, v, ok := st.Pinned()
	if !ok {
		return l, false
	}
	l.Product, l.Variant, l.Price, l.Stock = p.Name, v.Name, p.Price.String(), v.Stock
	return l, true
}

// stockNote remarks on how many of the pinned variant are left, so the host's
// introduction matches what viewers see in the stock counter.
func stockNote(l live) string {
	switch {
	case l.Stock <= 0:
		return "the " + l.Variant + " just sold out, more soon!"
	case l.Stock <= 3:
		return "only " + strconv.Itoa(l.Stock) + " of the " + l.Variant + " ones left!"
	case l.Stock <= 10:
		return "only a few of the " + l.Variant + " ones left!"
	default:
		return "the " + l.Variant + " is my favourite."
	}
}

// fill completes a template from live state and keeps it within the chat
// limit: product names may be long enough to push a line over.
func fill(tmpl string, l live) string {
	r := strings.NewReplacer(
		phNote, stockNote(l),
		phProduct, l.Product,
		phVariant, l.Variant,
		phPrice, l.Price,
		phStock, strconv.Itoa(l.Stock),
		phHost, l.Host,
	)
	return clip(r.Replace(tmpl), protocol.MaxChatRunes)
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
