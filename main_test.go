package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livecart/livecart/client"
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
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	for _, k := range []string{"LIVECART_CONFIG", "LIVECART_NAME", "LIVECART_SHOW_URL", "LIVECART_THEME", "LIVECART_OPEN_BROWSER", "LIVECART_LOG_FILE", "LIVECART_HOST_TOKEN"} {
		t.Setenv(k, "")
	}
	return home
}

func TestHelp(t *testing.T) {
	isolate(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"livecart watch", "livecart serve", "livecart [demo]"}},
		{[]string{"--help"}, []string{"-seed", "-name", "-audience"}},
		{[]string{"demo", "-h"}, []string{"-seed", "-name"}},
		{[]string{"watch", "--help"}, []string{"URL", "-no-browser", "-theme"}},
		{[]string{"serve", "--help"}, []string{"-addr", "127.0.0.1:7420", "-catalog", "-audience", "-seed", "-orders", "-max-conns-per-ip", "-chat-cap", "-host-bot", "SIGTERM",
			"-allowed-hosts", "-public-url", "421", "at least 16 characters"}},
		{[]string{"help", "serve"}, []string{"-addr"}},
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
		{[]string{"demo", "--bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"serve", "--audience", "-1"}, exitUsage, "--audience"},
		{[]string{"serve", "--seed", "abc"}, exitUsage, "invalid value"},
		{[]string{"serve", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"watch"}, exitUsage, "no show URL"},
		{[]string{"watch", "http://example.com"}, exitUsage, "scheme must be ws or wss"},
		{[]string{"watch", "ws://a/ws", "ws://b/ws"}, exitUsage, "expected one show URL"},
		{[]string{"watch", "--theme", "purple", "ws://a/ws"}, exitUsage, "theme"},
		{[]string{"watch", "ws://a/ws", "--theme", "purple"}, exitUsage, "theme"}, // flags after the URL count too
		{[]string{"watch", "ws://a/ws", "--name", "x", "ws://b/ws"}, exitUsage, "expected one show URL"},
		{[]string{"watch", "--", "--theme"}, exitUsage, "scheme must be ws or wss"}, // after --, a URL
		{[]string{"serve", "--seed", "1", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"watch", "--config", badConfig, "ws://a/ws"}, exitError, "colour"},
		{[]string{"serve", "--catalog", filepath.Join(home, "missing.json")}, exitError, "read catalog"},
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
	os.WriteFile(path, []byte(`{"show":{"id":"s","title":"T","host":"H"},"products":[{"id":"p","name":"P","price":{"amount":-1,"currency":"USD"},"variants":[{"id":"v","name":"V","stock":1}]}]}`), 0o600)
	code, _, errOut := runCLI(t, "serve", "--catalog", path, "--addr", "127.0.0.1:0")
	if code != exitError || !strings.Contains(errOut, "catalog") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
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
