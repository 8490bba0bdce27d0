package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/livecart/livecart/cart"
	"github.com/livecart/livecart/checkout"
	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/config"
	"github.com/livecart/livecart/ui/live"
	"github.com/livecart/livecart/ui/viewer"
)

// viewerFlags are the flags every command that opens the viewer shares.
type viewerFlags struct {
	configPath string
	name       string
	theme      string
	noBrowser  bool
	logFile    string
}

func (v *viewerFlags) register(fs *flag.FlagSet) {
	v.registerConfig(fs)
	fs.StringVar(&v.name, "name", "", "display name in chat, 1 to 32 characters (default: $LIVECART_NAME, else name in the config file, else $USER)")
	v.registerTheme(fs)
	fs.BoolVar(&v.noBrowser, "no-browser", false, "show the checkout link instead of opening a browser (default: open_browser in the config file, else open it)")
	fs.StringVar(&v.logFile, "log", "", "write a debug log to this file (default: $LIVECART_LOG_FILE, else log_file in the config file, else no log)")
}

// registerTheme registers --theme.
func (v *viewerFlags) registerTheme(fs *flag.FlagSet) {
	fs.StringVar(&v.theme, "theme", "", "colours: auto, dark or light (default: $LIVECART_THEME, else theme in the config file, else auto)")
}

// registerConfig registers --config alone, for commands that take few of
// the viewer's flags.
func (v *viewerFlags) registerConfig(fs *flag.FlagSet) {
	fs.StringVar(&v.configPath, "config", "", "settings file; it must exist (default: $LIVECART_CONFIG, else "+config.DefaultPath()+" if it exists)")
}

// settings loads the config (from --config, else LIVECART_CONFIG, else the
// default file) and applies the flags the user gave. A bad flag value is a
// usage error naming the flag.
func (v *viewerFlags) settings(fs *flag.FlagSet) (config.Config, error) {
	cfg, err := config.Load(v.configPath, nil)
	if err != nil {
		return cfg, err
	}
	given := make(map[string]string) // config key -> the flag that set it
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "name":
			cfg.Name = strings.TrimSpace(v.name)
			given["name"] = f.Name
		case "theme":
			cfg.Theme = v.theme
			given["theme"] = f.Name
		case "no-browser":
			cfg.OpenBrowser = !v.noBrowser
		case "log":
			cfg.LogFile = v.logFile
		}
	})
	var errs []error
	for _, p := range cfg.Problems() {
		if name, ok := given[p.Key]; ok {
			errs = append(errs, fmt.Errorf("--%s: %s", name, p.Reason))
		} else {
			errs = append(errs, p)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

// parse parses args and returns the arguments that are not flags. Flags may
// come before or after them ("watch URL --name ana" works as people type
// it); "--" ends the flags. Help goes to stdout for --help. Parse errors
// come back as usage errors; flag's own output is silenced so each error is
// said exactly once.
func parse(fs *flag.FlagSet, args []string, stdout io.Writer, synopsis string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, synopsis)
			if hasFlags(fs) {
				fmt.Fprintln(stdout, "\nFlags:")
				fs.SetOutput(stdout)
				fs.PrintDefaults()
			}
			return nil, flag.ErrHelp
		}
		if err != nil {
			return nil, usageError{flagError(fs, err, args)}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// flagError rewords the flag package's errors in the command line's own
// terms: a flag given no value, a value that does not parse, and a flag it
// does not know, named as the user typed it, with the one probably meant.
func flagError(fs *flag.FlagSet, err error, args []string) error {
	if name, ok := strings.CutPrefix(err.Error(), "flag needs an argument: -"); ok {
		return fmt.Errorf("--%s needs a value", name)
	}
	if bad, ok := badValue(fs, err); ok {
		return bad
	}
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return err
	}
	typed := "-" + name
	for _, a := range args {
		if n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); n == name && strings.HasPrefix(a, "-") {
			typed, _, _ = strings.Cut(a, "=")
			break
		}
	}
	meant := ""
	fs.VisitAll(func(f *flag.Flag) {
		if meant == "" && editDistance(name, f.Name) <= 2 && len(f.Name) > 2 {
			meant = f.Name
		}
	})
	if meant != "" {
		return fmt.Errorf("unknown flag %s (did you mean --%s?)", typed, meant)
	}
	return fmt.Errorf("unknown flag %s", typed)
}

// badValue rewords the flag package's error for a value it cannot parse
// ("invalid value "abc" for flag -seed: parse error"), saying what the
// flag takes instead.
func badValue(fs *flag.FlagSet, err error) (error, bool) {
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, "invalid value ")
	if !ok {
		rest, ok = strings.CutPrefix(msg, "invalid boolean value ")
	}
	if !ok {
		return nil, false
	}
	quoted, err2 := strconv.QuotedPrefix(rest)
	if err2 != nil {
		return nil, false
	}
	rest = strings.TrimPrefix(rest[len(quoted):], " for ")
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "flag "), "-")
	name, reason, ok := strings.Cut(rest, ":")
	f := fs.Lookup(name)
	if !ok || f == nil {
		return nil, false
	}
	if strings.Contains(reason, "out of range") {
		return fmt.Errorf("--%s: %s is out of range", name, quoted), true
	}
	want := "a valid value"
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case bool:
			want = "true or false"
		case int, int64:
			want = "a whole number"
		case uint, uint64:
			want = "a whole number, 0 or more"
		}
	}
	return fmt.Errorf("--%s: %s is not %s", name, quoted, want), true
}

// openLog returns a logger writing to path, or discarding when path is
// empty. Nothing may write to the terminal while the TUI runs.
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { f.Close() }, nil
}

// runViewer runs the viewer TUI against url until the user quits.
func runViewer(ctx context.Context, cfg config.Config, url string, logger *slog.Logger) error {
	return watchShow(ctx, cfg, []string{url}, logger)
}

// watchShow runs the viewer TUI against the show at urls, tried in turn,
// until the user quits.
func watchShow(ctx context.Context, cfg config.Config, urls []string, logger *slog.Logger) error {
	return live.Run(ctx, viewer.App(viewer.Options{
		URL:         urls[0],
		URLs:        urls,
		Name:        cfg.Name,
		Theme:       cfg.Theme,
		OpenBrowser: cfg.OpenBrowser,
		Opener:      checkout.Browser(),
		Carts:       viewer.CartFiles{Store: cart.Store{Dir: cart.DefaultDir()}},
		Logger:      logger,
		// NO_COLOR asks for a plain screen: an animation's frames, which
		// fade in colour, are not.
		ReducedMotion: cfg.ReducedMotion || os.Getenv("NO_COLOR") != "",
	}))
}

// oneArg returns the single argument, or "" when there is none.
func oneArg(args []string, what string) (string, error) {
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		return args[0], nil
	default:
		return "", usageErrorf("expected one %s, got %q", what, strings.Join(args, " "))
	}
}

// noArgs refuses arguments a command does not take.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	return nil
}

// openServeLog logs to a file when asked, else to stderr: serve has no
// screen to protect.
func openServeLog(path string, stderr io.Writer) (*slog.Logger, func(), error) {
	if path != "" {
		return openLog(path)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})), func() {}, nil
}

// showURLs are the show a command joins: the URL arguments, else show_url
// from the config (or LIVECART_SHOW_URL), checked before anything dials.
// Several are URLs of one show, tried in turn.
func showURLs(args []string, cfg config.Config, cmd string) ([]string, error) {
	urls, from := args, "given"
	if len(urls) == 0 {
		urls, from = cfg.ShowURLs, "in show_url"
	}
	if len(urls) == 0 {
		return nil, usageErrorf("no show URL: give one (livecart %s ws://HOST:PORT/ws) or set show_url in the config", cmd)
	}
	if len(urls) > client.MaxURLs {
		return nil, usageErrorf("%d show URLs %s; livecart takes at most %d", len(urls), from, client.MaxURLs)
	}
	for _, u := range urls {
		if err := client.CheckURL(u); err != nil {
			return nil, usageError{err}
		}
	}
	return urls, nil
}
