package live

import "charm.land/bubbles/v2/key"

// Keys are the keys every live screen answers to, declared once. A
// screen's KeyMap embeds them beside its own.
type Keys struct {
	Retry key.Binding
	Help  key.Binding
	Quit  key.Binding
}

// DefaultKeys returns the keys every screen shares.
func DefaultKeys() Keys {
	return Keys{
		Retry: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reconnect")),
		Help:  key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:  key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// Enable turns on what always applies: help and quit, and retry while the
// link waits for its next attempt. Before the show has ever been on
// screen, retry tries now: there is nothing to reconnect to.
func (k *Keys) Enable(onAir, waiting bool) {
	k.Help.SetEnabled(true)
	k.Quit.SetEnabled(true)
	k.Retry.SetEnabled(waiting)
	if !onAir {
		k.Retry.SetHelp("r", "try now")
	}
}

// Typing is for a keyboard that writes text: '?' and 'r' are letters, and
// only ctrl+c quits.
func (k *Keys) Typing() {
	k.Retry.SetEnabled(false)
	k.Help.SetEnabled(false)
	k.Quit.SetKeys("ctrl+c")
	k.Quit.SetHelp("ctrl+c", "quit")
}
