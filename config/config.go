// Package config holds livecart's settings and where they come from: built-in
// defaults, then a TOML file, then LIVECART_* environment variables. main
// applies command-line flags last and checks them with Problems.
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
	"time"
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
// overwrite them from flags before calling Problems.
type Config struct {
	// Name is the display name shown to others in chat.
	Name string `toml:"name"`
	// ShowURLs are the show `livecart watch` and `livecart host` join when
	// given no URL: its URLs, tried in turn. The file may give them as an
	// array or as one string, separated by commas; LIVECART_SHOW_URL as
	// one string.
	ShowURLs []string `toml:"show_url"`
	// Theme is ThemeAuto, ThemeDark or ThemeLight.
	Theme string `toml:"theme"`
	// OpenBrowser says whether checkout opens the browser, or only shows
	// the link.
	OpenBrowser bool `toml:"open_browser"`
	// HostToken authenticates the host dashboard to the server.
	HostToken string `toml:"host_token"`
	// LogFile is where to write a debug log; empty means no log.
	LogFile string `toml:"log_file"`
	// ReducedMotion turns animations off (a gift is its chat line alone).
	ReducedMotion bool `toml:"reduced_motion"`
}

// Default returns the settings used when nothing overrides them. The name is
// the login name from $USER, so a first-time viewer is recognisable in chat
// without any setup.
func Default() Config { return defaults(os.Getenv) }

func defaults(getenv func(string) string) Config {
	name := strings.TrimSpace(getenv("USER"))
	if checkName(name) != "" {
		name = fallbackName
	}
	return Config{Name: name, Theme: ThemeAuto, OpenBrowser: true}
}

// DefaultPath returns where the config file is looked for when neither
// --config nor LIVECART_CONFIG names one.
func DefaultPath() string {
	return filepath.Join(xdg.ConfigHome, "livecart", "config.toml")
}

// resolve returns the config file Load reads and who named it: path
// itself when not empty (main passes --config), else the file
// LIVECART_CONFIG names, else defaultPath, named by nobody (""). The flag
// wins over the variable because it is the more specific of the two:
// typed for this one run. A named file must exist.
func resolve(path, defaultPath string, getenv func(string) string) (file, from string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if path != "" {
		return path, "--config"
	}
	if p := getenv("LIVECART_CONFIG"); p != "" {
		return p, "LIVECART_CONFIG"
	}
	return defaultPath, ""
}

// Load returns Default() overridden by a config file and then by the
// LIVECART_* variables getenv reports (os.Getenv when nil), validated.
//
// The file is path, when not empty (main passes --config); else the one
// LIVECART_CONFIG names; else DefaultPath(). A file named either way must
// exist; a missing default file is fine, as most viewers never write one. Keys the file does not know are errors, so a typo
// does not silently leave a setting at its default.
//
// Errors name where the value came from: the file and the key (with the
// line and column when the file itself is malformed), or the variable.
// An empty environment variable counts as unset.
func Load(path string, getenv func(string) string) (Config, error) {
	return load(path, DefaultPath(), getenv)
}

func load(path, defaultPath string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := defaults(getenv)
	file, from := resolve(path, defaultPath, getenv)
	origin := make(map[string]string) // key -> where its value came from
	keys, err := c.loadFile(file, from)
	if err != nil {
		return Config{}, err
	}
	for _, k := range keys {
		origin[k] = "config " + file + ": " + k
	}
	keys, err = c.loadEnv(getenv)
	if err != nil {
		return Config{}, err
	}
	for _, k := range keys {
		origin[k] = envVars[k]
	}
	c.Name = strings.TrimSpace(c.Name)
	var errs []error
	for _, p := range c.Problems() {
		errs = append(errs, fmt.Errorf("%s: %s", origin[p.Key], p.Reason))
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// fileConfig is Config as the file spells it. Each value checks its own
// TOML type, so that a wrong one is reported in words a person knows, and
// at the key's line and column.
type fileConfig struct {
	Name          tomlString `toml:"name"`
	ShowURL       tomlList   `toml:"show_url"`
	Theme         tomlString `toml:"theme"`
	OpenBrowser   tomlBool   `toml:"open_browser"`
	HostToken     tomlString `toml:"host_token"`
	LogFile       tomlString `toml:"log_file"`
	ReducedMotion tomlBool   `toml:"reduced_motion"`
}

// wrongType returns the reason a value's UnmarshalTOML gave, if one failed.
func (f *fileConfig) wrongType() string {
	for _, r := range []string{f.Name.wrong, f.ShowURL.wrong, f.Theme.wrong, f.OpenBrowser.wrong, f.HostToken.wrong, f.LogFile.wrong, f.ReducedMotion.wrong} {
		if r != "" {
			return r
		}
	}
	return ""
}

// loadFile applies the file at path and returns the keys it set. from is
// who named the file, "" for the default file, which may be absent.
func (c *Config) loadFile(path, from string) ([]string, error) {
	where := "config " + path
	// A file that cannot be read says who named it: a forgotten
	// LIVECART_CONFIG is otherwise hard to find.
	named := where
	if from != "" {
		named = fmt.Sprintf("%s (named by %s)", where, from)
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && from == "":
		return nil, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: no such file", named)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", named, pathProblem(err))
	case info.IsDir():
		return nil, fmt.Errorf("%s: is a folder, not a file", named)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", named, pathProblem(err))
	}
	var f fileConfig
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, tomlProblem(err, string(data), f.wrongType()))
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return nil, fmt.Errorf("%s: unknown key %q (known keys: %s)",
			where, keys[0].String(), strings.Join(knownKeys(), ", "))
	}
	var set []string
	apply := func(key string, v tomlString, dst *string) {
		if v.set {
			*dst = v.v
			set = append(set, key)
		}
	}
	apply("name", f.Name, &c.Name)
	if f.ShowURL.set {
		c.ShowURLs = f.ShowURL.v
		set = append(set, "show_url")
	}
	apply("theme", f.Theme, &c.Theme)
	apply("host_token", f.HostToken, &c.HostToken)
	apply("log_file", f.LogFile, &c.LogFile)
	applyBool := func(key string, v tomlBool, dst *bool) {
		if v.set {
			*dst = v.v
			set = append(set, key)
		}
	}
	applyBool("open_browser", f.OpenBrowser, &c.OpenBrowser)
	applyBool("reduced_motion", f.ReducedMotion, &c.ReducedMotion)
	return set, nil
}

// envVars maps each key to the environment variable that overrides it.
var envVars = map[string]string{
	"name":           "LIVECART_NAME",
	"show_url":       "LIVECART_SHOW_URL",
	"theme":          "LIVECART_THEME",
	"open_browser":   "LIVECART_OPEN_BROWSER",
	"host_token":     "LIVECART_HOST_TOKEN",
	"log_file":       "LIVECART_LOG_FILE",
	"reduced_motion": "LIVECART_REDUCED_MOTION",
}

// loadEnv applies the LIVECART_* variables and returns the keys they set.
func (c *Config) loadEnv(getenv func(string) string) ([]string, error) {
	strs := []struct {
		key string
		dst *string
	}{
		{"name", &c.Name},
		{"theme", &c.Theme},
		{"host_token", &c.HostToken},
		{"log_file", &c.LogFile},
	}
	var set []string
	for _, s := range strs {
		if v := getenv(envVars[s.key]); v != "" {
			*s.dst = v
			set = append(set, s.key)
		}
	}
	if v := getenv(envVars["show_url"]); v != "" {
		c.ShowURLs = splitList(v)
		set = append(set, "show_url")
	}
	bools := []struct {
		key string
		dst *bool
	}{
		{"open_browser", &c.OpenBrowser},
		{"reduced_motion", &c.ReducedMotion},
	}
	for _, b := range bools {
		v := getenv(envVars[b.key])
		if v == "" {
			continue
		}
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not true or false", envVars[b.key], v)
		}
		*b.dst = on
		set = append(set, b.key)
	}
	return set, nil
}

// Problem is a setting whose value is out of range.
type Problem struct {
	Key    string // the TOML key, such as "theme"
	Reason string // what is wrong, quoting the value: `"purple" is not one of auto, dark, light`
}

// Error says the key and what is wrong with its value.
func (p Problem) Error() string { return p.Key + ": " + p.Reason }

// Problems lists every setting that is out of range, in the order of the
// file's keys. The caller knows where each value came from and says so.
func (c Config) Problems() []Problem {
	var ps []Problem
	if r := checkName(strings.TrimSpace(c.Name)); r != "" {
		ps = append(ps, Problem{"name", r})
	}
	for _, u := range c.ShowURLs {
		if r := checkShowURL(u); r != "" {
			ps = append(ps, Problem{"show_url", r})
		}
	}
	switch c.Theme {
	case ThemeAuto, ThemeDark, ThemeLight:
	default:
		ps = append(ps, Problem{"theme", fmt.Sprintf("%q is not one of %s, %s, %s", c.Theme, ThemeAuto, ThemeDark, ThemeLight)})
	}
	return ps
}

// Validate returns every problem Problems finds, joined, or nil.
func (c Config) Validate() error {
	var errs []error
	for _, p := range c.Problems() {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// checkName returns what is wrong with a display name, or "".
func checkName(name string) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return fmt.Sprintf(`"" is empty; want 1 to %d characters`, MaxNameLen)
	case n > MaxNameLen:
		return fmt.Sprintf("%q is %d characters; want 1 to %d", name, n, MaxNameLen)
	case !utf8.ValidString(name):
		return fmt.Sprintf("%q is not valid UTF-8", name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Sprintf("%q has control characters, which are not allowed", name)
	}
	return ""
}

// checkShowURL returns what is wrong with a show URL, or "".
func checkShowURL(raw string) string {
	if raw == "" {
		return ""
	}
	const want = "want a ws://, wss://, http:// or https:// URL with a host"
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("%q is not a URL; %s", raw, want)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	case "":
		return fmt.Sprintf("%q is not a full URL; %s", raw, want)
	default:
		return fmt.Sprintf("%q has scheme %q; %s", raw, u.Scheme, want)
	}
	if u.Hostname() == "" {
		return fmt.Sprintf("%q has no host; %s", raw, want)
	}
	return ""
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

// tomlString is a file value that must be a TOML string.
type tomlString struct {
	v     string
	set   bool
	wrong string // why the value was refused
}

// UnmarshalTOML refuses any other TOML type. Its message never quotes the
// value: it may be the host token.
func (s *tomlString) UnmarshalTOML(v any) error {
	str, ok := v.(string)
	if !ok {
		s.wrong = "want a string in double quotes, got " + tomlKind(v)
		return errors.New(s.wrong)
	}
	s.v, s.set = str, true
	return nil
}

// tomlList is a file value that is a list of strings: a TOML array of
// strings, or one string of them separated by commas. Blank entries are
// dropped, so a trailing comma does no harm.
type tomlList struct {
	v     []string
	set   bool
	wrong string // why the value was refused
}

// UnmarshalTOML refuses any other TOML type, and arrays of anything but
// strings.
func (l *tomlList) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		l.v, l.set = splitList(v), true
		return nil
	case []any:
		var list []string
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				l.wrong = "want strings in double quotes in the array, got " + tomlKind(x)
				return errors.New(l.wrong)
			}
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		l.v, l.set = list, true
		return nil
	}
	l.wrong = "want a string in double quotes, or an array of them, got " + tomlKind(v)
	return errors.New(l.wrong)
}

// splitList splits a comma-separated list, trimming spaces and dropping
// blank entries.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// tomlBool is a file value that must be a TOML boolean.
type tomlBool struct {
	v     bool
	set   bool
	wrong string // why the value was refused
}

// UnmarshalTOML refuses any other TOML type, "true" in quotes included.
func (b *tomlBool) UnmarshalTOML(v any) error {
	bv, ok := v.(bool)
	if !ok {
		b.wrong = "want true or false (without quotes), got " + tomlKind(v)
		return errors.New(b.wrong)
	}
	b.v, b.set = bv, true
	return nil
}

// tomlKind names the TOML type of a decoded value as the TOML spec does.
func tomlKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case time.Time:
		return "a date or time"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "another type"
}

// secretKeys are keys whose values must never appear in an error.
var secretKeys = []string{"host_token"}

// tomlProblem turns a decoding error into one that says where, in the
// file's own terms. wrongType is the reason a value of the wrong type was
// refused, if that was the error. The parser's message for a syntax error
// quotes the text it found, so on a secret key's line it is replaced by
// one that names the line but not what is on it.
func tomlProblem(err error, data, wrongType string) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	at := fmt.Sprintf("line %d, column %d", pe.Position.Line, max(pe.Position.Col, 1))
	if wrongType != "" {
		return fmt.Errorf("%s: %s: %s", at, pe.LastKey, wrongType)
	}
	line := ""
	if lines := strings.Split(data, "\n"); pe.Position.Line >= 1 && pe.Position.Line <= len(lines) {
		line = lines[pe.Position.Line-1]
	}
	for _, k := range secretKeys {
		if pe.LastKey == k || strings.Contains(line, k) {
			return fmt.Errorf("line %d: the %s value is not valid TOML (not shown, as it is secret); write it as %s = \"...\"", pe.Position.Line, k, k)
		}
	}
	return fmt.Errorf("%s: %s", at, pe.Message)
}

// pathProblem is what went wrong with a file, without the path and the
// system call, which the caller's message already says in its own words.
func pathProblem(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
