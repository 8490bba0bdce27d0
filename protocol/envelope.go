package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Version is the protocol version this build speaks. A peer that announces
// another version is refused with CloseUnsupportedVersion.
const Version = 1

// Type names an event (server to client) or a command (client to server).
type Type string

// Server to client events.
const (
	TypeWelcome Type = "welcome" // unicast, first frame after hello
	TypeChat    Type = "chat"
	TypePin     Type = "pin"
	TypeUnpin   Type = "unpin"
	TypeProduct Type = "product" // price or stock changed
	TypeViewers Type = "viewers"
	TypeError   Type = "error" // unicast
	TypePong    Type = "pong"  // unicast, answer to ping
)

// Client to server commands. TypePin and TypeUnpin are also host commands.
const (
	TypeHello Type = "hello"
	TypeSay   Type = "say"
	TypeCart  Type = "cart"
	TypeBuy   Type = "buy"
	TypePing  Type = "ping"
)

// Envelope wraps every event and command. Seq is set on show events only:
// it increases by one per event the show broadcasts, so a client can tell a
// gap from a duplicate. TS is when the server made the event.
type Envelope struct {
	Type Type            `json:"type"`
	Seq  uint64          `json:"seq,omitempty"`
	TS   time.Time       `json:"ts,omitzero"`
	Data json.RawMessage `json:"data,omitempty"`
}

// ErrEmptyFrame is returned for a frame that holds no event.
var ErrEmptyFrame = errors.New("empty frame")

// Encode returns the JSON encoding of one envelope carrying data. The time is
// written in UTC, as the protocol requires.
func Encode(typ Type, seq uint64, ts time.Time, data any) ([]byte, error) {
	env := Envelope{Type: typ, Seq: seq}
	if !ts.IsZero() {
		env.TS = ts.UTC()
	}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", typ, err)
		}
		env.Data = raw
	}
	b, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", typ, err)
	}
	return b, nil
}

// DecodeFrame splits a text frame into its envelopes. A server frame may hold
// several events separated by newlines; blank lines are skipped. Envelopes
// without a type are an error: nothing can be done with them.
func DecodeFrame(frame []byte) ([]Envelope, error) {
	var out []Envelope
	for len(frame) > 0 {
		line := frame
		if i := bytes.IndexByte(frame, '\n'); i >= 0 {
			line, frame = frame[:i], frame[i+1:]
		} else {
			frame = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var env Envelope
		if err := json.Unmarshal(line, &env); err != nil {
			return out, fmt.Errorf("decode envelope: %w", err)
		}
		if env.Type == "" {
			return out, errors.New("decode envelope: missing type")
		}
		out = append(out, env)
	}
	if len(out) == 0 {
		return nil, ErrEmptyFrame
	}
	return out, nil
}

// Validator is implemented by payloads that can check their own values.
type Validator interface{ Validate() error }

// Decode unmarshals the envelope's data into a T and validates it. Unknown
// fields are ignored so newer peers can add them without breaking older ones.
func Decode[T any](env Envelope) (T, error) {
	var v T
	if len(env.Data) == 0 {
		return v, fmt.Errorf("%s: missing data", env.Type)
	}
	if err := json.Unmarshal(env.Data, &v); err != nil {
		return v, fmt.Errorf("%s: %w", env.Type, err)
	}
	if val, ok := any(&v).(Validator); ok {
		if err := val.Validate(); err != nil {
			return v, fmt.Errorf("%s: %w", env.Type, err)
		}
	}
	return v, nil
}
