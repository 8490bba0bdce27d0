package config

import (
	"os"
	"path/filepath"
	"reflect"
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
		if c.Theme != ThemeAuto || !c.OpenBrowser || len(c.ShowURLs) != 0 || c.HostToken != "" || c.LogFile != "" {
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
reduced_motion = true
`)
	vars := map[string]string{"USER": "ann"}

	// Defaults only: the default file is absent.
	c, err := load("", filepath.Join(t.TempDir(), "missing.toml"), env(vars))
	if err != nil {
		t.Fatalf("Load without a file: %v", err)
	}
	if want := (Config{Name: "ann", Theme: ThemeAuto, OpenBrowser: true}); !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults = %+v, want %+v", c, want)
	}

	// The file overrides the defaults.
	c, err = Load(path, env(vars))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Name: "FileName", ShowURLs: []string{"ws://file.example/ws"}, Theme: ThemeDark,
		OpenBrowser: false, HostToken: "file-token", LogFile: "/tmp/file.log", ReducedMotion: true,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("from file = %+v, want %+v", c, want)
	}

	// The environment overrides the file, key by key.
	vars["LIVECART_THEME"] = "light"
	vars["LIVECART_OPEN_BROWSER"] = "1"
	vars["LIVECART_SHOW_URL"] = "wss://env.example/ws"
	vars["LIVECART_HOST_TOKEN"] = "env-token"
	vars["LIVECART_LOG_FILE"] = "/tmp/env.log"
	vars["LIVECART_REDUCED_MOTION"] = "0"
	c, err = Load(path, env(vars))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want = Config{
		Name: "FileName", ShowURLs: []string{"wss://env.example/ws"}, Theme: ThemeLight,
		OpenBrowser: true, HostToken: "env-token", LogFile: "/tmp/env.log",
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("with env = %+v, want %+v", c, want)
	}
	vars["LIVECART_NAME"] = "  EnvName  "
	if c, err = Load(path, env(vars)); err != nil || c.Name != "EnvName" {
		t.Fatalf("LIVECART_NAME: Name = %q, %v", c.Name, err)
	}

	// Flags come last: main sets fields and validates again.
	c.Theme = "dark"
	c.ShowURLs = []string{"http://127.0.0.1:7420/"}
	if err := c.Validate(); err != nil {
		t.Fatalf("valid flag values refused: %v", err)
	}
	c.Theme = "neon"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "theme") {
		t.Fatalf("bad flag theme: err = %v", err)
	}
}

// TestConfigFileChoice: --config (the path argument) wins over
// LIVECART_CONFIG, which wins over the default file; a file the user named
// must exist and be a file, the default one may be absent.
func TestConfigFileChoice(t *testing.T) {
	flagFile := writeConfig(t, `theme = "light"`)
	envFile := writeConfig(t, `theme = "dark"`)
	defFile := writeConfig(t, `name = "def"`)
	missing := filepath.Join(t.TempDir(), "nope.toml")
	folder := t.TempDir()

	cases := []struct {
		name      string
		path, def string
		envPath   string
		wantTheme string
		wantName  string
		wantErr   []string // all in the error; nil for success
	}{
		{"flag wins over LIVECART_CONFIG", flagFile, defFile, envFile, ThemeLight, "ann", nil},
		{"LIVECART_CONFIG wins over the default", "", defFile, envFile, ThemeDark, "ann", nil},
		{"the default file", "", defFile, "", ThemeAuto, "def", nil},
		{"no default file", "", missing, "", ThemeAuto, "ann", nil},
		{"flag names a missing file", missing, defFile, envFile, "", "", []string{"config " + missing, "--config", "no such file"}},
		{"LIVECART_CONFIG names a missing file", "", defFile, missing, "", "", []string{"config " + missing, "LIVECART_CONFIG", "no such file"}},
		{"flag names a folder", folder, defFile, "", "", "", []string{"config " + folder, "--config", "is a folder"}},
		{"LIVECART_CONFIG names a folder", "", defFile, folder, "", "", []string{"config " + folder, "LIVECART_CONFIG", "is a folder"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(tc.path, tc.def, env(map[string]string{"USER": "ann", "LIVECART_CONFIG": tc.envPath}))
			if tc.wantErr == nil {
				if err != nil || c.Theme != tc.wantTheme || c.Name != tc.wantName {
					t.Fatalf("theme %q name %q, %v; want theme %q name %q", c.Theme, c.Name, err, tc.wantTheme, tc.wantName)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to mention %q", err, w)
				}
			}
		})
	}

}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		file string            // config.toml contents; "" for no file
		env  map[string]string // extra variables
		want []string          // all must appear in the error, after "config PATH: " when there is a file
	}{
		{"unknown key", "colour = \"red\"\n", nil, []string{`unknown key "colour"`, "theme"}},
		{"unknown table", "[colour]\nx = 1\n", nil, []string{`unknown key "colour"`}},
		{"string for bool", "name = \"ana\"\nopen_browser = \"yes\"", nil, []string{"line 2, column 17: open_browser: want true or false (without quotes), got a string"}},
		{"number for bool", `open_browser = 1`, nil, []string{"line 1, column 16: open_browser: want true or false (without quotes), got an integer"}},
		{"number for string", `name = 5`, nil, []string{"line 1, column 8: name: want a string in double quotes, got an integer"}},
		{"array for string", `name = ["a"]`, nil, []string{"name: want a string in double quotes, got an array"}},
		{"number for list", `show_url = 7420`, nil, []string{"line 1, column 12: show_url: want a string in double quotes, or an array of them, got an integer"}},
		{"number in list", `show_url = ["ws://a.example/ws", 7420]`, nil, []string{"show_url: want strings in double quotes in the array, got an integer"}},
		{"bad url in list", `show_url = ["ws://a.example/ws", "ftp://b.example/"]`, nil, []string{`show_url: "ftp://b.example/" has scheme "ftp"`}},
		{"bad url in comma list", `show_url = "ws://a.example/ws, b.example/ws"`, nil, []string{`show_url: "b.example/ws" is not a full URL`}},
		{"bad url in env list", "", map[string]string{"LIVECART_SHOW_URL": "ws://a.example/ws,ftp://b.example/"}, []string{`LIVECART_SHOW_URL: "ftp://b.example/" has scheme "ftp"`}},
		{"table for string", "[theme]\nx = 1", nil, []string{"theme: want a string in double quotes, got a table"}},
		{"date for string", `log_file = 2026-05-01`, nil, []string{"log_file: want a string in double quotes, got a date or time"}},
		{"syntax", `name = `, nil, []string{"line 1, column 7"}},
		{"key twice", "theme = \"dark\"\ntheme = \"light\"", nil, []string{"line 2", "theme"}},
		{"bad theme in file", `theme = "purple"`, nil, []string{`theme: "purple" is not one of auto, dark, light`}},
		{"bad theme in env", "", map[string]string{"LIVECART_THEME": "Dark"}, []string{`LIVECART_THEME: "Dark" is not one of auto, dark, light`}},
		{"bad bool env", "", map[string]string{"LIVECART_OPEN_BROWSER": "yes please"}, []string{`LIVECART_OPEN_BROWSER: "yes please" is not true or false`}},
		{"bad reduced motion env", "", map[string]string{"LIVECART_REDUCED_MOTION": "please"}, []string{`LIVECART_REDUCED_MOTION: "please" is not true or false`}},
		{"string for reduced motion", `reduced_motion = "yes"`, nil, []string{"line 1, column 19: reduced_motion: want true or false (without quotes), got a string"}},
		{"long name in env", "", map[string]string{"LIVECART_NAME": strings.Repeat("é", MaxNameLen+1)}, []string{"LIVECART_NAME: ", "33 characters; want 1 to 32"}},
		{"blank name", `name = "   "`, nil, []string{`name: "" is empty`}},
		{"control in name", `name = "a\u0007b"`, nil, []string{"name: ", "control"}},
		{"show url scheme", `show_url = "ftp://x.example/"`, nil, []string{`show_url: "ftp://x.example/" has scheme "ftp"; want a ws://`}},
		{"show url no host", `show_url = "ws:///ws"`, nil, []string{"show_url: ", "no host"}},
		{"show url relative", `show_url = "example.com/ws"`, nil, []string{`show_url: "example.com/ws" is not a full URL`}},
		{"several problems", `theme = "x"` + "\n" + `show_url = "x"`, nil, []string{"theme: ", "show_url: "}},
		{"file and env", `theme = "x"`, map[string]string{"LIVECART_NAME": "\t"}, []string{"theme: ", "LIVECART_NAME: "}},
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
			c, err := load("", path, env(vars))
			if err == nil {
				t.Fatalf("Load = %+v, want an error", c)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("err = %q, want it to mention %q", msg, w)
				}
			}
			// Every line says where its value came from: the file, or the
			// variable.
			for line := range strings.Lines(msg) {
				if !strings.HasPrefix(line, "config "+path+": ") && !strings.HasPrefix(line, "LIVECART_") {
					t.Errorf("line %q does not say where the value came from", line)
				}
			}
			for _, goWords := range []string{"Go ", "destination", "int64", "boolean", "[]any", "map[", "toml:"} {
				if strings.Contains(strings.ReplaceAll(msg, path, "PATH"), goWords) {
					t.Errorf("err = %q speaks of %q", msg, goWords)
				}
			}
		})
	}
}

// TestProblems: each problem names its key, so main can say which flag
// gave the value.
func TestProblems(t *testing.T) {
	c := Default()
	c.Theme, c.Name = "neon", ""
	ps := c.Problems()
	if len(ps) != 2 || ps[0].Key != "name" || ps[1].Key != "theme" || ps[1].Reason != `"neon" is not one of auto, dark, light` {
		t.Fatalf("Problems = %+v", ps)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), `theme: "neon"`) {
		t.Fatalf("Validate = %v", err)
	}
}

func TestValidateShowURL(t *testing.T) {
	for _, u := range []string{"", "ws://127.0.0.1:7420/ws", "wss://live.example/ws", "http://localhost:7420", "https://live.example/s/42"} {
		c := Config{Name: "ann", Theme: ThemeAuto, ShowURLs: []string{u}}
		if err := c.Validate(); err != nil {
			t.Errorf("show_url %q refused: %v", u, err)
		}
	}
}

// TestShowURLList: show_url is a list of URLs, written as an array or as
// one comma-separated string, in the file or in LIVECART_SHOW_URL.
func TestShowURLList(t *testing.T) {
	want := []string{"ws://a.example/ws", "wss://b.example/ws"}
	for _, file := range []string{
		`show_url = ["ws://a.example/ws", "wss://b.example/ws"]`,
		`show_url = ["ws://a.example/ws", " ", "wss://b.example/ws"]`,
		`show_url = "ws://a.example/ws,wss://b.example/ws"`,
		`show_url = " ws://a.example/ws , wss://b.example/ws, "`,
		"show_url = [\n  \"ws://a.example/ws\",\n  \"wss://b.example/ws\",\n]",
	} {
		c, err := Load(writeConfig(t, file), env(map[string]string{"USER": "ann"}))
		if err != nil || !reflect.DeepEqual(c.ShowURLs, want) {
			t.Errorf("%s: ShowURLs = %q, %v; want %q", file, c.ShowURLs, err, want)
		}
	}
	path := writeConfig(t, `show_url = ["ws://file.example/ws"]`)
	c, err := Load(path, env(map[string]string{"USER": "ann", "LIVECART_SHOW_URL": "ws://a.example/ws, wss://b.example/ws"}))
	if err != nil || !reflect.DeepEqual(c.ShowURLs, want) {
		t.Errorf("LIVECART_SHOW_URL: ShowURLs = %q, %v; want %q", c.ShowURLs, err, want)
	}
}

func TestDefaultPath(t *testing.T) {
	if p := DefaultPath(); !filepath.IsAbs(p) || !strings.HasSuffix(p, filepath.Join("livecart", "config.toml")) {
		t.Fatalf("DefaultPath = %q", p)
	}
}

func TestKnownKeysMatchStruct(t *testing.T) {
	got := strings.Join(knownKeys(), ",")
	if want := "name,show_url,theme,open_browser,host_token,log_file,reduced_motion"; got != want {
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
	if !strings.HasPrefix(err.Error(), "config "+path+": ") {
		t.Errorf("error does not name the file: %v", err)
	}
	if strings.Contains(err.Error(), "sekret") {
		t.Fatalf("error echoes the token: %v", err)
	}
	if !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "host_token") {
		t.Errorf("error does not say where: %v", err)
	}
}
