package uitest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/money"
	"github.com/livecart/livecart/protocol"
)

// URL is the address of the test shows.
const URL = "ws://127.0.0.1:7420/ws"

// The audience of the test shows.
var (
	Ana = Viewer("u-ana", "ana")
	Bo  = Viewer("u-bo", "bo")
	Cy  = Viewer("u-cy", "cy_knits")
	Dee = Viewer("u-dee", "dee")
)

// Say is chat line number i of a test show: its ID is "c01" and on.
func Say(i int, who protocol.Identity, text string) protocol.Chat {
	return protocol.Chat{ID: fmt.Sprintf("c%02d", i), Author: who, Text: text}
}

// Opening is how the chat of every test show begins; host is who hosts.
func Opening(host protocol.Identity) []protocol.Chat {
	return []protocol.Chat{
		Say(1, Ana, "hi everyone!"),
		Say(2, Bo, "first time here"),
		Say(3, host, "Welcome in! Tonight: mugs, scarves and candles"),
		Say(4, Cy, "that blue is gorgeous"),
		Say(5, Dee, "is the sand one coming back?"),
		Say(6, host, "Sand is sold out, more next week"),
		Say(7, Ana, "how big is the mug?"),
	}
}

// Product builds a product priced in USD cents.
func Product(id, name string, cents int64, variants ...protocol.Variant) protocol.Product {
	return protocol.Product{ID: id, Name: name, Price: money.New(cents, "USD"), Variants: variants}
}

// Viewer is a viewer's identity.
func Viewer(id, name string) protocol.Identity {
	return protocol.Identity{ID: id, Name: name, Role: protocol.RoleViewer}
}

// Env builds a show event.
func Env(t testing.TB, typ protocol.Type, seq uint64, data any) protocol.Envelope {
	t.Helper()
	e := protocol.Envelope{Type: typ, Seq: seq}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		e.Data = raw
	}
	return e
}

// Connecting is the session dialling, attempt number attempt.
func Connecting(attempt int) client.Update {
	return client.Update{Kind: client.UpdateConnecting, Attempt: attempt}
}

// Snapshot is a connection with a full snapshot.
func Snapshot(w protocol.Welcome, seq uint64, missed bool) client.Update {
	return client.Update{Kind: client.UpdateSnapshot, Welcome: w, Seq: seq, Missed: missed}
}

// Waiting is the link down, the next attempt at at.
func Waiting(err error, attempt int, at time.Time) client.Update {
	return client.Update{Kind: client.UpdateWaiting, Attempt: attempt, RetryAt: at, Err: err}
}

// Failed is the session giving up.
func Failed(err error) client.Update {
	return client.Update{Kind: client.UpdateFailed, Err: err}
}

// EventsUpdate is show events in one update.
func EventsUpdate(envs ...protocol.Envelope) client.Update {
	return client.Update{Kind: client.UpdateEvents, Events: envs}
}
