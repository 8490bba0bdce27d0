package protocol

import "github.com/gorilla/websocket"

// Close codes. Standard codes come from RFC 6455; the 4000 range is ours.
const (
	CloseNormal        = websocket.CloseNormalClosure           // 1000: client quit
	CloseGoingAway     = websocket.CloseGoingAway               // 1001: server restarting; the show goes on
	CloseInvalidData   = websocket.CloseInvalidFramePayloadData // 1007: invalid UTF-8
	ClosePolicy        = websocket.ClosePolicyViolation         // 1008: too many bad commands
	CloseTooBig        = websocket.CloseMessageTooBig           // 1009: frame over the read limit
	CloseInternal      = websocket.CloseInternalServerErr       // 1011
	CloseTryAgainLater = websocket.CloseTryAgainLater           // 1013: server full

	CloseSlowConsumer       = 4000 // the client did not keep up and was evicted
	CloseUnsupportedVersion = 4001 // hello announced a version we do not speak
	CloseBadHello           = 4002 // first frame was not a valid hello
	CloseHeartbeat          = 4003 // nothing heard for PongWait
	CloseRateLimited        = 4004 // kept flooding after being told to slow down
	CloseBanned             = 4005 // the host banned this viewer from the show
	CloseTokenThrottled     = 4006 // too many wrong host tokens from this address
	CloseShowEnded          = 4007 // the show is over; unlike 1001, no server is coming back
)

// CloseInfo says what a close code means to a client: whether reconnecting
// can help and whether it must wait before it tries.
type CloseInfo struct {
	Reason    string
	Reconnect bool // trying again can succeed
	Backoff   bool // wait before reconnecting (server is shedding load)
}

// DescribeClose returns what a close code means for the client.
func DescribeClose(code int) CloseInfo {
	switch code {
	case CloseNormal:
		return CloseInfo{Reason: "connection closed", Reconnect: false}
	case CloseGoingAway:
		return CloseInfo{Reason: "the show server is restarting", Reconnect: true, Backoff: true}
	case CloseInvalidData:
		return CloseInfo{Reason: "sent text that is not valid UTF-8", Reconnect: false}
	case ClosePolicy:
		return CloseInfo{Reason: "closed by the server for breaking its rules", Reconnect: true, Backoff: true}
	case CloseTooBig:
		return CloseInfo{Reason: "sent a message that is too large", Reconnect: true}
	case CloseInternal:
		return CloseInfo{Reason: "the show server failed", Reconnect: true, Backoff: true}
	case CloseTryAgainLater:
		return CloseInfo{Reason: "the show is full; try again later", Reconnect: true, Backoff: true}
	case CloseSlowConsumer:
		return CloseInfo{Reason: "fell too far behind the show", Reconnect: true, Backoff: true}
	case CloseUnsupportedVersion:
		return CloseInfo{Reason: "the server speaks another protocol version", Reconnect: false}
	case CloseBadHello:
		return CloseInfo{Reason: "the server refused the greeting", Reconnect: false}
	case CloseRateLimited:
		return CloseInfo{Reason: "sent too much too fast", Reconnect: true, Backoff: true}
	case CloseBanned:
		return CloseInfo{Reason: "the host removed you from this show", Reconnect: false}
	case CloseShowEnded:
		return CloseInfo{Reason: "the show has ended", Reconnect: false}
	case CloseTokenThrottled:
		return CloseInfo{Reason: "too many wrong host tokens from this address; wait before trying again", Reconnect: true, Backoff: true}
	case CloseHeartbeat:
		return CloseInfo{Reason: "the link went silent", Reconnect: true}
	default:
		return CloseInfo{Reason: "connection lost", Reconnect: true}
	}
}
