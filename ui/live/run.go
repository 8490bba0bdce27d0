package live

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
)

// Screen is a top-level model: the viewer or the dashboard. It is built
// around a session it is given and does not own.
type Screen interface {
	tea.Model
	// Close releases what the screen holds of its own (the viewer's cart
	// file), once the program has exited. The session is not the
	// screen's to close.
	Close()
	// Err is why the screen could not do its job (the show could not be
	// reached, the token was refused), to be said once it is gone; nil
	// otherwise.
	Err() error
}

// App is what Run needs: the session to start and the screen to build
// around it.
type App struct {
	Session client.SessionOptions
	Start   StartFunc // nil: StartClient
	Screen  func(Session) Screen
}

// Open starts the app's session under ctx, at once and with the bridge's
// batching (MaxBatch), and builds the screen around it. The session is the
// caller's: it must close it once the screen is done with it.
func (a App) Open(ctx context.Context) (Screen, Session) {
	start := a.Start
	if start == nil {
		start = StartClient
	}
	opts := a.Session
	opts.MaxBatch = MaxBatch
	sess := start(ctx, opts)
	return a.Screen(sess), sess
}

// Run runs the app full screen until the user quits or ctx ends. It owns
// the session: it starts it under the program's context before the first
// frame and closes it when the program has exited, whenever and however
// that happens, so quitting at any moment leaves nothing running. The
// error is the screen's own, said once the screen is gone, or a terminal
// failure. opts are added to the program's options (tests run it without
// a terminal).
func Run(ctx context.Context, app App, opts ...tea.ProgramOption) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	screen, sess := app.Open(ctx)
	defer sess.Close()
	opts = append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)
	final, err := tea.NewProgram(screen, opts...).Run()
	done, ok := final.(Screen)
	if ok {
		done.Close()
	}
	switch {
	case err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled):
		return fmt.Errorf("terminal: %w", err)
	case ok:
		return done.Err()
	}
	return nil
}
