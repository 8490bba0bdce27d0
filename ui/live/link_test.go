package live

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/livecart/livecart/ui/theme"
)

func TestCountdown(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	cases := []struct {
		in   time.Duration
		want int
	}{{0, 0}, {-time.Second, 0}, {time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {30 * time.Second, 30}}
	for _, c := range cases {
		if got := Countdown(now, now.Add(c.in)); got != c.want {
			t.Errorf("Countdown(+%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestStatus(t *testing.T) {
	s := theme.New(true)
	cases := []struct {
		st       State
		attempt  int
		left     int
		want     string
		spinning bool
	}{
		{Up, 0, 0, "● connected", false},
		{Connecting, 1, 0, "connecting", true},
		{Connecting, 3, 0, "reconnecting · attempt 3", true},
		{Waiting, 4, 7, "○ reconnecting · attempt 4 in 7s", false},
		{Down, 0, 0, "○ offline", false},
	}
	for _, c := range cases {
		got := ansi.Strip(linkText(s, "⠋", c.st, c.attempt, c.left))
		if !strings.Contains(got, c.want) || strings.Contains(got, "⠋") != c.spinning {
			t.Errorf("linkText(%d) = %q, want %q (spinner %v)", c.st, got, c.want, c.spinning)
		}
	}
}

func TestRetryingNeverSaysReconnecting(t *testing.T) {
	s := theme.New(true)
	cases := []struct {
		st      State
		attempt int
		left    int
		want    string
	}{
		{Connecting, 2, 0, "trying again · attempt 2"},
		{Waiting, 4, 7, "○ trying again · attempt 4 in 7s"},
		{Up, 0, 0, "● connected"},
		{Down, 0, 0, "○ offline"},
	}
	for _, c := range cases {
		got := ansi.Strip(retryText(s, "⠋", c.st, c.attempt, c.left))
		if !strings.Contains(got, c.want) || strings.Contains(got, "reconnecting") {
			t.Errorf("retryText(%d) = %q, want %q", c.st, got, c.want)
		}
	}
}
