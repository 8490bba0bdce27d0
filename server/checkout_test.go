package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// get fetches path from the test server and returns the status and body.
func get(t *testing.T, base, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// row is how checkout.html renders the numbers of one line.
func row(unit, qty, total string) string {
	return `<td class="num">` + unit + `</td><td class="num">` + qty + `</td><td class="num">` + total + `</td>`
}

func TestCheckoutPage(t *testing.T) {
	_, ts := startServer(t)
	resp, body := get(t, ts.URL, "/cart/mug-blue:2,tote-natural:1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	for header, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	wants := []string{
		"<title>Checkout — Test Show</title>",
		"Speckled Mug", "Blue", row("$24.00", "2", "$48.00"),
		"Canvas Tote", "Natural", row("$18.00", "1", "$18.00"),
		"Order total", "$66.00",
		"demo store",
	}
	at := 0
	for _, want := range wants {
		i := strings.Index(body[at:], want)
		if i < 0 {
			t.Fatalf("page lacks %q after byte %d:\n%s", want, at, body)
		}
		at += i + len(want)
	}
	if strings.Contains(body, "<script") {
		t.Error("page has a script")
	}
}

func TestCheckoutAddsUpRepeatedVariants(t *testing.T) {
	_, ts := startServer(t)
	resp, body := get(t, ts.URL, "/cart/mug-blue:1,mug-blue:2")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, row("$24.00", "3", "$72.00")) || strings.Count(body, "Speckled Mug") != 1 {
		t.Fatalf("status %d:\n%s", resp.StatusCode, body)
	}
	// The page says when the show cannot fill a line.
	if _, body := get(t, ts.URL, "/cart/candle-large:1"); !strings.Contains(body, "sold out") {
		t.Errorf("no sold-out note:\n%s", body)
	}
}

func TestCheckoutUnknownVariantIs404(t *testing.T) {
	_, ts := startServer(t)
	resp, body := get(t, ts.URL, "/cart/mug-blue:1,no-such-thing:2")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "no-such-thing") {
		t.Fatalf("status %d:\n%s", resp.StatusCode, body)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("error page without CSP")
	}
}

func TestCheckoutMalformedIs400(t *testing.T) {
	_, ts := startServer(t)
	many := strings.Repeat("mug-blue:1,", 20) + "mug-sand:1"
	cases := map[string]string{
		"x:0":                     "quantity must be 1-99",
		"x:abc":                   "quantity must be 1-99",
		"x:100":                   "quantity must be 1-99",
		"x:+1":                    "quantity must be 1-99",
		"x:-1":                    "quantity must be 1-99",
		"x":                       "VARIANT:QTY",
		"x:1,,y:1":                "VARIANT:QTY",
		"x:1:2":                   "quantity must be 1-99",
		"mug-blue:60,mug-blue:60": "in total",
		many:                      "at most 20 items",
		"":                        "empty",
		"a%2Fb:1":                 "not a valid variant id",
	}
	for path, want := range cases {
		resp, body := get(t, ts.URL, "/cart/"+path)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%q: status %d, want 400 saying %q:\n%s", path, resp.StatusCode, want, body)
		}
	}
}

func TestCheckoutEscapesInput(t *testing.T) {
	_, ts := startServer(t)
	resp, body := get(t, ts.URL, "/cart/%3Cscript%3Ealert(1)%3C%2Fscript%3E:1")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
		t.Fatalf("input not escaped:\n%s", body)
	}
}

func TestHealthAndNotFound(t *testing.T) {
	_, ts := startServer(t)
	if resp, body := get(t, ts.URL, "/healthz"); resp.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}
	for _, path := range []string{"/", "/nope", "/ws/extra", "/healthz/x"} {
		if resp, _ := get(t, ts.URL, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
	resp, err := http.Post(ts.URL+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /healthz: status %d, want 404", resp.StatusCode)
	}
}
