package protocol

import "time"

// Limits every peer enforces. Sizes are in bytes unless they say runes.
const (
	// MaxClientFrame is the largest frame a client may send; the server's
	// read limit. Commands are small; anything bigger is abuse.
	MaxClientFrame = 4 << 10
	// MaxServerFrame is the largest frame a server may send; the client's
	// read limit. A welcome with a full catalog and chat fits easily.
	MaxServerFrame = 1 << 20

	MaxNameRunes        = 24  // display names
	MaxChatRunes        = 280 // one chat line
	MaxProductNameRunes = 80
	MaxDescriptionRunes = 280
	MaxTitleRunes       = 80
	MaxIDBytes          = 64
	// MaxDiscountCodeBytes is the longest store discount code a deal may
	// carry (see ValidDiscountCode).
	MaxDiscountCodeBytes = 32
	MaxProducts          = 100 // catalog size
	MaxVariants          = 8   // per product
	MaxStock             = 1_000_000
	MaxQty               = 99 // per line of a cart, buy or signal
	MaxBuyItems          = 20 // items in one buy, checkout link or order
	// MaxOrderLines is the most lines an order has: an item bought at two
	// prices (a deal's and, over its per-buyer limit, the regular one)
	// takes two.
	MaxOrderLines       = 2 * MaxBuyItems
	MaxRecentChat       = 50  // chat lines in a welcome snapshot
	MaxErrorRunes       = 200 // error messages
	MaxCheckoutURLBytes = 2048
	// MaxTokenRunes is the longest host token a hello may carry.
	MaxTokenRunes = 128
	// HistorySize is how many recent show events a server keeps to replay
	// to a client that resumes after a drop. Further back, it gets a fresh
	// snapshot instead.
	HistorySize = 1024
)

// Timing of heartbeats and handshakes.
const (
	// PingPeriod is how often each side proves it is alive. A peer that has
	// sent nothing for two periods is treated as gone.
	PingPeriod = 15 * time.Second
	// PongWait is how long a side waits for any frame before it gives up on
	// the link: two ping periods.
	PongWait = 2 * PingPeriod
	// WriteWait bounds a single write to the socket.
	WriteWait = 10 * time.Second
	// HelloWait is how long the server waits for hello after the upgrade.
	HelloWait = 10 * time.Second
)
