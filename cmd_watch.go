package main

import (
	"context"
	"flag"
	"io"
)

const watchSynopsis = `Usage: livecart watch [flags] [URL...]

Watch a live show: chat, the pinned product, your cart, checkout in the
browser. URL is the show's WebSocket address (ws:// or wss://), as printed by
'livecart serve'; without one, LIVECART_SHOW_URL or show_url from the
config file is used (several separated by commas, or an array in the file).

A show served by several servers may be given several URLs: livecart stays
on one while it works, and when the link drops moves at once to the next,
then to the other servers the show names, and carries on where it stopped
when that server can.
`

func runWatch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	var vf viewerFlags
	vf.register(fs)
	rest, err := parse(fs, args, stdout, watchSynopsis)
	if err != nil {
		return err
	}
	cfg, err := vf.settings(fs)
	if err != nil {
		return err
	}
	urls, err := showURLs(rest, cfg, "watch")
	if err != nil {
		return err
	}
	logger, closeLog, err := openLog(cfg.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	return watchShow(context.Background(), cfg, urls, logger)
}
