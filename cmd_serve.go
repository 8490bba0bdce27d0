package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/livecart/livecart/server"
)

const serveSynopsis = `Usage: livecart serve [flags]

Run a show server without a screen. It prints the address viewers join and
the host token, and stops cleanly on Ctrl+C (SIGINT) or SIGTERM.
`

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:7420", "address to listen on")
	catalogPath := fs.String("catalog", "", "catalog JSON file (default: the built-in demo catalog)")
	audience := fs.Int("audience", defaultAudience, "simulated viewers; 0 for none")
	seed := fs.Uint64("seed", 0, "seed for the simulated show (default: random)")
	token := fs.String("token", "", "host token (default: a new random token, printed at start)")
	public := fs.String("public-url", "", "base URL of checkout links (default: http://ADDR)")
	logFile := fs.String("log", "", "write a log to this file (default: stderr)")
	perIP := fs.Int("max-conns-per-ip", 0, fmt.Sprintf("connections one address may hold; -1 for no cap (default: %d, or more to fit --audience)", server.DefaultMaxConnsPerIP))
	hostBot := fs.Bool("host-bot", true, "a scripted host pins products, runs deals and chats; --host-bot=false when a person hosts with 'livecart host'")
	chatCap := fs.Int("chat-cap", 0, fmt.Sprintf("viewers' chat lines a second broadcast to the show; past it a line reaches only its author; -1 for no cap (default: %d)", server.DefaultChatCap))
	orders := fs.String("orders", "", "file the show's orders are kept in, across restarts (default: "+defaultOrdersFile("SHOW_ID")+")")
	rest, err := parse(fs, args, stdout, serveSynopsis)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *audience < 0 || *audience > 10_000 {
		return usageErrorf("--audience must be between 0 and 10000")
	}
	var catalog []byte
	if *catalogPath != "" {
		b, err := os.ReadFile(*catalogPath)
		if err != nil {
			return fmt.Errorf("read catalog: %w", err)
		}
		catalog = b
	}
	logger, closeLog, err := openServeLog(*logFile, stderr)
	if err != nil {
		return err
	}
	defer closeLog()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	show, err := startShow(ctx, showOptions{
		addr: *addr, catalog: catalog, audience: *audience, seed: seedOrRandom(fs, *seed),
		token: *token, publicURL: *public, orders: *orders, maxConnsPerIP: *perIP, chatCap: *chatCap, logger: logger,
		personHosts: !*hostBot,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "livecart is serving %q on %s\n", show.title, show.addr)
	fmt.Fprintf(stdout, "  watch:      livecart watch %s\n", show.wsURL)
	fmt.Fprintf(stdout, "  host token: %s\n", show.token)
	fmt.Fprintf(stdout, "Press Ctrl+C to stop.\n")
	<-ctx.Done()
	fmt.Fprintln(stdout, "Stopping…")
	return show.wait()
}
