package checkout

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/pkg/browser"
)

// ErrNoBrowser means there is no graphical session to open a browser in; the
// caller should show the link for the viewer to open themselves.
var ErrNoBrowser = errors.New("no browser available")

// Opener opens a URL for the viewer. The UI depends on this rather than on a
// browser so tests can stand in a fake.
type Opener interface {
	Open(url string) error
}

// OpenerFunc adapts a function to Opener.
type OpenerFunc func(url string) error

// Open calls f(url).
func (f OpenerFunc) Open(url string) error { return f(url) }

// Browser returns an Opener that opens URLs in the system's web browser. It
// refuses any URL CheckURL refuses, and returns ErrNoBrowser without running
// anything when there is no graphical session.
func Browser() Opener {
	return newBrowser(runtime.GOOS, os.Getenv, openURL)
}

type browserOpener struct {
	goos   string
	getenv func(string) string
	open   func(url string) error
}

func newBrowser(goos string, getenv func(string) string, open func(string) error) browserOpener {
	return browserOpener{goos: goos, getenv: getenv, open: open}
}

func (b browserOpener) Open(url string) error {
	if err := CheckURL(url); err != nil {
		return fmt.Errorf("open browser: %w", err)
	}
	if b.headless() {
		return fmt.Errorf("open browser: no DISPLAY or WAYLAND_DISPLAY: %w", ErrNoBrowser)
	}
	if err := b.open(url); err != nil {
		return fmt.Errorf("open browser: %w", err)
	}
	return nil
}

// headless reports a Unix-like system with no graphical session, such as an
// SSH login. There xdg-open falls back to a text-mode browser, which would
// take over the terminal the TUI is drawing on.
func (b browserOpener) headless() bool {
	if b.goos == "darwin" || b.goos == "windows" {
		return false
	}
	return b.getenv("DISPLAY") == "" && b.getenv("WAYLAND_DISPLAY") == ""
}

var quietBrowser sync.Once

func openURL(url string) error {
	// The opener's own output would land on top of the TUI. These are
	// package globals of pkg/browser, so they are set once rather than on
	// every call, which could race with an open already running.
	quietBrowser.Do(func() {
		browser.Stdout = io.Discard
		browser.Stderr = io.Discard
	})
	return browser.OpenURL(url)
}
