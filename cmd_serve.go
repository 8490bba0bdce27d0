package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/server"
	"github.com/livecart/livecart/store"
)

const serveSynopsis = `Usage: livecart serve [flags]

Run a show server without a screen. It prints the address viewers join and
the host token, and stops cleanly on a signal:

  Ctrl+C (SIGINT)  ends the show: viewers are told it is over and stop
                   trying to reconnect (they keep their carts).
  SIGTERM          stops for a restart: viewers are told to wait, and
                   reconnect once a server listens on the address again.

SIGTERM is what service managers and rolling deploys send, so a restart
does not send the audience away. To end a show run by one of them, send
SIGINT instead (systemctl kill -s INT UNIT, docker kill -s INT NAME).

The server answers only to host names it knows, so that a web page cannot
reach it through a DNS name of its own pointed at this machine: localhost
and the loopback addresses (127.x.x.x, [::1]); any IP address, when it is
reached on an address that is not loopback (--addr 0.0.0.0:7420 or a LAN
address); the host of --public-url; and the names given to --allowed-hosts.
A show served under a domain, or behind a proxy that passes the domain on,
names it in one of those two flags. Other names get HTTP 421.

With --ssh ADDR (e.g. :2222) the viewer is also served to SSH sessions:
'ssh -p 2222 HOST' watches the show. Each session is a viewer known by its
SSH key; the host key is made on first start, kept in --ssh-dir, and its
fingerprint printed at start.

--catalog shopify:https://STORE or woo:https://STORE reads a real store's
public catalog (no credentials) and re-reads it every --catalog-refresh for
price and availability changes. Viewers then check out on the store, whose
orders livecart does not see; the start prints the currency used and a
warning for anything the show's limits left out (see README).

A --token must be at least 16 characters. An address that has sent 5 wrong
host tokens is refused, whatever token it sends, and gets one more try
every 10 seconds.
`

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7420", "address to listen on")
	catalogPath := fs.String("catalog", "", "the show and its products: a JSON file shaped like demo/catalog.json, or a store's public catalog, shopify:https://STORE or woo:https://STORE (see README) (default: the built-in demo catalog)")
	currency := fs.String("currency", "", "with --catalog shopify:..., the store's currency, e.g. USD (default: the store's /cart.js says)")
	showStock := fs.Int("show-stock", store.DefaultShowStock, "with a store --catalog, the stock an available variant starts with when the store gives no count")
	refresh := fs.Duration("catalog-refresh", store.DefaultRefresh, "with a store --catalog, how often to re-read it for price and availability changes; 0 for never")
	audience := fs.Int("audience", defaultAudience, "simulated viewers, 0 to 10000; 0 for none")
	seed := fs.Uint64("seed", 0, "seed for the simulated show (default: random)")
	token := fs.String("token", "", fmt.Sprintf("host token, at least %d characters (default: a new random token, printed at start)", server.MinHostTokenRunes))
	public := fs.String("public-url", "", "base URL of checkout links; the server also answers to its host (default: http://ADDR)")
	allowedHosts := fs.String("allowed-hosts", "", "more host names the server answers to, comma-separated, e.g. shop.example,www.shop.example (see above)")
	logFile := fs.String("log", "", "write a log to this file (default: stderr)")
	perIP := fs.Int("max-conns-per-ip", 0, fmt.Sprintf("connections one address may hold; -1 for no cap (default: %d, or more to fit --audience and --ssh)", server.DefaultMaxConnsPerIP))
	hostBot := fs.Bool("host-bot", true, "a scripted host pins products, runs deals and chats; --host-bot=false when a person hosts with 'livecart host'")
	chatCap := fs.Int("chat-cap", 0, fmt.Sprintf("viewers' chat lines a second broadcast to the show; past it a line reaches only its author; -1 for no cap (default: %d)", server.DefaultChatCap))
	sshAddr := fs.String("ssh", "", "also serve the viewer to SSH sessions on this address, e.g. :2222 (see README) (default: off)")
	sshDir := fs.String("ssh-dir", "", "where --ssh keeps its host key, its identity key and its viewers' carts (default: "+defaultSSHDir()+")")
	orders := fs.String("orders", "", "file the show's orders are kept in, across restarts (default: "+defaultOrdersFile("SHOW_ID")+")")
	rest, err := parse(fs, args, stdout, serveSynopsis)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if err := checkAudience(*audience); err != nil {
		return err
	}
	if *token != "" {
		if err := server.CheckHostToken(*token); err != nil {
			return usageErrorf("--token: %w", err)
		}
	}
	hosts := splitList(*allowedHosts)
	if err := server.CheckAllowedHosts(hosts); err != nil {
		return usageErrorf("--allowed-hosts: %w", err)
	}
	src, fromStore, err := store.ParseSource(*catalogPath)
	if err != nil {
		return usageErrorf("--catalog: %w", err)
	}
	if *refresh < 0 || (*refresh > 0 && *refresh < 10*time.Second) {
		return usageErrorf("--catalog-refresh must be 0 or at least 10s")
	}
	if *showStock < 1 || *showStock > protocol.MaxStock {
		return usageErrorf("--show-stock must be between 1 and %d", protocol.MaxStock)
	}
	if *currency != "" && (len(*currency) != 3 || strings.ToUpper(*currency) != *currency) {
		return usageErrorf("--currency: want a code such as USD, got %q", *currency)
	}
	opts := showOptions{
		addr: *addr, catalogPath: *catalogPath, audience: *audience, seed: seedOrRandom(fs, *seed),
		token: *token, publicURL: *public, allowedHosts: hosts, orders: *orders, ordersInState: true, maxConnsPerIP: *perIP, chatCap: *chatCap,
		personHosts: !*hostBot, sshSessions: sshSessions(*sshAddr),
	}
	if fromStore {
		// A real store's show has real viewers: simulated ones only when
		// asked for, since their purchases are the show's own, not the
		// store's.
		if !flagGiven(fs, "audience") {
			opts.audience = 0
		}
		opts.fromStore, opts.refresh = &src, *refresh
		opts.storeOpts = store.Options{Currency: *currency, ShowStock: *showStock}
	}
	logger, closeLog, err := openServeLog(*logFile, stderr)
	if err != nil {
		return err
	}
	defer closeLog()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.logger = logger
	show, err := startShow(ctx, opts)
	if err != nil {
		return err
	}
	var ssh *sshShow
	if *sshAddr != "" {
		if ssh, err = startSSH(ctx, *sshAddr, *sshDir, show.wsURL, logger); err != nil {
			cancel()
			return errors.Join(err, show.wait())
		}
	}
	fmt.Fprintf(stdout, "livecart is serving %q on %s\n", show.title, show.addr)
	if r := show.fromStore; r != nil {
		fmt.Fprintf(stdout, "  store:      %s, %d products, prices in %s (from %s)\n", src, len(r.Catalog.Products), r.Currency, r.CurrencyFrom)
		fmt.Fprintf(stdout, "  checkout:   on the store (%s); its orders are not seen here\n", r.Checkout)
		for _, w := range r.Warnings {
			fmt.Fprintf(stdout, "  warning:    %s\n", w)
		}
	}
	fmt.Fprintf(stdout, "  watch:      livecart watch %s\n", show.wsURL)
	if ssh != nil {
		fmt.Fprintf(stdout, "  ssh:        %s\n", ssh.command())
		fmt.Fprintf(stdout, "  host key:   %s\n", ssh.fingerprint)
	}
	fmt.Fprintf(stdout, "  host token: %s\n", show.token)
	fmt.Fprintf(stdout, "Press Ctrl+C to end the show.\n")
	if sig := <-sigs; sig == syscall.SIGTERM {
		fmt.Fprintln(stdout, "Stopping for a restart…")
	} else {
		fmt.Fprintln(stdout, "Ending the show…")
		show.end()
	}
	cancel()
	return errors.Join(show.wait(), ssh.wait())
}

// flagGiven reports whether the command line set the named flag.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// splitList splits a comma-separated flag value, dropping spaces around
// the items and empty items.
func splitList(v string) []string {
	var items []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}
