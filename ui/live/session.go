package live

import (
	"context"

	"github.com/livecart/livecart/client"
	"github.com/livecart/livecart/protocol"
)

// Session is a self-healing connection to a show; *client.Session is the
// real one. It reconnects on its own and reports what it is doing as
// updates. Tests give a screen a fake one.
type Session interface {
	Updates() <-chan client.Update
	Send(typ protocol.Type, data any) error
	Retry()
	Close()
}

// StartFunc starts a session that lives until ctx ends or it is closed.
type StartFunc func(ctx context.Context, opts client.SessionOptions) Session

// StartClient is the real StartFunc.
func StartClient(ctx context.Context, opts client.SessionOptions) Session {
	return client.StartSession(ctx, opts)
}
