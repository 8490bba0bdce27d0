package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/livecart/livecart/config"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/host"
	"github.com/livecart/livecart/ui/live"
)

const hostSynopsis = `Usage: livecart host [flags] [URL...]

Run a show from the host dashboard: pin products and line up the next ones,
start flash deals, set stock and prices, moderate the chat, and watch the
audience, carts and sales as they happen. URL is the show's WebSocket
address (ws:// or wss://), as printed by 'livecart serve'; without one,
LIVECART_SHOW_URL or show_url from the config file is used (several
separated by commas, or an array in the file). Several URLs are servers of
the one show, tried in turn when the link drops, as for 'livecart watch'.

The host token is the one the show server was started with. It comes from
--token, else the LIVECART_HOST_TOKEN environment variable, else host_token
in the config file. Prefer the variable or the file: other users of this
machine can read a flag in the process list. The token is never shown or
logged.
`

func runHost(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	// The viewer's flags that mean something here; --name and --no-browser
	// do not (the server shows the host under the show's host name).
	var vf viewerFlags
	vf.registerConfig(fs)
	vf.registerTheme(fs)
	fs.StringVar(&vf.logFile, "log", "", "write a debug log to this file; the token is never written (default: $LIVECART_LOG_FILE, else log_file in the config file, else no log)")
	token := fs.String("token", "", "host token (default: $LIVECART_HOST_TOKEN, then host_token in the config file)")
	rest, err := parse(fs, args, stdout, hostSynopsis)
	if err != nil {
		return err
	}
	cfg, err := vf.settings(fs)
	if err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "token" {
			cfg.HostToken = *token
		}
	})
	if err := checkToken(cfg.HostToken); err != nil {
		return err
	}
	urls, err := showURLs(rest, cfg, "host")
	if err != nil {
		return err
	}
	logger, closeLog, err := openLog(cfg.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	return hostShow(context.Background(), cfg, urls, cfg.HostToken, "", logger)
}

// checkToken refuses a token the server could never accept, without ever
// repeating it.
func checkToken(token string) error {
	switch {
	case token == "":
		return usageErrorf("no host token: give --token, set LIVECART_HOST_TOKEN or set host_token in the config file")
	case !utf8.ValidString(token) || strings.ContainsFunc(token, unicode.IsControl):
		return usageErrorf("the host token has characters a token cannot have (it is not shown here)")
	case utf8.RuneCountInString(token) > protocol.MaxTokenRunes:
		return usageErrorf("the host token is longer than %d characters (it is not shown here)", protocol.MaxTokenRunes)
	}
	return nil
}

// runHostUI runs the host dashboard against url until the user quits.
// hint, when set, is the command viewers run to watch the show.
func runHostUI(ctx context.Context, cfg config.Config, url, token, hint string, logger *slog.Logger) error {
	return hostShow(ctx, cfg, []string{url}, token, hint, logger)
}

// hostShow runs the host dashboard against the show at urls, tried in
// turn, until the user quits.
func hostShow(ctx context.Context, cfg config.Config, urls []string, token, hint string, logger *slog.Logger) error {
	return live.Run(ctx, host.App(host.Options{
		URL:       urls[0],
		URLs:      urls,
		Token:     token,
		Name:      cfg.Name,
		Theme:     cfg.Theme,
		Logger:    logger,
		WatchHint: hint,
	}))
}
