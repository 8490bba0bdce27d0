package server

import (
	"fmt"

	"github.com/livecart/livecart/protocol"
	"github.com/livecart/livecart/sanitize"
)

// handle applies c's commands in order, dropping those over the client's
// rates. It returns an ending once the client has sent too many bad ones or
// too many too fast.
func (s *Server) handle(c *conn, envs []protocol.Envelope) *ending {
	for _, env := range envs {
		drop, e := s.throttle(c, env.Type)
		if e != nil {
			return e
		}
		if drop {
			continue
		}
		if e := s.refuse(c, s.command(c, env)); e != nil {
			return e
		}
	}
	return nil
}

// refuse sends e back to the client and counts it if it was the client's
// fault, returning an ending when that was one bad command too many. A chat
// line refused for a blocked word is the host's rule, not a broken client,
// and does not count. A nil e does nothing.
func (s *Server) refuse(c *conn, e *protocol.Error) *ending {
	if e == nil {
		return nil
	}
	if (e.Code == protocol.ErrCodeBadRequest || e.Code == protocol.ErrCodeUnknownType) && e != errMessageBlocked {
		c.bad++
		if c.bad >= maxBadCommands {
			return &ending{code: protocol.ClosePolicy, reason: "too many bad commands", linger: true, tell: true}
		}
	}
	s.hub.send(c, protocol.TypeError, e)
	return nil
}

// command applies one command of c's and returns the error for the
// client, if any.
func (s *Server) command(c *conn, env protocol.Envelope) *protocol.Error {
	if cmd, ok := hostCommands[env.Type]; ok {
		if c.id.Role != protocol.RoleHost {
			return newError(protocol.ErrCodeForbidden, fmt.Sprintf("only the host can send %s", env.Type))
		}
		return cmd(s, c, env)
	}
	switch env.Type {
	case protocol.TypeSay:
		say, err := protocol.Decode[protocol.Say](env)
		if err != nil {
			return newError(protocol.ErrCodeBadRequest, err.Error())
		}
		text := sanitize.Truncate(sanitize.Line(say.Text), protocol.MaxChatRunes)
		if text == "" {
			return newError(protocol.ErrCodeBadRequest, "say: nothing left to send once control characters are removed")
		}
		return s.do(c, func() *protocol.Error { return s.sayLocked(c.id, text, c) })
	case protocol.TypePing:
		s.hub.pong(c)
		return nil
	case protocol.TypeCart:
		sig, err := protocol.Decode[protocol.CartSignal](env)
		if err != nil {
			return newError(protocol.ErrCodeBadRequest, err.Error())
		}
		return s.do(c, func() *protocol.Error { return s.cartLocked(c.id, sig) })
	case protocol.TypeBuy:
		buy, err := protocol.Decode[protocol.Buy](env)
		if err != nil {
			return newError(protocol.ErrCodeBadRequest, err.Error())
		}
		return s.buy(c, buy.Items)
	case protocol.TypeGift:
		gift, err := protocol.Decode[protocol.SendGift](env)
		if err != nil {
			return newError(protocol.ErrCodeBadRequest, err.Error())
		}
		return s.do(c, func() *protocol.Error { return s.sendGiftLocked(c, gift) })
	case protocol.TypeEnter:
		enter, err := protocol.Decode[protocol.Enter](env)
		if err != nil {
			return newError(protocol.ErrCodeBadRequest, err.Error())
		}
		return s.do(c, func() *protocol.Error { return s.enterLocked(c, enter) })
	case protocol.TypeBid:
		bid, err := protocol.Decode[protocol.Bid](env)
		if err != nil {
			return newError(protocol.ErrCodeBadRequest, err.Error())
		}
		return s.do(c, func() *protocol.Error { return s.bidLocked(c, bid) })
	case protocol.TypeHello:
		return newError(protocol.ErrCodeBadRequest, "hello: already greeted")
	default:
		return newError(protocol.ErrCodeUnknownType,
			fmt.Sprintf("unknown command %q", sanitize.Truncate(sanitize.Line(string(env.Type)), 32)))
	}
}

// newError returns an error event fit to send: one line, within
// protocol.MaxErrorRunes.
func newError(code, msg string) *protocol.Error {
	return &protocol.Error{Code: code, Message: sanitize.Truncate(sanitize.Line(msg), protocol.MaxErrorRunes)}
}
