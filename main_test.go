package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/adrg/xdg"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// isolate points config and state at a temporary home so tests never read
// or write the user's files.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	// Registered before the variables are set, so it runs after they are
	// restored: the next test sees the real folders again.
	t.Cleanup(xdg.Reload)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	for _, k := range []string{"LIVECART_CONFIG", "LIVECART_NAME", "LIVECART_SHOW_URL", "LIVECART_THEME", "LIVECART_OPEN_BROWSER", "LIVECART_LOG_FILE", "LIVECART_HOST_TOKEN", "LIVECART_REDUCED_MOTION"} {
		t.Setenv(k, "")
	}
	xdg.Reload() // the folders were read when the program started
	return home
}

// everyCommand is what the top-level help must list.
var everyCommand = []string{"livecart [demo]", "livecart demo --host", "livecart watch", "livecart host", "livecart serve", "livecart verify", "livecart version", "livecart help",
	"--config", "LIVECART_CONFIG"}

func TestHelp(t *testing.T) {
	isolate(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, everyCommand},
		{[]string{"--help"}, everyCommand},
		{[]string{"-h"}, everyCommand},
		{[]string{"help", "demo"}, []string{"-seed", "-name", "-audience", "-config", "-host", "-orders", "0 to 10000", "(default 12)"}},
		{[]string{"demo", "-h"}, []string{"-seed", "-name"}},
		{[]string{"--seed", "3", "--help"}, []string{"Usage: livecart [demo]", "-seed"}},
		{[]string{"watch", "--help"}, []string{"[URL...]", "several URLs", "-no-browser", "-theme", "-config", "$LIVECART_CONFIG", "LIVECART_SHOW_URL"}},
		{[]string{"host", "--help"}, []string{"[URL...]", "Several URLs", "LIVECART_SHOW_URL", "-token"}},
		{[]string{"serve", "--help"}, []string{"-addr", "127.0.0.1:7420", "-catalog", "-audience", "-seed", "-orders", "-max-conns-per-ip", "-chat-cap", "-host-bot", "SIGTERM",
			"-allowed-hosts", "-public-url", "421", "at least 16 characters", "-cluster", "-role", "-nats-listen", "-show", "--role edge --nats"}},
		{[]string{"help", "serve"}, []string{"-addr"}},
		{[]string{"help", "version"}, []string{"Usage: livecart version", "--version"}},
		{[]string{"version", "--help"}, []string{"Usage: livecart version"}},
		{[]string{"help", "help"}, everyCommand},
		{[]string{"help", "--help"}, everyCommand},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, c.args...)
		if code != exitOK || errOut != "" {
			t.Errorf("%v: code %d, stderr %q", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: help lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	home := isolate(t)
	badConfig := filepath.Join(home, "bad.toml")
	os.WriteFile(badConfig, []byte("colour = \"red\"\n"), 0o600)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"dance"}, exitUsage, `unknown command "dance"`},
		{[]string{"demo", "--bogus"}, exitUsage, "unknown flag --bogus"},
		{[]string{"serve", "--audience", "-1"}, exitUsage, "--audience"},
		{[]string{"serve", "--seed", "abc"}, exitUsage, `livecart serve: --seed: "abc" is not a whole number, 0 or more`},
		{[]string{"serve", "--audience", "1.5"}, exitUsage, `livecart serve: --audience: "1.5" is not a whole number`},
		{[]string{"serve", "--audience", "99999999999999999999"}, exitUsage, `livecart serve: --audience: "99999999999999999999" is out of range`},
		{[]string{"serve", "--host-bot=maybe"}, exitUsage, `livecart serve: --host-bot: "maybe" is not true or false`},
		{[]string{"serve", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"watch"}, exitUsage, "no show URL"},
		{[]string{"watch", "http://example.com"}, exitUsage, "scheme must be ws or wss"},
		{[]string{"watch", "ws://a/ws", "http://b/ws"}, exitUsage, `show URL "http://b/ws": scheme must be ws or wss`},
		{[]string{"host", "--token", "0123456789abcdef", "ws://a/ws", "wss://b/ws", "ftp://c/ws"}, exitUsage, `show URL "ftp://c/ws": scheme must be ws or wss`},
		{append([]string{"watch"}, slices.Repeat([]string{"ws://a/ws"}, client.MaxURLs+1)...), exitUsage, "17 show URLs given; livecart takes at most 16"},
		{[]string{"watch", "--theme", "purple", "ws://a/ws"}, exitUsage, `livecart watch: --theme: "purple" is not one of auto, dark, light`},
		{[]string{"watch", "ws://a/ws", "--theme", "purple"}, exitUsage, "--theme"}, // flags after the URL count too
		{[]string{"demo", "--name", " "}, exitUsage, `livecart demo: --name: "" is empty`},
		{[]string{"watch", "ws://a/ws", "--name", "x", "ftp://b/ws"}, exitUsage, `show URL "ftp://b/ws"`},
		{[]string{"watch", "--", "--theme"}, exitUsage, "scheme must be ws or wss"}, // after --, a URL
		{[]string{"serve", "--seed", "1", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"watch", "--config", badConfig, "ws://a/ws"}, exitError, `config ` + badConfig + `: unknown key "colour"`},
		{[]string{"serve", "--catalog", filepath.Join(home, "missing.json")}, exitError, "livecart serve: catalog " + filepath.Join(home, "missing.json") + ": no such file"},
		{[]string{"serve", "--catalog", home}, exitError, "livecart serve: catalog " + home + ": is a folder, not a file"},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, exitError, "listen"},
		{[]string{"serve", "--token", "tiny-tok"}, exitUsage, "--token: host token: 8 characters is too short to be safe from guessing; use at least 16"},
		{[]string{"serve", "--token", strings.Repeat("x", 129)}, exitUsage, "longer than"},
		{[]string{"serve", "--allowed-hosts", "shop.example:8443"}, exitUsage, `--allowed-hosts: allowed host "shop.example:8443": want a host name or IP address, without scheme or port`},
		{[]string{"serve", "--allowed-hosts", "shop.example,https://www.shop.example"}, exitUsage, "--allowed-hosts"},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errOut)
		}
		if !strings.Contains(errOut, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errOut, c.want)
		}
		if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
			t.Errorf("%v: stderr has a stack trace: %s", c.args, errOut)
		}
		if c.code == exitError && strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: error is not one line: %q", c.args, errOut)
		}
		_ = out
	}
}

func TestServeRejectsBadCatalog(t *testing.T) {
	home := isolate(t)
	path := filepath.Join(home, "cat.json")
	os.WriteFile(path, []byte(`{"show":{"id":"s","title":"T","host":"H"},
"products":[{"id":"p","name":"P","price":{"amount":-1,"currency":"USD"},"variants":[{"id":"v","name":"V","stock":1}]}]}`), 0o600)
	code, _, errOut := runCLI(t, "serve", "--catalog", path, "--addr", "127.0.0.1:0")
	if want := "livecart serve: catalog " + path + `: line 2, column 13: product 1 ("p"): `; code != exitError || !strings.HasPrefix(errOut, want) {
		t.Fatalf("exit %d, stderr %q\nwant it to start %q", code, errOut, want)
	}
}

// TestShowServesBarePrices: a catalog file whose prices are bare numbers
// of minor units, as the README shows, is served with the catalog's
// currency.
func TestShowServesBarePrices(t *testing.T) {
	home := isolate(t)
	path := filepath.Join(home, "cat.json")
	os.WriteFile(path, []byte(`{
  "show": {"id": "s", "title": "T", "host": "H"},
  "currency": "EUR",
  "products": [
    {"id": "scarf", "name": "Scarf", "price": 2800, "variants": [{"id": "scarf-red", "name": "Red", "stock": 4}]},
    {"id": "hat", "name": "Hat", "price": {"amount": 1500, "currency": "EUR"}, "variants": [{"id": "hat-one", "name": "One size", "stock": 2}]}
  ]
}`), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := startShow(ctx, showOptions{addr: "127.0.0.1:0", catalogPath: path, personHosts: true,
		orders: filepath.Join(home, "orders.jsonl"), logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := s.wait(); err != nil {
			t.Error(err)
		}
	}()
	c, err := client.Dial(ctx, client.Options{URL: s.wsURL, Name: "v"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, _ := c.Welcome()
	if len(w.Catalog) != 2 || w.Catalog[0].Price != money.New(2800, "EUR") || w.Catalog[1].Price != money.New(1500, "EUR") {
		t.Fatalf("catalog served: %+v", w.Catalog)
	}
}

// TestShowAnswersAllowedHosts: the names given to serve reach the server,
// which answers to them and to its loopback names, and to no other name.
func TestShowAnswersAllowedHosts(t *testing.T) {
	home := isolate(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := startShow(ctx, showOptions{addr: "127.0.0.1:0", personHosts: true, allowedHosts: []string{"shop.example"},
		orders: filepath.Join(home, "orders.jsonl"), logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := s.wait(); err != nil {
			t.Error(err)
		}
	}()
	_, port, _ := strings.Cut(s.addr, ":")
	cases := map[string]int{
		"shop.example:" + port: http.StatusOK,
		"127.0.0.1:" + port:    http.StatusOK, // the public URL's host, and loopback
		"localhost:" + port:    http.StatusOK,
		"evil.example:" + port: http.StatusMisdirectedRequest,
	}
	for host, want := range cases {
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.addr+"/healthz", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET /healthz as %s: HTTP %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// TestShowHonoursPerAddressCap: the cap given to serve reaches the server;
// one connection over it is refused with 503 before the upgrade.
func TestShowHonoursPerAddressCap(t *testing.T) {
	home := isolate(t)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := startShow(ctx, showOptions{addr: "127.0.0.1:0", personHosts: true, maxConnsPerIP: 2, orders: filepath.Join(home, "orders.jsonl"), logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := s.wait(); err != nil {
			t.Error(err)
		}
	}()
	for i := range 2 {
		c, err := client.Dial(ctx, client.Options{URL: s.wsURL, Name: "v"})
		if err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		defer c.Close()
	}
	_, err = client.Dial(ctx, client.Options{URL: s.wsURL, Name: "v"})
	var de *client.DialError
	if !errors.As(err, &de) || de.Status != http.StatusServiceUnavailable {
		t.Fatalf("third connection: %v, want 503", err)
	}
}

// TestUnknownCommandOrFlag: a mistake in the command line is one line
// saying what, then one line saying where help is; exit code 2.
func TestUnknownCommandOrFlag(t *testing.T) {
	isolate(t)
	cases := []struct {
		args []string
		want []string // the lines of stderr
	}{
		{[]string{"dance"}, []string{`livecart: unknown command "dance"`, "Run 'livecart --help' for the commands."}},
		{[]string{"serv"}, []string{`livecart: unknown command "serv"`, "Did you mean 'livecart serve'? Run 'livecart --help' for the commands."}},
		{[]string{"wtach", "ws://a/ws"}, []string{`livecart: unknown command "wtach"`, "Did you mean 'livecart watch'? Run 'livecart --help' for the commands."}},
		{[]string{"help", "dance"}, []string{`livecart help: unknown command "dance"`, "Run 'livecart --help' for the commands."}},
		{[]string{"watch", "--bogus"}, []string{"livecart watch: unknown flag --bogus", "Run 'livecart watch --help' for usage."}},
		{[]string{"watch", "--nmae=ana", "ws://a/ws"}, []string{"livecart watch: unknown flag --nmae (did you mean --name?)", "Run 'livecart watch --help' for usage."}},
		{[]string{"serve", "-bogus"}, []string{"livecart serve: unknown flag -bogus", "Run 'livecart serve --help' for usage."}},
		{[]string{"serve", "--config", "x.toml"}, []string{"livecart serve: unknown flag --config", "Run 'livecart serve --help' for usage."}},
		{[]string{"--verison"}, []string{"livecart: unknown flag --verison", "Run 'livecart --help' for the commands, 'livecart demo --help' for the flags of the default one."}},
		{[]string{"host", "--name", "x"}, []string{"livecart host: unknown flag --name", "Run 'livecart host --help' for usage."}},
		{[]string{"demo", "--seed"}, []string{"livecart demo: --seed needs a value", "Run 'livecart demo --help' for usage."}},
		{[]string{"version", "extra"}, []string{`livecart version: unexpected argument "extra"`, "Run 'livecart version --help' for usage."}},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, c.args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", c.args, code, exitUsage)
		}
		if got := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n"); !slices.Equal(got, c.want) {
			t.Errorf("%v: stderr\n%q\nwant\n%q", c.args, got, c.want)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", c.args, out)
		}
	}
}

// TestConfigFlag: every command that reads the config file takes --config,
// which must name a readable file and wins over LIVECART_CONFIG. The flag
// file here is read and refused; were LIVECART_CONFIG read instead, its
// own, different error would show.
func TestConfigFlag(t *testing.T) {
	home := isolate(t)
	write := func(name, content string) string {
		p := filepath.Join(home, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.toml", "theme = \"dark\"\n")
	purple := write("purple.toml", "name = \"ana\"\ntheme = \"purple\"\n")
	typed := write("typed.toml", "name = \"ana\"\n\nopen_browser = \"no\"\n")
	envBad := write("env.toml", "colour = \"red\"\n")
	missing := filepath.Join(home, "missing.toml")

	commands := [][]string{{"demo"}, {"watch"}, {"host", "--token", "0123456789abcdef"}, nil} // nil: no command named
	cases := []struct {
		name   string
		config string // --config
		env    string // LIVECART_CONFIG
		code   int
		want   string
	}{
		{"missing file", missing, "", exitError, "config " + missing + " (named by --config): no such file"},
		{"a folder", home, "", exitError, "config " + home + " (named by --config): is a folder, not a file"},
		{"bad value", purple, "", exitError, "config " + purple + `: theme: "purple" is not one of auto, dark, light`},
		{"wrong type", typed, "", exitError, "config " + typed + ": line 3, column 17: open_browser: want true or false (without quotes), got a string"},
		{"flag wins over LIVECART_CONFIG", purple, envBad, exitError, "config " + purple + `: theme: "purple"`},
		{"LIVECART_CONFIG without the flag", "", envBad, exitError, "config " + envBad + `: unknown key "colour"`},
		{"LIVECART_CONFIG names a missing file", "", missing, exitError, "config " + missing + " (named by LIVECART_CONFIG): no such file"},
	}
	for _, cmd := range commands {
		for _, c := range cases {
			t.Run(strings.Join(cmd, " ")+"/"+c.name, func(t *testing.T) {
				t.Setenv("LIVECART_CONFIG", c.env)
				args := append([]string(nil), cmd...)
				if c.config != "" {
					args = append(args, "--config", c.config)
				}
				code, out, errOut := runCLI(t, args...)
				if code != c.code {
					t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errOut)
				}
				label := "livecart"
				if cmd != nil {
					label += " " + cmd[0]
				}
				if want := label + ": " + c.want; !strings.HasPrefix(errOut, want) {
					t.Errorf("stderr %q\nwant it to start %q", errOut, want)
				}
				if strings.Count(errOut, "\n") != 1 || out != "" {
					t.Errorf("want one line on stderr, nothing on stdout; got %q, %q", errOut, out)
				}
			})
		}
	}

	// A good file named by the flag is read: watch gets no further than
	// the missing URL, and LIVECART_CONFIG's bad file is not read.
	t.Setenv("LIVECART_CONFIG", envBad)
	code, _, errOut := runCLI(t, "watch", "--config", good)
	if code != exitUsage || !strings.Contains(errOut, "no show URL") {
		t.Errorf("watch --config good.toml: exit %d, stderr %q", code, errOut)
	}
}

// TestErrorLines: an error of several lines has the command's name on
// each, so none of them reads as a message of its own.
func TestErrorLines(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, "watch", "--theme", "neon", "--name", "", "ws://a/ws")
	want := "livecart watch: --name: \"\" is empty; want 1 to 32 characters\n" +
		"livecart watch: --theme: \"neon\" is not one of auto, dark, light\n" +
		"Run 'livecart watch --help' for usage.\n"
	if code != exitUsage || errOut != want {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s", code, errOut, want)
	}
}
