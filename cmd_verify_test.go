package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livecart/livecart/draw"
)

// giveawayRecord is a record drawn the way a server draws one.
func giveawayRecord(t *testing.T) draw.Record {
	t.Helper()
	var seed [draw.SeedSize]byte
	for i := range seed {
		seed[i] = byte(i)
	}
	r, err := draw.NewRecord(seed, "gw-42", []string{"u7", "ana-3", "u12", "u7", "bo", "Zed"})
	if err != nil {
		t.Fatal(err)
	}
	r.ProductID, r.ProductName, r.WinnerName = "scarf-blue", "Blue Scarf", "Uma"
	return r
}

func recordJSON(t *testing.T, r draw.Record) []byte {
	t.Helper()
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeRecord(t *testing.T, dir string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, "giveaway.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// withStdin makes 'verify -' read data.
func withStdin(t *testing.T, data string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(data)
	t.Cleanup(func() { stdin = old })
}

const verifiedReport = `giveaway       gw-42: Blue Scarf (scarf-blue)
entrants       5
commitment     ✓ 79fc33f089af66f4391b95835fa9656570bd7b43476fa22bc6ffc5a3b3150cf9
entrants hash  ✓ 993d25cd04eb48c337b79e805405340f322ebf3520325061c0ea1f75fbbb6f22
winner index   ✓ 3
winner         ✓ Uma (u12)
`

// TestVerifyReads: a good record checks out whether it comes from a file,
// a URL or standard input.
func TestVerifyReads(t *testing.T) {
	home := isolate(t)
	data := recordJSON(t, giveawayRecord(t))
	path := writeRecord(t, home, data)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/giveaways/gw-42" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	}))
	defer srv.Close()

	for name, args := range map[string][]string{
		"file":                {"verify", path},
		"URL":                 {"verify", srv.URL + "/giveaways/gw-42"},
		"stdin":               {"verify", "-"},
		"flag after the file": {"verify", path, "--timeout", "5s"},
	} {
		withStdin(t, string(data))
		code, out, errOut := runCLI(t, args...)
		if code != exitOK || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q", name, code, errOut)
		}
		if !strings.HasPrefix(out, verifiedReport) || !strings.Contains(out, "The draw checks out.") {
			t.Errorf("%s: stdout\n%s\nwant it to start\n%s", name, out, verifiedReport)
		}
	}
}

// TestVerifyNobodyEntered: a void giveaway checks out with no winner.
func TestVerifyNobodyEntered(t *testing.T) {
	home := isolate(t)
	r, err := draw.NewRecord([draw.SeedSize]byte{1}, "gw-void", nil)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "verify", writeRecord(t, home, recordJSON(t, r)))
	for _, want := range []string{"giveaway       gw-void\n", "entrants       0\n", "winner index   ✓ none\n", "winner         ✓ none: nobody entered\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if code != exitOK || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestVerifyTampered: a record changed after the draw fails at the first
// value that no longer matches, with ✓ for the checks before it and exit
// status 1.
func TestVerifyTampered(t *testing.T) {
	home := isolate(t)
	cases := []struct {
		name     string
		tamper   func(*draw.Record)
		passed   int    // checks that pass before the failure
		failLine string // the report's ✗ line
		want     string // stderr
	}{
		{"entrant added", func(r *draw.Record) { r.Entrants = append(r.Entrants, "zz-plant") }, 1, "entrants hash  ✗ does not match",
			"livecart verify: entrants hash does not match the entrants: the list hashes to "},
		{"entrant changed", func(r *draw.Record) { r.Entrants[1] = "ana-4" }, 1, "entrants hash  ✗", "livecart verify: entrants hash does not match"},
		{"seed changed", func(r *draw.Record) { r.Seed = strings.Repeat("7", 64) }, 0, "commitment     ✗ does not match",
			"livecart verify: commitment does not match the seed: SHA-256(seed || giveaway_id) is "},
		{"winner changed", func(r *draw.Record) { r.Winner = "bo" }, 3, "winner         ✗ does not match",
			`livecart verify: winner does not match: the entrant at the winner index is "u12"; the record says "bo"`},
		{"index changed", func(r *draw.Record) { r.WinnerIndex, r.Winner = 2, "bo" }, 2, "winner index   ✗ does not match",
			"livecart verify: winner index does not match: the seed and entrants draw 3 of 0 to 4; the record says 2"},
	}
	for _, c := range cases {
		r := giveawayRecord(t)
		c.tamper(&r)
		code, out, errOut := runCLI(t, "verify", writeRecord(t, home, recordJSON(t, r)))
		if code != exitError {
			t.Errorf("%s: exit %d, want %d", c.name, code, exitError)
		}
		if !strings.HasPrefix(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: stderr %q\nwant one line starting %q", c.name, errOut, c.want)
		}
		if got := strings.Count(out, "✓"); got != c.passed || !strings.Contains(out, c.failLine) || strings.Contains(out, "checks out") {
			t.Errorf("%s: stdout\n%s\nwant %d ✓ then %q", c.name, out, c.passed, c.failLine)
		}
	}
}

// TestVerifyRefuses: what cannot be read, or is not a record, is one
// clear line and exit status 1; a wrong command line is exit status 2.
func TestVerifyRefuses(t *testing.T) {
	home := isolate(t)
	write := func(name, content string) string {
		p := filepath.Join(home, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	garbage := write("garbage.json", "\x00\x01 not json at all")
	binary := write("binary.bin", "\xff\xfe{}")
	html := write("page.html", "<!doctype html>\n<p>hello</p>\n")
	hostile := giveawayRecord(t)
	hostile.Entrants[0] = "\x1b]0;pwned\x07"
	hostileFile := write("hostile.json", string(recordJSON(t, hostile)))
	other := giveawayRecord(t)
	other.Scheme = "livecart-draw-9"
	otherFile := write("other.json", string(recordJSON(t, other)))
	missing := filepath.Join(home, "missing.json")

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge":
			w.Write([]byte("{\"pad\":\""))
			chunk := []byte(strings.Repeat("a", 1<<16))
			for n := 0; n <= draw.MaxRecordBytes; n += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/slow":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	cases := []struct {
		args  []string
		stdin string
		code  int
		want  string
	}{
		{[]string{"verify", garbage}, "", exitError, "livecart verify: record " + garbage + `: not a giveaway record: line 1, column 1: invalid character '\x00' looking for beginning of value`},
		{[]string{"verify", binary}, "", exitError, "livecart verify: record " + binary + ": not a giveaway record: not UTF-8 text"},
		{[]string{"verify", html}, "", exitError, "livecart verify: record " + html + ": not a giveaway record: line 1, column 1: invalid character '<' looking for beginning of value"},
		{[]string{"verify", "-"}, "", exitError, "livecart verify: record on standard input: not a giveaway record: empty"},
		{[]string{"verify", "-"}, "[1, 2, 3]", exitError, "livecart verify: record on standard input: not a giveaway record: want a JSON object, got array"},
		{[]string{"verify", hostileFile}, "", exitError, `livecart verify: record ` + hostileFile + `: entrants[0]: "\x1b]0;pwned\a" is not a valid id`},
		{[]string{"verify", otherFile}, "", exitError, "livecart verify: record " + otherFile + `: scheme "livecart-draw-9" is not "livecart-draw-1", the only scheme this livecart checks`},
		{[]string{"verify", missing}, "", exitError, "livecart verify: record " + missing + ": no such file"},
		{[]string{"verify", home}, "", exitError, "livecart verify: record " + home + ": is a folder, not a file"},
		{[]string{"verify", srv.URL + "/giveaways/nope"}, "", exitError, "livecart verify: GET " + srv.URL + "/giveaways/nope: HTTP 404 Not Found"},
		{[]string{"verify", srv.URL + "/huge"}, "", exitError, "livecart verify: GET " + srv.URL + "/huge: more than 8 MiB, larger than any giveaway record"},
		{[]string{"verify", "--timeout", "200ms", srv.URL + "/slow"}, "", exitError, "livecart verify: GET " + srv.URL + "/slow: no answer within 200ms"},
		{[]string{"verify"}, "", exitUsage, "livecart verify: no record: give its URL, a file, or - for standard input"},
		{[]string{"verify", "a.json", "b.json"}, "", exitUsage, `livecart verify: expected one record URL or file, got "a.json b.json"`},
		{[]string{"verify", "ws://127.0.0.1:7420/ws"}, "", exitUsage, "livecart verify: ws://127.0.0.1:7420/ws: a record URL starts http:// or https://"},
		{[]string{"verify", "--timeout", "0s", "x.json"}, "", exitUsage, "livecart verify: --timeout: 0s is not a positive duration"},
		{[]string{"verify", "--bogus", "x.json"}, "", exitUsage, "livecart verify: unknown flag --bogus\nRun 'livecart verify --help' for usage.\n"},
	}
	for _, c := range cases {
		withStdin(t, c.stdin)
		code, out, errOut := runCLI(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errOut)
		}
		if !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%v: stderr %q\nwant it to start %q", c.args, errOut, c.want)
		}
		if c.code == exitError && strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: error is not one line: %q", c.args, errOut)
		}
		if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") || strings.ContainsAny(errOut, "\x1b\x07") {
			t.Errorf("%v: stderr has a trace or a control character: %q", c.args, errOut)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", c.args, out)
		}
	}
}

// TestVerifyPrintsNamesSafely: the names the server gives are drawn as
// plain text, whatever they hold.
func TestVerifyPrintsNamesSafely(t *testing.T) {
	home := isolate(t)
	r := giveawayRecord(t)
	r.WinnerName = "\x1b]0;owned\x07Uma\x1b[2J"
	r.ProductName = "Scarf\u202e\n\x9b31m"
	code, out, errOut := runCLI(t, "verify", writeRecord(t, home, recordJSON(t, r)))
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.ContainsAny(out, "\x1b\x07\u202e\u009b") || !strings.Contains(out, "winner         ✓ Uma (u12)\n") {
		t.Errorf("stdout %q", out)
	}
}

// TestVerifyHelp: the help says what is checked and what it does not
// prove, and where the scheme is written down.
func TestVerifyHelp(t *testing.T) {
	isolate(t)
	code, out, _ := runCLI(t, "verify", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Usage: livecart verify [flags] URL|FILE|-", "commitment", "entrants hash", "winner index",
		"did not change its randomness", "chose its seed in advance", "drand", "docs/PROTOCOL.md", "8 MiB", "-timeout", "Exit status"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestVerifyProtocolExample: what docs/PROTOCOL.md shows 'livecart
// verify' print for its worked example is what it prints.
func TestVerifyProtocolExample(t *testing.T) {
	isolate(t)
	doc, err := os.ReadFile("docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	_, example, ok := strings.Cut(string(doc), "\n## Giveaway draw\n")
	_, example, ok2 := strings.Cut(example, "### Worked example")
	if !ok || !ok2 {
		t.Fatal("docs/PROTOCOL.md has no worked example of a giveaway draw")
	}
	_, record, _ := strings.Cut(example, "```json\n")
	record, rest, _ := strings.Cut(record, "```")
	_, shown, _ := strings.Cut(rest, "`livecart verify` on that record prints:\n\n```\n")
	shown, _, _ = strings.Cut(shown, "```")
	withStdin(t, record)
	code, out, errOut := runCLI(t, "verify", "-")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if shown == "" || !strings.HasPrefix(out, shown) {
		t.Errorf("verify prints\n%s\nthe protocol shows\n%s", out, shown)
	}
}
