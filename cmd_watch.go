package main

import (
	"context"
	"flag"
	"io"
)

const watchSynopsis = `Usage: livecart watch [flags] [URL]

Watch a live show: chat, the pinned product, your cart, checkout in the
browser. URL is the show's WebSocket address (ws:// or wss://), as printed by
'livecart serve'; without it, LIVECART_SHOW_URL or show_url from the
config file is used.
`

func runWatch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	var vf viewerFlags
	vf.register(fs)
	rest, err := parse(fs, args, stdout, watchSynopsis)
	if err != nil {
		return err
	}
	url, err := oneArg(rest, "show URL")
	if err != nil {
		return err
	}
	cfg, err := vf.settings(fs)
	if err != nil {
		return err
	}
	url, err = showURL(url, cfg, "watch")
	if err != nil {
		return err
	}
	logger, closeLog, err := openLog(cfg.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	return runViewer(context.Background(), cfg, url, logger)
}
