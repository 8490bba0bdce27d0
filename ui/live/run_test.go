package live_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// quitter is a screen that arms the bridge, as a real one does, and quits
// at once: the user pressing q before the first update.
type quitter struct {
	sess   live.Session
	closed *int
}

func (q quitter) Init() tea.Cmd                       { return tea.Batch(live.Wait(q.sess, time.Time{}), tea.Quit) }
func (q quitter) Update(tea.Msg) (tea.Model, tea.Cmd) { return q, nil }
func (q quitter) View() tea.View                      { return tea.NewView("") }
func (q quitter) Close()                              { *q.closed++ }
func (q quitter) Err() error                          { return errNotReached }

var errNotReached = errors.New("not reached")

// Run starts the session under the program's context before the program
// runs, and closes it once it has ended, however soon: nothing is left
// running, the bridge's read included.
func TestRunOwnsTheSession(t *testing.T) {
	// Goroutines other tests left (a resize's settle timer still counting
	// down) are not this test's.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	sess := uitest.NewSession()
	var started context.Context
	var opts client.SessionOptions
	closed := 0
	app := live.App{
		Session: client.SessionOptions{Options: client.Options{URL: "ws://127.0.0.1:7420/ws"}},
		Start: func(ctx context.Context, o client.SessionOptions) live.Session {
			started, opts = ctx, o
			return sess
		},
		Screen: func(s live.Session) live.Screen { return quitter{sess: s, closed: &closed} },
	}
	err := live.Run(context.Background(), app, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	if !errors.Is(err, errNotReached) {
		t.Errorf("Run = %v, want the screen's error", err)
	}
	if sess.Closes() != 1 || closed != 1 {
		t.Errorf("session closed %d times, screen %d: want once each", sess.Closes(), closed)
	}
	if started == nil || started.Err() == nil {
		t.Error("the session's context outlived the program")
	}
	if opts.URL != app.Session.URL || opts.MaxBatch != live.MaxBatch {
		t.Errorf("session started with %+v", opts)
	}
}
