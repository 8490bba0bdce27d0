package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// env returns a getenv that knows only vars, so no test reads the real
// environment.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// writeConfig writes content to a config.toml in a fresh directory.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	cases := []struct {
		user string
		want string
	}{
		{"ann", "ann"},
		{"  bob  ", "bob"},
		{"", fallbackName},
		{"   ", fallbackName},
		{strings.Repeat("x", MaxNameLen+1), fallbackName},
		{"evil\x1b[2J", fallbackName},
	}
	for _, tc := range cases {
		c := defaults(env(map[string]string{"USER": tc.user}))
		if c.Name != tc.want {
			t.Errorf("USER=%q: Name = %q, want %q", tc.user, c.Name, tc.want)
		}
		if c.Theme != ThemeAuto || !c.OpenBrowser || c.ShowURL != "" || c.HostToken != "" || c.LogFile != "" {
			t.Errorf("defaults = %+v", c)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("USER=%q: defaults do not validate: %v", tc.user, err)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	path := writeConfig(t, `
name = "FileName"
show_url = "ws://file.example/ws"
theme = "dark"
open_browser = false
host_token = "file-token"
log_file = "/tmp/file.log"
`)
	vars := map[string]string{"USER": "ann"}

	// Defaults only.
	c, err := Load(filepath.Join(t.TempDir(), "missing.toml"), env(vars))
	if err != nil {
		t.Fatalf("Load without a file: %v", err)
	}
	if want := (Config{Name: "ann", Theme: ThemeAuto, OpenBrowser: true}); c != want {
		t.Fatalf("defaults = %+v, want %+v", c, want)
	}

	// The file overrides the defaults.
	c, err = Load(path, env(vars))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Name: "FileName", ShowURL: "ws://file.example/ws", Theme: ThemeDark,
		OpenBrowser: false, HostToken: "file-token", LogFile: "/tmp/file.log",
	}
	if c != want {
		t.Fatalf("from file = %+v, want %+v", c, want)
	}

	// The environment overrides the file, key by key.
	vars["LIVECART_THEME"] = "light"
	vars["LIVECART_OPEN_BROWSER"] = "1"
	vars["LIVECART_SHOW_URL"] = "wss://env.example/ws"
	vars["LIVECART_HOST_TOKEN"] = "env-token"
	vars["LIVECART_LOG_FILE"] = "/tmp/env.log"
	c, err = Load(path, env(vars))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want = Config{
		Name: "FileName", ShowURL: "wss://env.example/ws", Theme: ThemeLight,
		OpenBrowser: true, HostToken: "env-token", LogFile: "/tmp/env.log",
	}
	if c != want {
		t.Fatalf("with env = %+v, want %+v", c, want)
	}
	vars["LIVECART_NAME"] = "  EnvName  "
	if c, err = Load(path, env(vars)); err != nil || c.Name != "EnvName" {
		t.Fatalf("LIVECART_NAME: Name = %q, %v", c.Name, err)
	}

	// Flags come last: main sets fields and validates again.
	c.Theme = "dark"
	c.ShowURL = "http://127.0.0.1:7420/"
	if err := c.Validate(); err != nil {
		t.Fatalf("valid flag values refused: %v", err)
	}
	c.Theme = "neon"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "theme") {
		t.Fatalf("bad flag theme: err = %v", err)
	}
}

func TestLoadConfigEnv(t *testing.T) {
	named := writeConfig(t, `theme = "light"`)
	other := writeConfig(t, `theme = "dark"`)

	c, err := Load(other, env(map[string]string{"LIVECART_CONFIG": named}))
	if err != nil || c.Theme != ThemeLight {
		t.Fatalf("LIVECART_CONFIG not used instead of path: theme %q, %v", c.Theme, err)
	}

	missing := filepath.Join(t.TempDir(), "nope.toml")
	_, err = Load(other, env(map[string]string{"LIVECART_CONFIG": missing}))
	if err == nil || !strings.Contains(err.Error(), "LIVECART_CONFIG") || !strings.Contains(err.Error(), missing) {
		t.Fatalf("LIVECART_CONFIG naming a missing file: err = %v", err)
	}

	// An unnamed default path that does not exist is normal.
	if _, err := Load(missing, env(nil)); err != nil {
		t.Fatalf("missing default file: %v", err)
	}
	// So is having no path at all.
	if _, err := Load("", env(nil)); err != nil {
		t.Fatalf("no path: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		file string            // config.toml contents; "" for no file
		env  map[string]string // extra variables
		want []string          // all must appear in the error
	}{
		{"unknown key", "colour = \"red\"\n", nil, []string{"config.toml", `unknown key "colour"`, "theme"}},
		{"unknown table", "[colour]\nx = 1\n", nil, []string{"config.toml", `unknown key "colour"`}},
		{"string for bool", `open_browser = "yes"`, nil, []string{"config.toml", "open_browser"}},
		{"number for string", `name = 5`, nil, []string{"config.toml", "name"}},
		{"syntax", `name = `, nil, []string{"config.toml", "line 1"}},
		{"bad theme in file", `theme = "blue"`, nil, []string{"theme", `"blue"`, "auto, dark or light"}},
		{"bad theme in env", "", map[string]string{"LIVECART_THEME": "Dark"}, []string{"theme", `"Dark"`}},
		{"bad bool env", "", map[string]string{"LIVECART_OPEN_BROWSER": "yes please"}, []string{"LIVECART_OPEN_BROWSER", "true or false"}},
		{"long name", "", map[string]string{"LIVECART_NAME": strings.Repeat("é", MaxNameLen+1)}, []string{"name", "1 to 32"}},
		{"blank name", `name = "   "`, nil, []string{"name"}},
		{"control in name", `name = "a\u0007b"`, nil, []string{"name", "control"}},
		{"show url scheme", `show_url = "ftp://x.example/"`, nil, []string{"show_url", "ws://"}},
		{"show url no host", `show_url = "ws:///ws"`, nil, []string{"show_url", "host"}},
		{"show url relative", `show_url = "example.com/ws"`, nil, []string{"show_url"}},
		{"several problems", `theme = "x"` + "\n" + `show_url = "x"`, nil, []string{"theme", "show_url"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			if tc.file != "" {
				path = writeConfig(t, tc.file)
			}
			vars := map[string]string{"USER": "ann"}
			for k, v := range tc.env {
				vars[k] = v
			}
			c, err := Load(path, env(vars))
			if err == nil {
				t.Fatalf("Load = %+v, want an error", c)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestValidateShowURL(t *testing.T) {
	for _, u := range []string{"", "ws://127.0.0.1:7420/ws", "wss://live.example/ws", "http://localhost:7420", "https://live.example/s/42"} {
		c := Config{Name: "ann", Theme: ThemeAuto, ShowURL: u}
		if err := c.Validate(); err != nil {
			t.Errorf("show_url %q refused: %v", u, err)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	if p := DefaultPath(); !filepath.IsAbs(p) || !strings.HasSuffix(p, filepath.Join("livecart", "config.toml")) {
		t.Fatalf("DefaultPath = %q", p)
	}
}

func TestKnownKeysMatchStruct(t *testing.T) {
	got := strings.Join(knownKeys(), ",")
	if want := "name,show_url,theme,open_browser,host_token,log_file"; got != want {
		t.Fatalf("knownKeys = %s, want %s", got, want)
	}
}

func TestMalformedTokenIsNotEchoed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("name = \"ana\"\nhost_token = sekretvalue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, func(string) string { return "" })
	if err == nil {
		t.Fatal("malformed file accepted")
	}
	if strings.Contains(err.Error(), "sekret") {
		t.Fatalf("error echoes the token: %v", err)
	}
	if !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "host_token") {
		t.Errorf("error does not say where: %v", err)
	}
}
