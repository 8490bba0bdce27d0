package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

const demoSynopsis = `Usage: livecart [demo] [flags]

Start the built-in demo show on this machine (127.0.0.1, a free port) and
watch it. No account and no network needed. Each run is a new show with
no orders yet (--orders FILE keeps them across runs). Quitting ends the
show: anyone watching it from another terminal is told it has ended.

With --host you run the show instead: the host dashboard opens with the
show's host token and the simulated audience comes, but the demo's own host
stays home, so what is pinned and said is up to you. Watch it as a viewer
from another terminal with the 'livecart watch' line printed first.
`

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var vf viewerFlags
	vf.register(fs)
	seed := fs.Uint64("seed", 0, "seed for the simulated show; the same seed gives the same show (default: random)")
	audience := fs.Int("audience", defaultAudience, "simulated viewers, 0 to 10000")
	hostMode := fs.Bool("host", false, "open the host dashboard instead of the viewer: you run the show")
	orders := fs.String("orders", "", "keep the demo's orders in this file, across runs (default: none; each run starts with no orders and no revenue)")
	rest, err := parse(fs, args, stdout, demoSynopsis)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if err := checkAudience(*audience); err != nil {
		return err
	}
	cfg, err := vf.settings(fs)
	if err != nil {
		return err
	}
	logger, closeLog, err := openLog(cfg.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	show, err := startShow(ctx, showOptions{
		addr: "127.0.0.1:0", audience: *audience, seed: seedOrRandom(fs, *seed), orders: *orders, logger: logger,
		personHosts: *hostMode,
	})
	if err != nil {
		return err
	}
	if *hostMode {
		// Printed before the alt screen takes over, and shown again in the
		// dashboard, which hides this line while it runs.
		hint := "livecart watch " + show.wsURL
		fmt.Fprintln(stdout, "Watch as a viewer in another terminal: "+hint)
		err = hostScreen(ctx, cfg, show.wsURL, show.token, hint, logger)
	} else {
		err = viewerScreen(ctx, cfg, show.wsURL, logger)
	}
	// Quitting the demo ends its show: viewers watching from another
	// terminal are told so and stop trying.
	show.end()
	cancel()
	return errors.Join(err, show.wait())
}

// The demo's two screens. Tests put scripted ones in their place.
var (
	viewerScreen = runViewer
	hostScreen   = runHostUI
)
