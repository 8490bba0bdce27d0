package demo

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/show"
)

var leftover = regexp.MustCompile(`[{}]`)

func usd(c int64) money.Money { return money.New(c, "USD") }

// withFormats adds to l what the lines of auctions and giveaways say: the
// longest winner's name and a record's link as the server makes them.
func withFormats(l live) live {
	l.Start, l.Bid, l.TimeLeft = usd(900), usd(2300), 30*time.Second
	l.Winner = strings.Repeat("W", protocol.MaxNameRunes)
	l.Record = "http://127.0.0.1:54321/giveaways/m2x9k4q1-gw12"
	return l
}

var sampleLive = live{
	Product: nounOf("Speckled Mug"), Variant: nounOf("Blue"),
	Price: usd(1920), Regular: usd(2400), Percent: 20, Stock: 4, Host: "Maya", DealFor: time.Minute,
	Start: usd(900), Bid: usd(2300), Winner: "Ana", Record: "http://127.0.0.1:7420/giveaways/e1-gw1", TimeLeft: 30 * time.Second,
}

// templateLists are every list of templates, by name, with the stock the
// director says them at: a low-stock line only at a handful, a sold-out
// line only at zero.
var templateLists = []struct {
	name     string
	list     []string
	min, max int
	deal     bool // said only while a deal runs
}{
	{"product", productLines, 1, 1000, false}, {"general", generalLines, 0, 1000, false},
	{"brag", bragLines, 0, 1000, false}, {"back", backLines, 0, 1000, false},
	{"host welcome", hostWelcomeLines, 0, 1000, false}, {"host intro", hostIntroLines, 0, 1000, false},
	{"host hype", hostHypeLines, 1, 1000, false}, {"host chat", hostChatLines, 0, 1000, false},
	{"host deal", hostDealLines, 1, 1000, true}, {"host low", hostLowLines, 1, lowStock, false},
	{"host sold out", hostSoldOutLines, 0, 0, false}, {"host restock", hostRestockLines, 1, 1000, false},
	{"host auction", hostAuctionLines, 0, 1000, false}, {"host bidding", hostBiddingLines, 0, 1000, false},
	{"host sold", hostSoldLines, 0, 1000, false}, {"host unsold", hostUnsoldLines, 1, 1000, false},
	{"host giveaway", hostGiveawayLines, 0, 1000, false}, {"host buyers' giveaway", hostBuyersGiveawayLines, 0, 1000, false},
	{"host entry", hostEntryLines, 0, 1000, false}, {"host winner", hostWinnerLines, 0, 1000, false},
	{"host short winner", hostShortWinnerLines, 0, 1000, false}, {"host verify", hostVerifyLines, 0, 1000, false},
	{"host void", hostVoidLines, 0, 1000, false},
	{"bid", bidLines, 0, 1000, false}, {"outbid", outbidLines, 0, 1000, false}, {"won", wonLines, 0, 1000, false},
	{"enter", enterLines, 0, 1000, false}, {"lucky", luckyLines, 0, 1000, false}, {"congrats", congratsLines, 0, 1000, false},
}

func TestEveryTemplateFills(t *testing.T) {
	for _, tl := range templateLists {
		for _, tmpl := range tl.list {
			// Every city with one emoji and every emoji with one city:
			// each is filled on its own.
			for i := range max(len(cities), len(emoji)) {
				got := fill(prefill(tmpl, cities[i%len(cities)], emoji[i%len(emoji)]), sampleLive)
				if leftover.MatchString(got) {
					t.Fatalf("%s %q leaves a placeholder: %q", tl.name, tmpl, got)
				}
				if got == "" || utf8.RuneCountInString(got) > protocol.MaxChatRunes {
					t.Fatalf("%s %q fills to %d runes", tl.name, tmpl, utf8.RuneCountInString(got))
				}
			}
		}
	}
}

func TestEnoughViewerTemplates(t *testing.T) {
	n := len(productLines) + len(generalLines) + len(bragLines) + len(backLines)
	if n < 55 {
		t.Errorf("%d viewer templates; the chat repeats itself too soon", n)
	}
	if len(viewerNames) < 55 {
		t.Errorf("%d viewer names", len(viewerNames))
	}
}

// Lines said when nothing is pinned must not need a product, or a bot with
// nothing pinned would fall silent or say "{product}".
func TestFallbacksNeedNoPin(t *testing.T) {
	for _, list := range [][]string{generalLines, backLines, hostWelcomeLines, hostChatLines} {
		for _, tmpl := range list {
			if needsPin(tmpl) {
				t.Errorf("%q needs a pinned product", tmpl)
			}
		}
	}
	for _, list := range [][]string{productLines, hostIntroLines, hostDealLines, hostLowLines, hostSoldOutLines, hostRestockLines} {
		for _, tmpl := range list {
			if !needsPin(tmpl) {
				t.Errorf("%q is in a product list but names no product", tmpl)
			}
		}
	}
	if !needsPin("{does/do:product} it?") {
		t.Error("a word that agrees with the product does not need one")
	}
}

func TestFillClipsLongLines(t *testing.T) {
	l := sampleLive
	l.Product = nounOf(strings.Repeat("Very Long Product ", 5)[:protocol.MaxProductNameRunes])
	got := fill("{product} {product} {product} {product}", l)
	if n := utf8.RuneCountInString(got); n != protocol.MaxChatRunes {
		t.Errorf("filled line has %d runes, want %d", n, protocol.MaxChatRunes)
	}
	if clip("héllo", 2) != "hé" || clip("hi", 5) != "hi" {
		t.Error("clip cuts wrong")
	}
}

func TestStockNote(t *testing.T) {
	blue, switches := nounOf("Blue"), nounOf("Linear switches")
	cases := []struct {
		stock int
		v     noun
		want  string
	}{
		{0, blue, "sold out in Blue for now, more soon!"},
		{1, blue, "only 1 left in Blue!"},
		{5, switches, "only 5 left with Linear switches!"},
		{6, blue, "6 left in Blue."},
		{20, blue, "20 left in Blue."},
		{21, switches, "21 in stock with Linear switches."},
	}
	for _, c := range cases {
		if got := stockNote(c.stock, c.v); got != c.want {
			t.Errorf("stockNote(%d, %s) = %q, want %q", c.stock, c.v.Name, got, c.want)
		}
	}
}

func TestSpoken(t *testing.T) {
	cases := map[time.Duration]string{
		30 * time.Second: "30 seconds", time.Minute: "a minute", 75 * time.Second: "75 seconds",
		2 * time.Minute: "2 minutes", time.Second: "1 second", 1001 * time.Millisecond: "2 seconds",
		59001 * time.Millisecond: "a minute",
	}
	for d, want := range cases {
		if got := spoken(d); got != want {
			t.Errorf("spoken(%v) = %q, want %q", d, got, want)
		}
	}
}

func testState(t *testing.T, pinned *protocol.Pin) show.State {
	t.Helper()
	w := protocol.Welcome{
		Version: protocol.Version,
		You:     protocol.Identity{ID: "u1", Name: "host", Role: protocol.RoleHost},
		Show:    protocol.ShowInfo{ID: "demo", Title: "Demo", Host: "Maya"},
		Catalog: []protocol.Product{
			{ID: "mug", Name: "Speckled Mug", Price: usd(2400), Variants: []protocol.Variant{
				{ID: "mug-blue", Name: "Blue", Stock: 0}, {ID: "mug-sand", Name: "Sand", Stock: 3}}},
			{ID: "scarf", Name: "Wool Scarf", Price: usd(5900), Variants: []protocol.Variant{
				{ID: "scarf-red", Name: "Red", Stock: 0}}},
			{ID: "candle", Name: "Fig Candle", Price: usd(1800), Variants: []protocol.Variant{
				{ID: "candle-s", Name: "Small", Stock: 10}, {ID: "candle-l", Name: "Large", Stock: 7}}},
		},
		Pinned: pinned,
	}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	st, _ := show.FromWelcome(w, 1)
	return st
}

func TestChoosePin(t *testing.T) {
	st := testState(t, nil)
	p, v, ok := choosePin(&st, []string{"scarf", "mug", "candle"}, false)
	if !ok || p.ID != "mug" || v.ID != "mug-sand" {
		t.Errorf("choosePin = %s/%s %v, want the first variant in stock of the first product in stock", p.ID, v.ID, ok)
	}
	// The opening wants a variant its buys bring to a handful: 7 does,
	// 10 (more than lowStock plus the buys) and 3 (low already) do not.
	if p, v, _ := choosePin(&st, []string{"scarf", "mug", "candle"}, true); p.ID != "candle" || v.ID != "candle-l" {
		t.Errorf("choosePin low = %s/%s, want candle/candle-l", p.ID, v.ID)
	}
	st = testState(t, &protocol.Pin{ProductID: "mug", VariantID: "mug-sand"})
	if p, _, _ := choosePin(&st, []string{"mug", "scarf", "candle"}, false); p.ID != "candle" {
		t.Errorf("choosePin = %s, want the pinned product skipped", p.ID)
	}
	if _, _, ok := choosePin(&st, []string{"mug", "scarf", "gone"}, true); ok {
		t.Error("choosePin found something to pin among the pinned, the sold out and the unknown")
	}
}

func TestLiveFrom(t *testing.T) {
	st := testState(t, nil)
	if l, ok := liveFrom(&st); ok || l.Host != "Maya" {
		t.Errorf("liveFrom without a pin = %+v, %v", l, ok)
	}
	st = testState(t, &protocol.Pin{ProductID: "mug", VariantID: "mug-sand"})
	l, ok := liveFrom(&st)
	want := live{Product: nounOf("Speckled Mug"), Variant: nounOf("Sand"), Price: usd(2400), Regular: usd(2400), Stock: 3, Host: "Maya"}
	if !ok || l != want {
		t.Errorf("liveFrom = %+v, %v; want %+v", l, ok, want)
	}
}

// demoCatalog reads the embedded catalog.
func demoCatalog(t *testing.T) (protocol.ShowInfo, []protocol.Product) {
	t.Helper()
	var cat struct {
		Show     protocol.ShowInfo  `json:"show"`
		Products []protocol.Product `json:"products"`
	}
	if err := json.Unmarshal(Catalog(), &cat); err != nil {
		t.Fatalf("demo catalog: %v", err)
	}
	if len(cat.Products) == 0 {
		t.Fatal("demo catalog has no products")
	}
	return cat.Show, cat.Products
}

// demoPlural are the names of the demo catalog that are plural, as a
// person reads them; every other name there is singular.
var demoPlural = map[string]bool{"Wool Reading Socks": true, "Linear switches": true, "Tactile switches": true}

func TestPluralNames(t *testing.T) {
	_, products := demoCatalog(t)
	for _, p := range products {
		if got := pluralName(p.Name); got != demoPlural[p.Name] {
			t.Errorf("pluralName(%q) = %v", p.Name, got)
		}
		for _, v := range p.Variants {
			if got := pluralName(v.Name); got != demoPlural[v.Name] {
				t.Errorf("pluralName(%q) = %v", v.Name, got)
			}
		}
	}
	for name, want := range map[string]bool{"Reading Glasses": true, "Camera Lens": false, "Glass": false, "Earrings (pair)": true, "Citrus": false} {
		if got := pluralName(name); got != want {
			t.Errorf("pluralName(%q) = %v, want %v", name, got, want)
		}
	}
}

// disagrees returns what in line is wrong English for a name of the given
// number: "the Linear switches is", "is the Wool Reading Socks", or a
// pronoun of the other number in a line about a product. A variant named
// after its product ("the Keyboard with Linear switches is") is not the
// subject, so the verb after it is not its to agree with.
func disagrees(line, name string, plural, product bool) string {
	if !strings.Contains(strings.ToLower(line), strings.ToLower(name)) {
		return ""
	}
	c := agreementChecker(name, plural)
	for _, m := range c.after.FindAllStringIndex(line, -1) {
		head := strings.ToLower(line[:m[0]+1])
		if product || !(strings.HasSuffix(head, " in ") || strings.HasSuffix(head, " with ")) {
			return line[m[0]:m[1]]
		}
	}
	if m := c.before.FindString(line); m != "" {
		return m
	}
	if product && strings.Contains(line, name) {
		if m := c.pronouns.FindString(line); m != "" {
			return m
		}
	}
	return ""
}

type checker struct{ after, before, pronouns *regexp.Regexp }

var checkers = map[string]checker{}

func agreementChecker(name string, plural bool) checker {
	key := fmt.Sprint(name, plural)
	if c, ok := checkers[key]; ok {
		return c
	}
	n := regexp.QuoteMeta(name)
	after, before, pronouns := `(are|were|have|aren't|don't)`, `(are|aren't|do|don't|here are|these are)`, `(they|them|they're|they'd|these)`
	if plural {
		after, before, pronouns = `(is|was|has|isn't|doesn't|looks|makes)`, `(is|isn't|does|doesn't|here's|this is|this one)`, `(it|it's|it'd|this one)`
	}
	c := checker{
		after:    regexp.MustCompile(`(?i)(^|\W)` + n + ` ` + after + `\b`),
		before:   regexp.MustCompile(`(?i)(^|\W)` + before + `( the)? ` + n),
		pronouns: regexp.MustCompile(`(?i)(^|\W)` + pronouns + `\b`),
	}
	checkers[key] = c
	return c
}

// Every template, filled with every product and variant of the demo
// catalog, reads as English: verbs and pronouns agree with the names.
func TestTemplatesAgreeWithDemoCatalog(t *testing.T) {
	show, products := demoCatalog(t)
	if bad := disagrees("the Linear switches is lovely", "Linear switches", true, false); bad == "" {
		t.Fatal("the checker lets 'the Linear switches is' through")
	}
	for _, p := range products {
		for _, v := range p.Variants {
			l := withFormats(liveOf(p, v, show.Host))
			l.DealFor = time.Minute
			for _, tl := range templateLists {
				for _, tmpl := range tl.list {
					got := fill(prefill(tmpl, "Cape Town", "🔥"), l)
					if bad := disagrees(got, p.Name, demoPlural[p.Name], true); bad != "" {
						t.Errorf("%s %q with %s: %q says %q", tl.name, tmpl, p.Name, got, bad)
					}
					if bad := disagrees(got, v.Name, demoPlural[v.Name], false); bad != "" {
						t.Errorf("%s %q with %s: %q says %q", tl.name, tmpl, v.Name, got, bad)
					}
				}
			}
		}
	}
}

var (
	countRE   = regexp.MustCompile(`(\d+) (left|in stock)`)
	onlyRE    = regexp.MustCompile(`(?i)only \d+ left`)
	priceRE   = regexp.MustCompile(`\$\d+\.\d\d`)
	percentRE = regexp.MustCompile(`(\d+)% off`)
)

// checkFacts returns what line states that l does not hold, or "".
func checkFacts(line string, l live) string {
	for _, m := range countRE.FindAllStringSubmatch(line, -1) {
		if n, _ := strconv.Atoi(m[1]); n != l.Stock {
			return fmt.Sprintf("%q with %d in stock", m[0], l.Stock)
		}
	}
	if onlyRE.MatchString(line) && l.Stock > lowStock {
		return fmt.Sprintf(`"only" with %d in stock`, l.Stock)
	}
	if strings.Contains(strings.ToLower(line), "sold out") && l.Stock != 0 {
		return fmt.Sprintf(`"sold out" with %d in stock`, l.Stock)
	}
	for _, m := range priceRE.FindAllString(line, -1) {
		if m != l.Price.String() && m != l.Regular.String() {
			return fmt.Sprintf("%s with the price at %s", m, l.Price)
		}
	}
	for _, m := range percentRE.FindAllStringSubmatch(line, -1) {
		if n, _ := strconv.Atoi(m[1]); n != l.Percent {
			return fmt.Sprintf("%q with %d%% off", m[0], l.Percent)
		}
	}
	if strings.Contains(line, "for ") && strings.Contains(line, "second") && !strings.Contains(line, spoken(l.DealFor)) && !strings.Contains(line, spoken(l.TimeLeft)) {
		return fmt.Sprintf("a deal of %v said as %q", l.DealFor, line)
	}
	return ""
}

// Every template states the show's numbers as they are: the stock it is
// said at (and "only" for a handful alone), the prices, the deal.
func TestTemplatesStateTheShow(t *testing.T) {
	show, products := demoCatalog(t)
	if checkFacts("only 20 left in Blue", live{Stock: 20}) == "" {
		t.Fatal(`the checker lets "only 20 left" through`)
	}
	for _, p := range products {
		v := p.Variants[0]
		for _, stock := range []int{0, 1, lowStock, lowStock + 1, 20, 21} {
			for _, deal := range []bool{false, true} {
				v.Stock = stock
				q := p
				if deal {
					q.Deal = &protocol.Deal{Price: usd(p.Price.Amount * 8 / 10), Percent: 20, EndsAt: time.Unix(1, 0)}
				}
				l := withFormats(liveOf(q, v, show.Host))
				l.DealFor = 45 * time.Second
				for _, tl := range templateLists {
					if stock < tl.min || stock > tl.max || tl.deal != deal {
						continue
					}
					for _, tmpl := range tl.list {
						got := fill(prefill(tmpl, "Cape Town", "🔥"), l)
						if bad := checkFacts(got, l); bad != "" {
							t.Errorf("%s %q: %q states %s", tl.name, tmpl, got, bad)
						}
					}
				}
			}
		}
	}
}

// Every line must fit the chat limit with the longest names the demo
// catalog has, and the host's pin order must reach every product.
func TestTemplatesFitDemoCatalog(t *testing.T) {
	show, products := demoCatalog(t)
	var ids []string
	for _, p := range products {
		ids = append(ids, p.ID)
		for _, v := range p.Variants {
			l := withFormats(liveOf(p, v, show.Host))
			l.Percent, l.DealFor = 90, 20*time.Minute
			for _, tl := range templateLists {
				for _, tmpl := range tl.list {
					got := fill(prefill(tmpl, "Cape Town", "🔥"), l)
					if leftover.MatchString(got) || utf8.RuneCountInString(got) > protocol.MaxChatRunes {
						t.Fatalf("%q fills badly for %s/%s: %q", tmpl, p.ID, v.ID, got)
					}
				}
			}
		}
	}
	for _, name := range audienceNames(1, 200) {
		if name == show.Host {
			t.Errorf("a viewer would be called %q like the host, and be renamed", name)
		}
	}
	seen := map[string]bool{}
	for _, a := range hostActions(1, ids, 8*len(ids)) {
		if a.Kind == hostPin {
			seen[a.Pin[0]] = true
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("pins reach %d of %d products", len(seen), len(ids))
	}
}
