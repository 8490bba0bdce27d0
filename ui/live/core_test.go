package live

import (
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// ticks records what the core schedules.
type ticks struct {
	delays []time.Duration
	fns    []func(time.Time) tea.Msg
}

func (tk *ticks) tick(d time.Duration, f func(time.Time) tea.Msg) tea.Cmd {
	tk.delays = append(tk.delays, d)
	tk.fns = append(tk.fns, f)
	return nil
}

// One rule for the status line on every screen: five seconds, and fifteen
// for an error; a newer message is not cleared by an older one's expiry.
func TestStatusLineExpires(t *testing.T) {
	tk := &ticks{}
	c := New(Options{Theme: "dark", Tick: tk.tick}, newFakeSession())
	c.Notify(StatusInfo, "  Added   a mug  ")
	c.Notify(StatusError, "Could not save")
	if want := []time.Duration{5 * time.Second, 15 * time.Second}; len(tk.delays) != 2 || tk.delays[0] != want[0] || tk.delays[1] != want[1] {
		t.Errorf("expiries after %v, want %v", tk.delays, want)
	}
	c.update(tk.fns[0](time.Time{}))
	if c.Status.Text != "Could not save" || c.Status.Kind != StatusError {
		t.Errorf("an older expiry cleared the status: %+v", c.Status)
	}
	c.update(tk.fns[1](time.Time{}))
	if c.Status.Text != "" {
		t.Errorf("status %q outlived its time", c.Status.Text)
	}
	c.Notify(StatusInfo, "  Added   a mug  ")
	if c.Status.Text != "Added a mug" {
		t.Errorf("status %q, want it sanitized", c.Status.Text)
	}
}

// The link follows the session; Apply says what each update meant.
func TestApplyFollowsTheSession(t *testing.T) {
	c := New(Options{Theme: "dark", Tick: (&ticks{}).tick}, newFakeSession())
	welcome := protocol.Welcome{Version: protocol.Version, Show: protocol.ShowInfo{ID: "cosy", Title: "Cosy"}}
	down := errors.New("reset")
	steps := []struct {
		u     client.Update
		what  Happening
		state State
		phase Phase
		note  string
	}{
		{connecting(1), Nothing, Connecting, PhaseConnecting, ""},
		{client.Update{Kind: client.UpdateWaiting, Attempt: 2, Err: down}, Nothing, Waiting, PhaseFailed, ""},
		{connecting(2), Nothing, Connecting, PhaseFailed, ""},
		{client.Update{Kind: client.UpdateSnapshot, Welcome: welcome, Seq: 10}, Joined, Up, PhaseLive, ""},
		{events(viewers(11)), Events, Up, PhaseLive, ""},
		{client.Update{Kind: client.UpdateWaiting, Attempt: 1, Err: down}, Lost, Waiting, PhaseLive, "offline · reset"},
		{connecting(1), Nothing, Connecting, PhaseLive, ""},
		{client.Update{Kind: client.UpdateSnapshot, Welcome: welcome, Seq: 20, Missed: true}, Rejoined, Up, PhaseLive, "you were offline · some messages were missed"},
		{client.Update{Kind: client.UpdateWaiting, Attempt: 1, Err: down}, Lost, Waiting, PhaseLive, "offline · reset"},
		{client.Update{Kind: client.UpdateResumed, Welcome: welcome, Seq: 20}, Resumed, Up, PhaseLive, ""},
		{client.Update{Kind: client.UpdateFailed, Err: errors.New("the show has ended")}, Ended, Down, PhaseLive, "disconnected for good · the show has ended"},
	}
	for i, st := range steps {
		o, _ := c.Apply(st.u)
		if o.What != st.what || o.Note != st.note || c.Link.State != st.state || c.Phase != st.phase {
			t.Errorf("step %d (%s): %v %q, link %v, phase %v; want %v %q, %v, %v",
				i, st.u.Kind, o.What, o.Note, c.Link.State, c.Phase, st.what, st.note, st.state, st.phase)
		}
	}
	if c.Status.Text != "Disconnected: the show has ended" {
		t.Errorf("status %q after giving up", c.Status.Text)
	}
}
