package viewer

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/livecart/livecart/cart"
)

// errCartOnDisk refuses to replace a cart this session never loaded.
var errCartOnDisk = errors.New("a cart saved earlier is on disk now; restart livecart to load it")

// saver owns the show's cart file for the session and writes carts to it in
// the order they were made: commands run concurrently, so without it an
// older cart could land after a newer one. Its methods block on the disk,
// so they run in commands (and in Model.Close), never in Update.
type saver struct {
	mu     sync.Mutex
	last   uint64    // generation of the newest cart written or tried
	failed bool      // writing that one failed
	file   CartFile  // nil until opened
	store  CartStore // set when opening the file failed: a save tries again
	key    string
	closed bool
}

// load opens and reads the show's cart file. When the file cannot be
// opened, for any reason but another livecart holding it, each save tries
// again, so a folder that comes back (or gets room) is saved to without a
// restart.
func (s *saver) load(store CartStore, key string) cartLoadedMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := cartLoadedMsg{key: key}
	if store == nil || s.closed {
		return msg
	}
	f, err := store.Open(key)
	if err != nil {
		msg.err = err
		if !errors.Is(err, cart.ErrLocked) {
			// Another livecart's changes are the ones kept; any other
			// failure may pass.
			s.store, s.key, msg.saving = store, key, true
		}
		return msg
	}
	s.file, msg.opened, msg.saving = f, true, true
	msg.cart, msg.err = f.Load()
	return msg
}

// save writes c, the cart of generation gen, unless a newer one was
// written or tried already (skipped).
func (s *saver) save(gen uint64, c cart.Cart) (skipped bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen <= s.last {
		return true, nil
	}
	s.last = gen
	if s.closed {
		return false, fmt.Errorf("save cart: %w", fs.ErrClosed)
	}
	err = s.write(c)
	s.failed = err != nil
	return false, err
}

// write saves c to the file, opening it first if it is not open yet.
func (s *saver) write(c cart.Cart) error {
	if s.file == nil {
		if err := s.reopen(); err != nil {
			return err
		}
	}
	return s.file.Save(c)
}

// reopen opens the cart file that could not be opened when the cart was
// loaded. What it holds now was never loaded into this session, so a cart
// found there is not overwritten.
func (s *saver) reopen() error {
	if s.store == nil {
		return errors.New("save cart: no cart file") // load refused to retry
	}
	f, err := s.store.Open(s.key)
	if err != nil {
		return err
	}
	saved, err := f.Load()
	if err == nil && saved.IsEmpty() {
		s.file = f
		return nil
	}
	f.Close()
	if err != nil {
		return err
	}
	return errCartOnDisk
}

// close writes c, the cart of generation gen (0: do not write), if no save
// of it or of a newer one ran yet (the program may end before its last save
// command does) or if the last save failed, then releases the file; later
// saves fail.
func (s *saver) close(gen uint64, c cart.Cart) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	var err error
	if gen > 0 && (gen > s.last || s.failed) && (s.file != nil || s.store != nil) {
		s.last = gen
		err = s.write(c)
	}
	s.closed = true
	if s.file != nil {
		err = errors.Join(err, s.file.Close())
		s.file = nil
	}
	return err
}
