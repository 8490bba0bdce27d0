package live_test

import (
	"errors"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/ui/internal/uitest"
	"github.com/livecart/livecart/ui/live"
)

// One rule for the status line on every screen: five seconds, and fifteen
// for an error; a newer message is not cleared by an older one's expiry.
func TestStatusLineExpires(t *testing.T) {
	tk := &uitest.Ticker{}
	c := live.New(live.Options{Theme: "dark", Tick: tk.Tick}, uitest.NewSession())
	c.Notify(live.StatusInfo, "  Added   a mug  ")
	c.Notify(live.StatusError, "Could not save")
	if want := []time.Duration{5 * time.Second, 15 * time.Second}; len(tk.Delays) != 2 || tk.Delays[0] != want[0] || tk.Delays[1] != want[1] {
		t.Errorf("expiries after %v, want %v", tk.Delays, want)
	}
	c.Update(tk.Fns[0](time.Time{}), nil, nil)
	if c.Status.Text != "Could not save" || c.Status.Kind != live.StatusError {
		t.Errorf("an older expiry cleared the status: %+v", c.Status)
	}
	c.Update(tk.Fns[1](time.Time{}), nil, nil)
	if c.Status.Text != "" {
		t.Errorf("status %q outlived its time", c.Status.Text)
	}
	c.Notify(live.StatusInfo, "  Added   a mug  ")
	if c.Status.Text != "Added a mug" {
		t.Errorf("status %q, want it sanitized", c.Status.Text)
	}
}

// The link follows the session; Apply says what each update meant.
func TestApplyFollowsTheSession(t *testing.T) {
	c := live.New(live.Options{Theme: "dark", Tick: (&uitest.Ticker{}).Tick}, uitest.NewSession())
	welcome := protocol.Welcome{Version: protocol.Version, Show: protocol.ShowInfo{ID: "cosy", Title: "Cosy"}}
	down := errors.New("reset")
	steps := []struct {
		u     client.Update
		what  live.Happening
		state live.State
		phase live.Phase
		note  string
	}{
		{uitest.Connecting(1), live.Nothing, live.Connecting, live.PhaseConnecting, ""},
		{client.Update{Kind: client.UpdateWaiting, Attempt: 2, Err: down}, live.Nothing, live.Waiting, live.PhaseFailed, ""},
		{uitest.Connecting(2), live.Nothing, live.Connecting, live.PhaseFailed, ""},
		{client.Update{Kind: client.UpdateSnapshot, Welcome: welcome, Seq: 10}, live.Joined, live.Up, live.PhaseLive, ""},
		{uitest.EventsUpdate(protocol.Envelope{Type: protocol.TypeViewers, Seq: 11}), live.Events, live.Up, live.PhaseLive, ""},
		{client.Update{Kind: client.UpdateWaiting, Attempt: 1, Err: down}, live.Lost, live.Waiting, live.PhaseLive, "offline · reset"},
		{uitest.Connecting(1), live.Nothing, live.Connecting, live.PhaseLive, ""},
		{client.Update{Kind: client.UpdateSnapshot, Welcome: welcome, Seq: 20, Missed: true}, live.Rejoined, live.Up, live.PhaseLive, "you were offline · some messages were missed"},
		{client.Update{Kind: client.UpdateWaiting, Attempt: 1, Err: down}, live.Lost, live.Waiting, live.PhaseLive, "offline · reset"},
		{client.Update{Kind: client.UpdateResumed, Welcome: welcome, Seq: 20}, live.Resumed, live.Up, live.PhaseLive, ""},
		{client.Update{Kind: client.UpdateFailed, Err: errors.New("the show has ended")}, live.Ended, live.Down, live.PhaseLive, "disconnected for good · the show has ended"},
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

// Back on another server of the show, the status line names it; back on
// the same one, it does not.
func TestReconnectedNamesAnotherServer(t *testing.T) {
	c := live.New(live.Options{Theme: "dark", Tick: (&uitest.Ticker{}).Tick}, uitest.NewSession())
	welcome := protocol.Welcome{Version: protocol.Version, Show: protocol.ShowInfo{ID: "cosy", Title: "Cosy"}}
	down := client.Update{Kind: client.UpdateWaiting, Attempt: 1, Err: errors.New("reset")}
	steps := []struct {
		u    client.Update
		want string
	}{
		{client.Update{Kind: client.UpdateSnapshot, Welcome: welcome, Seq: 1, URL: "ws://edge-1.example:7420/ws"}, ""},
		{client.Update{Kind: client.UpdateResumed, Welcome: welcome, Seq: 1, URL: "ws://edge-2.example:7421/ws"}, "Reconnected to edge-2.example:7421 · nothing was missed"},
		{client.Update{Kind: client.UpdateResumed, Welcome: welcome, Seq: 1, URL: "ws://edge-2.example:7421/ws"}, "Reconnected · nothing was missed"},
		{client.Update{Kind: client.UpdateSnapshot, Welcome: welcome, Seq: 9, Missed: true, URL: "wss://edge-3.example/ws"}, "Reconnected to edge-3.example"},
	}
	for i, st := range steps {
		c.Status.Text = ""
		if i > 0 {
			c.Apply(down)
		}
		c.Apply(st.u)
		if c.Status.Text != st.want {
			t.Errorf("step %d: status %q, want %q", i, c.Status.Text, st.want)
		}
	}
}
