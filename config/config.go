// Package config holds livecart's settings and where they come from: built-in
// defaults, then a TOML file, then LIVECART_* environment variables. main
// applies command-line flags last and calls Validate again.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/adrg/xdg"
)

// Themes Config.Theme accepts.
const (
	ThemeAuto  = "auto" // follow the terminal's background
	ThemeDark  = "dark"
	ThemeLight = "light"
)

// MaxNameLen is the longest display name, in runes.
const MaxNameLen = 32

// fallbackName is the display name when $USER is unset or unusable.
const fallbackName = "viewer"

// Config is every setting livecart reads. Fields are plain values so main can
// overwrite them from flags before calling Validate.
type Config struct {
	// Name is the display name shown to others in chat.
	Name string `toml:"name"`
	// ShowURL is the show `livecart watch` joins when given no URL.
	ShowURL string `toml:"show_url"`
	// Theme is ThemeAuto, ThemeDark or ThemeLight.
	Theme string `toml:"theme"`
	// OpenBrowser says whether checkout opens the browser, or only shows
	// the link.
	OpenBrowser bool `toml:"open_browser"`
	// HostToken authenticates the host dashboard to the server.
	HostToken string `toml:"host_token"`
	// LogFile is where to write a debug log; empty means no log.
	LogFile string `toml:"log_file"`
}

// Default returns the settings used when nothing overrides them. The name is
// the login name from $USER, so a first-time viewer is recognisable in chat
// without any setup.
func Default() Config { return defaults(os.Getenv) }

func defaults(getenv func(string) string) Config {
	name := strings.TrimSpace(getenv("USER"))
	if checkName(name) != nil {
		name = fallbackName
	}
	return Config{Name: name, Theme: ThemeAuto, OpenBrowser: true}
}

// DefaultPath returns where the config file is looked for when
// LIVECART_CONFIG does not say otherwise.
func DefaultPath() string {
	return filepath.Join(xdg.ConfigHome, "livecart", "config.toml")
}

// Load returns Default() overridden by the TOML file at path and then by the
// LIVECART_* variables getenv reports (os.Getenv when nil), validated.
//
// A missing file at path is fine: most viewers never write one. If
// LIVECART_CONFIG is set it replaces path, and then the file must exist,
// since the user asked for it by name. Keys the file does not know are
// errors, so a typo does not silently leave a setting at its default.
//
// An empty environment variable counts as unset.
func Load(path string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := defaults(getenv)
	named := false
	if p := getenv("LIVECART_CONFIG"); p != "" {
		path, named = p, true
	}
	if path != "" {
		if err := c.loadFile(path, named); err != nil {
			return Config{}, err
		}
	}
	if err := c.loadEnv(getenv); err != nil {
		return Config{}, err
	}
	c.Name = strings.TrimSpace(c.Name)
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) loadFile(path string, named bool) error {
	md, err := toml.DecodeFile(path, c)
	if errors.Is(err, fs.ErrNotExist) {
		if named {
			return fmt.Errorf("LIVECART_CONFIG: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, redactSecrets(path, err))
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return fmt.Errorf("%s: unknown key %q (known keys: %s)",
			path, keys[0].String(), strings.Join(knownKeys(), ", "))
	}
	return nil
}

func (c *Config) loadEnv(getenv func(string) string) error {
	strs := []struct {
		name string
		dst  *string
	}{
		{"LIVECART_NAME", &c.Name},
		{"LIVECART_SHOW_URL", &c.ShowURL},
		{"LIVECART_THEME", &c.Theme},
		{"LIVECART_HOST_TOKEN", &c.HostToken},
		{"LIVECART_LOG_FILE", &c.LogFile},
	}
	for _, s := range strs {
		if v := getenv(s.name); v != "" {
			*s.dst = v
		}
	}
	if v := getenv("LIVECART_OPEN_BROWSER"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("LIVECART_OPEN_BROWSER=%q: want true or false", v)
		}
		c.OpenBrowser = b
	}
	return nil
}

// Validate reports every setting that is out of range, naming its key and
// what it may be.
func (c Config) Validate() error {
	var errs []error
	if err := checkName(strings.TrimSpace(c.Name)); err != nil {
		errs = append(errs, err)
	}
	switch c.Theme {
	case ThemeAuto, ThemeDark, ThemeLight:
	default:
		errs = append(errs, fmt.Errorf("theme %q: want %s, %s or %s", c.Theme, ThemeAuto, ThemeDark, ThemeLight))
	}
	if err := checkShowURL(c.ShowURL); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func checkName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxNameLen {
		return fmt.Errorf("name %q: want 1 to %d characters", name, MaxNameLen)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("name %q: not valid UTF-8", name)
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return fmt.Errorf("name %q: control characters are not allowed", name)
	}
	return nil
}

func checkShowURL(raw string) error {
	if raw == "" {
		return nil
	}
	const want = "want a ws://, wss://, http:// or https:// URL with a host"
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("show_url %q: %s", raw, want)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return fmt.Errorf("show_url %q: scheme %q, %s", raw, u.Scheme, want)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("show_url %q: no host, %s", raw, want)
	}
	return nil
}

// knownKeys lists the TOML keys of Config, for the unknown-key message.
func knownKeys() []string {
	t := reflect.TypeFor[Config]()
	keys := make([]string, 0, t.NumField())
	for f := range t.Fields() {
		keys = append(keys, f.Tag.Get("toml"))
	}
	return keys
}

// secretKeys are keys whose values must never appear in an error.
var secretKeys = []string{"host_token"}

// redactSecrets replaces a TOML syntax error on a secret key's line with
// one that names the line but not what is on it: the parser's own message
// quotes the text it found, which would print part of the token.
func redactSecrets(path string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	line := ""
	if data, rerr := os.ReadFile(path); rerr == nil {
		if lines := strings.Split(string(data), "\n"); pe.Position.Line >= 1 && pe.Position.Line <= len(lines) {
			line = lines[pe.Position.Line-1]
		}
	}
	for _, k := range secretKeys {
		if pe.LastKey == k || strings.Contains(line, k) {
			return fmt.Errorf("line %d: the %s value is not valid TOML (not shown, as it is secret); write it as %s = \"...\"", pe.Position.Line, k, k)
		}
	}
	return err
}
