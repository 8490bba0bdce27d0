package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/livecart/livecart/protocol"
)

// DefaultRefresh is how often a show re-reads its store.
const DefaultRefresh = 5 * time.Minute

// maxBackoff is the longest a follower waits after failed reads.
const maxBackoff = 30 * time.Minute

// Follower re-reads a store while a show runs and hands each good read to
// Apply. A read that fails keeps the show on its last good catalog: the
// failure is logged as a warning, and the next read waits longer (twice
// as long after each failure in a row, up to 30 minutes), or as long as a
// 429's Retry-After asks when that is longer.
type Follower struct {
	Source  Source
	Options Options
	Every   time.Duration // between good reads; must be positive
	// Apply merges a fresh catalog's products into the show, and returns
	// lines worth telling the host (server.Server.ApplyCatalog).
	Apply func([]protocol.Product) []string
	Log   *slog.Logger
	// Warn, when set, is told why a read failed, and "" once one works
	// again (server.Server.SetStoreWarning, for the hosts' metrics).
	Warn func(string)
	// After is the clock; nil means time.After.
	After func(time.Duration) <-chan time.Time
}

// Run reads the store every Every until ctx is done. It returns nil then.
func (f Follower) Run(ctx context.Context) error {
	after := f.After
	if after == nil {
		after = time.After
	}
	log := f.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	wait, failures := f.Every, 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-after(wait):
		}
		r, err := Fetch(ctx, f.Source, f.Options)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures++
			wait = backoff(f.Every, failures, err)
			log.Warn("store refresh failed; the show keeps its last good catalog",
				"store", f.Source.String(), "err", err, "next", wait.String())
			if f.Warn != nil {
				f.Warn(fmt.Sprintf("store not read (%v); kept the last good catalog, next try in %s", err, wait))
			}
			continue
		}
		if failures > 0 {
			log.Info("store refresh works again", "store", f.Source.String())
			if f.Warn != nil {
				f.Warn("")
			}
		}
		wait, failures = f.Every, 0
		for _, note := range f.Apply(r.Catalog.Products) {
			log.Warn("store refresh: "+note, "store", f.Source.String())
		}
	}
}

// backoff is the wait after the given count of failed reads in a row.
func backoff(every time.Duration, failures int, err error) time.Duration {
	d := every
	for range min(failures, 16) {
		d *= 2
		if d >= maxBackoff {
			d = maxBackoff
			break
		}
	}
	var rl *RateLimitedError
	if errors.As(err, &rl) && rl.After > d {
		d = rl.After
	}
	return d
}
