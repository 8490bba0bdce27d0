package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livecart/livecart/money"
)

func TestParseCatalogAcceptsTestCatalog(t *testing.T) {
	c := testCatalog(t)
	if c.Show.Title != "Test Show" || len(c.Products) != 3 || c.Products[0].Variants[1].Stock != 12 {
		t.Fatalf("catalog = %+v", c)
	}
}

func TestParseCatalogRejects(t *testing.T) {
	const show = `"show": {"id": "s", "title": "Show", "host": "Maya"}`
	product := func(id, variants, price string) string {
		return `{"id": "` + id + `", "name": "Thing", "price": ` + price + `, "variants": [` + variants + `]}`
	}
	usd := `{"amount": 100, "currency": "USD"}`
	cases := []struct {
		name, json string
		want       string // in the error
	}{
		{"unknown field", `{` + show + `, "products": [{"id": "mug", "name": "M", "stok": 3, "price": ` + usd + `, "variants": [{"id": "v", "name": "V", "stock": 1}]}]}`, `("mug"): unknown field "stok"`},
		{"unknown field in a price", `{` + show + `, "products": [` + product("mug", `{"id": "v", "name": "V", "stock": 1}`, `{"amount": 1, "currency": "USD", "cents": true}`) + `]}`, `"mug"`},
		{"unknown top-level field", `{` + show + `, "extra": 1, "products": [` + product("mug", `{"id": "v", "name": "V", "stock": 1}`, usd) + `]}`, "extra"},
		{"trailing data", `{` + show + `, "products": [` + product("mug", `{"id": "v", "name": "V", "stock": 1}`, usd) + `]} {}`, "after"},
		{"duplicate product id", `{` + show + `, "products": [` +
			product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `,` +
			product("mug", `{"id": "b", "name": "B", "stock": 1}`, usd) + `]}`, `"mug"`},
		{"variant id shared by two products", `{` + show + `, "products": [` +
			product("mug", `{"id": "blue", "name": "A", "stock": 1}`, usd) + `,` +
			product("tote", `{"id": "blue", "name": "B", "stock": 1}`, usd) + `]}`, `"tote"`},
		{"duplicate variant in a product", `{` + show + `, "products": [` +
			product("mug", `{"id": "a", "name": "A", "stock": 1}, {"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, `"mug"`},
		{"mixed currency", `{` + show + `, "products": [` +
			product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `,` +
			product("tote", `{"id": "b", "name": "B", "stock": 1}`, `{"amount": 100, "currency": "EUR"}`) + `]}`, `"tote"`},
		{"negative stock", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": -1}`, usd) + `]}`, `"mug"`},
		{"negative price", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, `{"amount": -5, "currency": "USD"}`) + `]}`, `"mug"`},
		{"fractional price", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, `{"amount": 1.5, "currency": "USD"}`) + `]}`, "amount"},
		{"bad currency", `{` + show + `, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, `{"amount": 100, "currency": "usd"}`) + `]}`, `"mug"`},
		{"no variants", `{` + show + `, "products": [` + product("mug", ``, usd) + `]}`, `"mug"`},
		{"bad product id", `{` + show + `, "products": [` + product("a b", `{"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, `"a b"`},
		{"control character in name", `{` + show + `, "products": [{"id": "mug", "name": "M\u001b[2J", "price": ` + usd + `, "variants": [{"id": "v", "name": "V", "stock": 1}]}]}`, `"mug"`},
		{"no products", `{` + show + `, "products": []}`, "0 products"},
		{"bad show id", `{"show": {"id": "", "title": "Show"}, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, "show id"},
		{"no show title", `{"show": {"id": "s", "title": ""}, "products": [` + product("mug", `{"id": "a", "name": "A", "stock": 1}`, usd) + `]}`, "title"},
		{"not JSON", `products: []`, "line 1, column 1: invalid character 'p'"},
		{"a deal", `{` + show + `, "products": [{"id": "mug", "name": "M", "price": ` + usd + `, "variants": [{"id": "v", "name": "V", "stock": 1}],` +
			` "deal": {"price": {"amount": 50, "currency": "USD"}, "percent": 50, "ends_at": "2026-11-25T19:00:00Z"}}]}`, "deals are started by the host"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(tc.json))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %s", err, tc.want)
			}
			noGoWords(t, err)
		})
	}
}

// noGoWords fails when an error speaks of Go rather than of the file.
func noGoWords(t *testing.T, err error) {
	t.Helper()
	for _, w := range []string{"Go ", "json:", "int64", "money.", "protocol.", "Product.", "Money", "struct", "[]", "server."} {
		if strings.Contains(err.Error(), w) {
			t.Errorf("error %q speaks of %q", err, w)
		}
	}
}

// catalogWith is a catalog file of one show and the given products, one
// per line from line 5, after a "currency" line when currency is set.
func catalogWith(currency string, products ...string) string {
	s := "{\n  \"show\": {\"id\": \"s\", \"title\": \"Show\", \"host\": \"Maya\"},\n"
	if currency != "" {
		s += "  \"currency\": \"" + currency + "\",\n"
	} else {
		s += "\n"
	}
	s += "  \"products\": [\n    " + strings.Join(products, ",\n    ") + "\n  ]\n}\n"
	return s
}

// TestParseCatalogPrices: a price is {"amount": 2800, "currency": "USD"},
// or a bare whole number of minor units in the catalog's currency.
func TestParseCatalogPrices(t *testing.T) {
	const variants = `"variants": [{"id": "V", "name": "V", "stock": 1}]`
	product := func(id, price string) string {
		return `{"id": "` + id + `", "name": "Thing", "price": ` + price + `, ` + strings.ReplaceAll(variants, `"V"`, `"`+id+`-v"`) + `}`
	}
	c, err := ParseCatalog([]byte(catalogWith("USD",
		product("bare", "2800"),
		product("object", `{"amount": 1250, "currency": "USD"}`),
		product("zero", "0"),
		product("most", "1000000000"))))
	if err != nil {
		t.Fatal(err)
	}
	want := []money.Money{money.New(2800, "USD"), money.New(1250, "USD"), money.New(0, "USD"), money.New(money.MaxAmount, "USD")}
	for i, p := range c.Products {
		if p.Price != want[i] {
			t.Errorf("product %s: price %+v, want %+v", p.ID, p.Price, want[i])
		}
	}
	// Without a catalog currency, prices that name theirs are what they
	// always were.
	if c, err := ParseCatalog([]byte(catalogWith("", product("object", `{"amount": 1250, "currency": "EUR"}`)))); err != nil || c.Products[0].Price != money.New(1250, "EUR") {
		t.Errorf("object price without a catalog currency: %+v, %v", c.Products, err)
	}

	// Each refusal names the product, and the line and column of its price.
	refusals := []struct {
		name, currency, price string
		want                  string
	}{
		{"negative", "USD", "-5", "price -5 is negative"},
		{"fractional", "USD", "28.5", "price 28.5 is not a whole number of minor units, such as 2800 for 28.00"},
		{"fraction of zero", "USD", "2800.0", "price 2800.0 is not a whole number"},
		{"exponent", "USD", "1e3", "price 1e3 is not a whole number"},
		{"over the most", "USD", "1000000001", "price 1000000001 is more than 1000000000 minor units"},
		{"over int64", "USD", "99999999999999999999", "price 99999999999999999999 is more than 1000000000 minor units"},
		{"under int64", "USD", "-99999999999999999999", "price -99999999999999999999 is negative"},
		{"a string", "USD", `"28.00"`, `price: want a whole number of minor units, such as 2800, or {"amount": 2800, "currency": "USD"}; got a string`},
		{"null", "USD", "null", "has no price"},
		{"no currency anywhere", "", "2800", `price 2800 has no currency: name the catalog's currency beside "show" ("currency": "USD")`},
		{"another currency", "USD", `{"amount": 100, "currency": "EUR"}`, "price in EUR, but the catalog is in USD"},
		{"object, fractional", "USD", `{"amount": 1.5, "currency": "USD"}`, "price: amount: 1.5 is not a whole number"},
		{"object, overflow", "", `{"amount": 99999999999999999999, "currency": "USD"}`, "price: amount: 99999999999999999999 is too large"},
		{"object, negative", "", `{"amount": -5, "currency": "USD"}`, "amount -5 is negative"},
		{"object, string amount", "", `{"amount": "5", "currency": "USD"}`, "price: amount: want a whole number, got a string"},
		{"object, unknown field", "", `{"amount": 5, "currency": "USD", "cents": true}`, `price: unknown field "cents" (known: amount, currency)`},
		{"object without a currency", "USD", `{"amount": 5}`, `price: currency "" is not an ISO 4217 code`},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			file := catalogWith(r.currency, product("ok", "{\"amount\": 1, \"currency\": \"USD\"}"), product("mug", r.price))
			_, err := ParseCatalog([]byte(file))
			if err == nil {
				t.Fatal("accepted")
			}
			// The second product is on line 6; its price is at column 45.
			want := `line 6, column 45: product 2 ("mug"): `
			if r.name == "object, negative" || r.name == "object without a currency" {
				want = `line 6, column 5: product 2 ("mug"): ` // found by Validate, which knows the product
			}
			if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), r.want) {
				t.Errorf("error %q\nwant %q ... %q", err, want, r.want)
			}
			noGoWords(t, err)
		})
	}

	_, err = ParseCatalog([]byte(strings.Replace(catalogWith("usd", product("mug", "100")), "usd", "usd", 1)))
	if err == nil || !strings.HasPrefix(err.Error(), `line 3, column 15: currency "usd" is not an ISO 4217 code`) {
		t.Errorf("lower-case catalog currency: %v", err)
	}
}

// TestParseCatalogPositions: a mistake in the file is reported at its line
// and column, counted in characters from 1.
func TestParseCatalogPositions(t *testing.T) {
	good := `{"id": "mug", "name": "Mug", "price": 100, "variants": [{"id": "v", "name": "V", "stock": 1}]}`
	cases := []struct {
		name, file, want string
	}{
		{"trailing comma", catalogWith("USD", strings.Replace(good, `"stock": 1}`, `"stock": 1,}`, 1)),
			`line 5, column 97: invalid character '}' looking for beginning of object key string`},
		{"string for a number", catalogWith("USD", good, strings.NewReplacer(`"stock": 1`, `"stock": "5"`, `"mug"`, `"tote"`, `"v"`, `"w"`).Replace(good)),
			`line 6, column 96: product 2 ("tote"): variants.stock: want a whole number, got a string`},
		{"fractional stock", catalogWith("USD", strings.Replace(good, `"stock": 1`, `"stock": 1.5`, 1)),
			`line 5, column 95: product 1 ("mug"): variants.stock: 1.5 is not a whole number`},
		{"object for an array", catalogWith("USD", strings.Replace(good, `[{"id": "v", "name": "V", "stock": 1}]`, `{}`, 1)),
			`line 5, column 60: product 1 ("mug"): variants: want an array [...], got an object`},
		{"number for a name", catalogWith("USD", strings.Replace(good, `"name": "Mug"`, `"name": 7`, 1)),
			`line 5, column 27: product 1 ("mug"): name: want a string, got a number`},
		{"show is a string", `{"show": "Show", "products": []}`, `line 1, column 10: show: want an object {...}, got a string`},
		{"not an object", `[1, 2]`, `line 1, column 1: want a JSON object with "show" and "products", got an array`},
		{"unknown field in a variant", catalogWith("USD", strings.Replace(good, `"stock": 1`, `"stok": 1`, 1)),
			`line 5, column 86: product 1 ("mug"): unknown field "stok" in variants (known: id, name, price, stock)`},
		{"unknown field in a product", catalogWith("USD", strings.Replace(good, `"name": "Mug"`, `"title": "Mug"`, 1)),
			`line 5, column 19: product 1 ("mug"): unknown field "title" (known: deal, description, id, name, price, variants)`},
		{"unknown field in the show", strings.Replace(catalogWith("USD", good), `"host"`, `"hots"`, 1),
			`line 2, column 40: unknown field "hots" in show (known: host, id, title)`},
		{"unknown top-level field", strings.Replace(catalogWith("USD", good), `"currency"`, `"curency"`, 1),
			`line 3, column 3: unknown field "curency" (known: currency, products, show)`},
		{"a product refused", catalogWith("USD", good, strings.NewReplacer(`"stock": 1`, `"stock": -1`, `"mug"`, `"tote"`, `"v"`, `"w"`).Replace(good)),
			`line 6, column 5: product 2 ("tote"): `},
		{"a show refused", strings.Replace(catalogWith("USD", good), `"title": "Show"`, `"title": ""`, 1),
			`line 2, column 11: show title is empty`},
		{"no products", catalogWith("USD"), `line 4, column 15: catalog has 0 products`},
		{"cut short", strings.TrimSuffix(catalogWith("USD", good), "}\n"), `line 7, column 1: the file ends inside the JSON`},
		{"more after the end", catalogWith("USD", good) + "\n{}", `line 9, column 1: more after the catalog's closing }`},
		{"empty", " \n", `the file is empty`},
		{"characters, not bytes", strings.Replace(catalogWith("USD", good), `"Mug"`, `"Müg", "stok": 1`, 1),
			`line 5, column 34: product 1 ("mug"): unknown field "stok"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalog([]byte(tc.file))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to start %q", err, tc.want)
			}
			noGoWords(t, err)
		})
	}
}

func TestLoadCatalog(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(testCatalogJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadCatalog(good); err != nil || len(c.Products) != 3 {
		t.Fatalf("LoadCatalog = %+v, %v", c, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"show\": 1\n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	for path, want := range map[string]string{
		bad:     "catalog " + bad + ": line 2, column 11: show: want an object {...}, got a number",
		missing: "catalog " + missing + ": no such file",
		dir:     "catalog " + dir + ": is a folder, not a file",
	} {
		_, err := LoadCatalog(path)
		if err == nil || err.Error() != want {
			t.Errorf("LoadCatalog(%s) = %v, want %q", path, err, want)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := testCatalog(t)
	cases := map[string]Config{
		"empty catalog":        {},
		"negative send queue":  {Catalog: good, SendQueue: -1},
		"public URL scheme":    {Catalog: good, PublicURL: "ftp://shop.example"},
		"public URL no host":   {Catalog: good, PublicURL: "http://"},
		"public URL query":     {Catalog: good, PublicURL: "https://shop.example/?x=1"},
		"public URL with user": {Catalog: good, PublicURL: "https://me@shop.example"},
	}
	for name, cfg := range cases {
		if s, err := New(cfg); err == nil {
			s.Close()
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNewCopiesCatalog(t *testing.T) {
	c := testCatalog(t)
	s, err := New(Config{Catalog: c})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c.Products[0].Variants[0].Stock = 999
	if n, _ := s.Stock("mug-blue"); n != 5 {
		t.Fatalf("stock followed the caller's catalog: %d", n)
	}
}
