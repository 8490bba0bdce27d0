package link

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// Screen is a top-level model with a session to end and, perhaps, a reason
// it could not do its job.
type Screen interface {
	tea.Model
	Close()
	Err() error
}

// Run runs s full screen until the user quits or ctx ends, then closes its
// session. The error is the screen's own (the show could not be reached,
// the token was refused), said once the screen is gone, or a terminal
// failure.
func Run(ctx context.Context, s Screen) error {
	final, err := tea.NewProgram(s, tea.WithContext(ctx)).Run()
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
