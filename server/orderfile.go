package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/livecart/livecart/protocol"
)

// orderLog appends placed orders to Config.OrdersFile, one JSON object a
// line, and finds an order again by the key its checkout page gave it.
type orderLog struct {
	path string     // empty: orders are kept in memory only
	mu   sync.Mutex // one append at a time, so lines never interleave
	keys orderKeys
}

// orderRecord is one line of the orders file. Show lets one file serve
// several shows: each server counts its own show's lines only. Key is the
// checkout page's order key, so the same form posted after a restart
// still finds its order.
//
// Type tells the lines apart: absent for an order of products, "giveaway"
// for the prize a giveaway's winner gets (an order at no cost, Giveaway
// naming the giveaway), "gift" for a paid gift, whose line is a
// giftRecord instead.
type orderRecord struct {
	Show     string    `json:"show"`
	At       time.Time `json:"at"`
	Buyer    string    `json:"buyer"`              // display name, or "someone"
	Key      string    `json:"key,omitempty"`      // the checkout page's order key; none for a buy
	Type     string    `json:"type,omitempty"`     // "", recordGiveaway or recordGift
	Giveaway string    `json:"giveaway,omitempty"` // the giveaway a prize is for
	protocol.Order
}

// The types of the orders file's lines besides orders of products.
const (
	recordGiveaway = "giveaway"
	recordGift     = "gift"
)

// loadOrders counts the orders already in path into the metrics and makes
// sure later ones can be appended, so a path that cannot be written fails
// New rather than the first buyer. A last line without its newline is what
// a crash in the middle of an append leaves; it is cut off, since appending
// after it would spoil the next line too. Any other line that cannot be
// read stops New: the file is the record of what was sold, and skipping
// part of it would make the revenue wrong without anyone noticing.
func (s *Server) loadOrders(path string) error {
	s.orders.path = path
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSynced(path)
	}
	if err != nil {
		return fmt.Errorf("read orders file: %w", err)
	}
	if end := bytes.LastIndexByte(data, '\n') + 1; end < len(data) {
		if err := os.Truncate(path, int64(end)); err != nil {
			return fmt.Errorf("orders file %s: cut off a torn last line: %w", path, err)
		}
		s.log.Warn("orders file: cut off a torn last line", "path", path, "bytes", len(data)-end)
		data = data[:end]
	}
	for n, line := range bytes.Split(data, []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec orderRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("orders file %s line %d: %w", path, n+1, err)
		}
		if rec.Show != s.show.ID {
			continue
		}
		switch rec.Type {
		case "", recordGiveaway:
		case recordGift:
			if err := s.loadGift(line); err != nil {
				return fmt.Errorf("orders file %s line %d: %w", path, n+1, err)
			}
			continue
		default:
			return fmt.Errorf("orders file %s line %d: unknown type %q", path, n+1, rec.Type)
		}
		if err := rec.Order.Validate(); err != nil {
			return fmt.Errorf("orders file %s line %d: %w", path, n+1, err)
		}
		if rec.Total.Currency != s.currency {
			return fmt.Errorf("orders file %s line %d: order in %s, but the show sells in %s",
				path, n+1, rec.Total.Currency, s.currency)
		}
		if rec.Key != "" {
			if !protocol.ValidID(rec.Key) {
				return fmt.Errorf("orders file %s line %d: order key %q is not a valid key", path, n+1, rec.Key)
			}
			s.orders.keys.placed(rec.Key, rec.Order)
		}
		s.tally.order(rec.Order, s.productAt)
	}
	return nil
}

// createSynced creates an empty file and syncs its directory, so the file
// is there after a crash.
func createSynced(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create orders file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create orders file: %w", err)
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("create orders file: %w", err)
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return fmt.Errorf("create orders file: sync folder: %w", err)
	}
	return nil
}

// append writes rec as one line and syncs it to disk.
func (l *orderLog) append(rec orderRecord) error { return l.appendLine(rec.ID, rec) }

// appendLine writes rec, the record with id, as one line and syncs it to
// disk. A write that fails half way is cut back off, so the file never
// holds a torn line between two good ones.
func (l *orderLog) appendLine(id string, rec any) error {
	if l.path == "" {
		return nil
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("record order %s: %w", id, err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("record order %s: %w", id, err)
	}
	info, err := f.Stat()
	if err == nil {
		if _, err = f.Write(line); err == nil {
			err = f.Sync()
		}
		if err != nil {
			_ = f.Truncate(info.Size())
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("record order %s: %w", id, err)
	}
	return nil
}
