package sshshow

import "testing"

func TestAsksForStillness(t *testing.T) {
	cases := []struct {
		env  []string
		want bool
	}{
		{nil, false},
		{[]string{"TERM=xterm-256color", "LANG=C.UTF-8"}, false},
		{[]string{"NO_COLOR=1"}, true},
		{[]string{"NO_COLOR="}, false}, // set but empty: no-color.org says it does not count
		{[]string{"LIVECART_REDUCED_MOTION=1"}, true},
		{[]string{"LIVECART_REDUCED_MOTION=true"}, true},
		{[]string{"LIVECART_REDUCED_MOTION=0"}, false},
		{[]string{"LIVECART_REDUCED_MOTION=maybe"}, false},
		{[]string{"NO_COLORS=1", "XNO_COLOR=1"}, false},
	}
	for _, c := range cases {
		if got := asksForStillness(c.env); got != c.want {
			t.Errorf("asksForStillness(%q) = %v, want %v", c.env, got, c.want)
		}
	}
}
