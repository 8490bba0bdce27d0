package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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

A show on several processes: --cluster N runs, in this one process, a
NATS server with JetStream, the show's owner on --addr and N edges on the
N ports after it (free ports when --addr's port is 0). The owner holds the
show and writes its events to a JetStream stream; the host dashboard, the
simulated audience and the checkout pages use it. Edges hold viewers'
sockets: they follow the stream, pass viewers' commands to the owner, and
list each other in their welcomes, so a viewer whose edge goes away
resumes on another. The start prints a line per process, each ending in
its WebSocket URL:

  owner  ws://127.0.0.1:7420/ws   (the host and checkout pages use it)
  edge 1 ws://127.0.0.1:7421/ws
  edge 2 ws://127.0.0.1:7422/ws

On several machines, each process takes a role, against a NATS server
with JetStream:

  livecart serve --role owner --nats nats://HOST:4222 [the show's flags]
  livecart serve --role edge --nats nats://HOST:4222 --show SHOW_ID

The owner prints its show ID, its catalog's. --role owner --nats-listen
ADDR runs the NATS server in the owner's process instead, for edges to
join. An edge has no show of its own: it takes none of the show's flags
(--catalog, --audience, --token, --orders...), answers to --public-url's
host and gives it to viewers as its URL; --ssh on an edge serves the
viewer to SSH sessions from it. Ctrl+C or SIGTERM on an edge
stops that edge only: its viewers move to another. On the owner, SIGINT
ends the show on every edge, and SIGTERM stops it for a restart: edges
keep their viewers, who carry on when an owner is back on the same stream
(keep it across restarts with --nats-dir, or on a NATS server of its own;
an owner with --nats-listen takes NATS down with it while it restarts).

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
	public := fs.String("public-url", "", "base URL of checkout links, or of an edge as viewers reach it; the server also answers to its host (default: http://ADDR)")
	allowedHosts := fs.String("allowed-hosts", "", "more host names the server answers to, comma-separated, e.g. shop.example,www.shop.example (see above)")
	logFile := fs.String("log", "", "write a log to this file (default: stderr)")
	perIP := fs.Int("max-conns-per-ip", 0, fmt.Sprintf("connections one address may hold; -1 for no cap (default: %d, or more to fit --audience and --ssh)", server.DefaultMaxConnsPerIP))
	hostBot := fs.Bool("host-bot", true, "a scripted host pins products, runs deals and chats; --host-bot=false when a person hosts with 'livecart host'")
	chatCap := fs.Int("chat-cap", 0, fmt.Sprintf("viewers' chat lines a second broadcast to the show; past it a line reaches only its author; -1 for no cap (default: %d)", server.DefaultChatCap))
	sshAddr := fs.String("ssh", "", "also serve the viewer to SSH sessions on this address, e.g. :2222 (see README) (default: off)")
	sshDir := fs.String("ssh-dir", "", "where --ssh keeps its host key, its identity key and its viewers' carts (default: "+defaultSSHDir()+")")
	orders := fs.String("orders", "", "file the show's orders are kept in, across restarts (default: "+defaultOrdersFile("SHOW_ID")+")")
	var cf clusterFlags
	cf.register(fs)
	rest, err := parse(fs, args, stdout, serveSynopsis)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	mode, err := cf.mode(fs)
	if err != nil {
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
	stop := watchSignals()
	defer stop.close()
	if mode == modeEdge {
		return runEdge(stop, *addr, edgeOptions{
			nats: cf.nats, domain: cf.natsDomain, showID: cf.show, publicURL: *public,
			allowedHosts: hosts, maxConnsPerIP: edgeConnsPerIP(*perIP, *sshAddr), logger: logger,
			sshAddr: *sshAddr, sshDir: *sshDir,
		}, stdout)
	}
	var edgeAt []string
	if mode == modeCluster {
		if edgeAt, err = edgeAddrs(*addr, cf.edges); err != nil {
			return err
		}
	}
	var nats *embeddedNATS
	natsURL := cf.nats
	if mode == modeCluster || cf.natsListen != "" {
		if nats, err = startNATS(cf.natsListen, cf.natsDir); err != nil {
			return err
		}
		defer nats.stop()
		natsURL = nats.URL()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.logger = logger
	if mode != modeAlone {
		ownerLog := logger
		if mode == modeCluster {
			ownerLog = logger.With("node", "owner")
		}
		opts.logger = ownerLog
		opts.newServer = ownerServer(stop.ctx, natsURL, cf.natsDomain, ownerLog)
	}
	show, err := startShow(ctx, opts)
	if err != nil {
		if stop.ctx.Err() != nil {
			return errors.New("stopped before the show was ready")
		}
		return err
	}
	var edges *runningEdges
	if mode == modeCluster {
		edges, err = startEdges(stop.ctx, edgeAt, edgeOptions{
			nats: natsURL, showID: show.showID, allowedHosts: hosts, maxConnsPerIP: *perIP, logger: logger,
		})
		if err != nil {
			cancel()
			return errors.Join(err, show.wait())
		}
	}
	var ssh *sshShow
	if *sshAddr != "" {
		if ssh, err = startSSH(ctx, *sshAddr, *sshDir, show.wsURL, logger); err != nil {
			cancel()
			return errors.Join(err, edges.stop(), show.wait())
		}
	}
	printServing(stdout, show, mode, edges, nats, natsURL)
	if r := show.fromStore; r != nil {
		fmt.Fprintf(stdout, "  store:      %s, %d products, prices in %s (from %s)\n", src, len(r.Catalog.Products), r.Currency, r.CurrencyFrom)
		fmt.Fprintf(stdout, "  checkout:   on the store (%s); its orders are not seen here\n", r.Checkout)
		for _, w := range r.Warnings {
			fmt.Fprintf(stdout, "  warning:    %s\n", w)
		}
	}
	watch := []string{show.wsURL}
	if edges != nil {
		watch = edges.urls
	}
	fmt.Fprintf(stdout, "  watch:      livecart watch %s\n", strings.Join(watch, " "))
	if ssh != nil {
		fmt.Fprintf(stdout, "  ssh:        %s\n", ssh.command())
		fmt.Fprintf(stdout, "  host key:   %s\n", ssh.fingerprint)
	}
	fmt.Fprintf(stdout, "  host token: %s\n", show.token)
	fmt.Fprintf(stdout, "Press Ctrl+C to end the show.\n")
	select {
	case <-stop.ctx.Done():
	case <-show.served:
	case <-edges.stopped():
	}
	switch stop.which() {
	case nil:
		// A server stopped on its own: its error says why.
	case syscall.SIGTERM:
		fmt.Fprintln(stdout, "Stopping for a restart…")
	default:
		fmt.Fprintln(stdout, "Ending the show…")
		edges.end()
		show.end()
	}
	// Edges first: they talk to the owner until they stop.
	edgeErr := edges.stop()
	cancel()
	return errors.Join(edgeErr, show.wait(), ssh.wait())
}

// printServing prints where the show is served: the first lines of
// serve's start. With --cluster or --role owner, a line for the owner
// and one for each edge begin with "owner " and "edge ", each ending in
// its WebSocket URL, for a person or a script to read.
func printServing(w io.Writer, show *runningShow, mode serveMode, edges *runningEdges, nats *embeddedNATS, natsURL string) {
	switch mode {
	case modeAlone:
		fmt.Fprintf(w, "livecart is serving %q on %s\n", show.title, show.addr)
		return
	case modeCluster:
		fmt.Fprintf(w, "livecart is serving %q on %s and %d edges\n", show.title, show.addr, len(edges.urls))
	case modeOwner:
		fmt.Fprintf(w, "livecart is serving %q on %s, as the owner of show %s\n", show.title, show.addr, show.showID)
	}
	fmt.Fprintf(w, "owner  %s   (the host and checkout pages use it)\n", show.wsURL)
	if edges != nil {
		for i, u := range edges.urls {
			fmt.Fprintf(w, "edge %d %s\n", i+1, u)
		}
	}
	fmt.Fprintf(w, "  show ID:    %s\n", show.showID)
	if nats != nil {
		fmt.Fprintf(w, "  nats:       %s\n", nats.describe())
	} else {
		fmt.Fprintf(w, "  nats:       %s\n", natsURL)
	}
	if mode == modeOwner {
		fmt.Fprintf(w, "  edges:      livecart serve --role edge --nats %s --show %s --addr HOST:PORT\n", natsURL, show.showID)
	}
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
