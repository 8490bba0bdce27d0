package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/livecart/livecart/config"
)

// TestShowURLs: the URL arguments, else the config's list, each checked
// before anything dials; several are kept in order.
func TestShowURLs(t *testing.T) {
	fromConfig := config.Config{ShowURLs: []string{"ws://c1/ws", "wss://c2/ws"}}
	cases := []struct {
		name string
		args []string
		cfg  config.Config
		want []string
		err  string
	}{
		{"one argument", []string{"ws://a/ws"}, fromConfig, []string{"ws://a/ws"}, ""},
		{"several arguments, in order", []string{"ws://b/ws", "wss://a/ws"}, fromConfig, []string{"ws://b/ws", "wss://a/ws"}, ""},
		{"the config's list", nil, fromConfig, fromConfig.ShowURLs, ""},
		{"none", nil, config.Config{}, nil, "no show URL: give one (livecart watch ws://HOST:PORT/ws) or set show_url in the config"},
		{"a bad one among them", []string{"ws://a/ws", "https://b/ws"}, fromConfig, nil, `show URL "https://b/ws": scheme must be ws or wss`},
		{"a bad one in the config", nil, config.Config{ShowURLs: []string{"ws://a/ws", "http://b"}}, nil, `show URL "http://b": scheme must be ws or wss`},
		{"too many in the config", nil, config.Config{ShowURLs: slices.Repeat([]string{"ws://a/ws"}, 20)}, nil, "20 show URLs in show_url; livecart takes at most 16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := showURLs(c.args, c.cfg, "watch")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("showURLs = %q, %v; want the error %q", got, err, c.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("showURLs = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
