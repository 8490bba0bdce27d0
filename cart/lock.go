package cart

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// staleTempAge is how old a temporary file of another show's cart must be
// before Open removes it: that show may be open in a livecart that is
// saving right now. A save takes milliseconds.
const staleTempAge = time.Minute

// ErrLocked means another livecart has the cart for this show open. Its
// changes are the ones that will be kept, so this process should work on a
// cart that it does not save.
var ErrLocked = errors.New("the cart for this show is open in another livecart")

// LockedError is the error Open returns when the cart is open elsewhere. It
// wraps ErrLocked.
type LockedError struct {
	Path string // the cart file
	PID  int    // the process holding it; 0 when it did not say
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("%s (pid %d)", ErrLocked, e.PID)
	}
	return ErrLocked.Error()
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Handle is a cart file opened for a session: while it is open, no other
// Handle, in this process or another, can open the same show's cart. Its
// methods may be called from several goroutines.
type Handle struct {
	store Store
	show  string

	mu     sync.Mutex // serialises Load, Save and Close
	lock   *flock.Flock
	pid    *os.File // the lock file opened for writing; nil if that failed
	closed bool
}

// Open takes the lock on the cart for show and returns a Handle to load and
// save it through. It does not wait: if another Handle has the cart open it
// returns an error wrapping a *LockedError (and so ErrLocked) naming the
// holder's process. The lock lives in "<Path(show)>.lock" and dies with the
// process that holds it, so a crash never leaves the cart locked.
//
// Open also removes the temporary files that saves left behind when their
// process died: all of this cart's, since no other process can be saving it,
// and other carts' once they are staleTempAge old.
func (s Store) Open(show string) (*Handle, error) {
	path := s.Path(show)
	if err := makeDir(s.dir()); err != nil {
		return nil, fmt.Errorf("open cart %s: %w", path, err)
	}
	lockPath := path + ".lock"
	lock := flock.New(lockPath, flock.SetPermissions(0o600))
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("open cart %s: lock: %w", path, err)
	}
	if !ok {
		return nil, fmt.Errorf("open cart %s: %w", path, &LockedError{Path: path, PID: readPID(lockPath)})
	}
	h := &Handle{store: s, show: show, lock: lock, pid: writePID(lockPath)}
	removeStaleTemps(s.dir(), filepath.Base(path), time.Now().Add(-staleTempAge))
	return h, nil
}

// Load reads the cart, as Store.Load does.
func (h *Handle) Load() (Cart, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return Cart{}, fmt.Errorf("load cart: %w", fs.ErrClosed)
	}
	return h.store.load(h.show)
}

// Save writes c as the cart, as Store.Save does.
func (h *Handle) Save(c Cart) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return fmt.Errorf("save cart: %w", fs.ErrClosed)
	}
	return h.store.save(h.show, c)
}

// Close releases the lock. Closing a closed Handle does nothing.
func (h *Handle) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	var errs []error
	if h.pid != nil {
		// Cleared so no later reader blames a process that has let go.
		errs = append(errs, h.pid.Truncate(0))
	}
	errs = append(errs, h.lock.Unlock())
	if h.pid != nil {
		// Closed only after the unlock: where flock is emulated with POSIX
		// locks (NFS), closing any descriptor of the file drops the lock.
		errs = append(errs, h.pid.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close cart %s: %w", h.store.Path(h.show), err)
	}
	return nil
}

// writePID records this process in the lock file it has just locked, so a
// livecart refused the lock can say who holds it. The lock works without it,
// so a failure only costs that message; the file is kept open for the same
// NFS reason as in Close.
func writePID(lockPath string) *os.File {
	f, err := os.OpenFile(lockPath, os.O_WRONLY, 0)
	if err != nil {
		return nil
	}
	// Truncate first, then write once: a reader racing with this sees an
	// empty file or a whole line, never one pid's digits over another's.
	if f.Truncate(0) != nil {
		f.Close()
		return nil
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil
	}
	return f
}

// readPID returns the pid written in a lock file, or 0 when there is no
// complete one.
func readPID(lockPath string) int {
	data, err := os.ReadFile(lockPath)
	if err != nil {
		return 0
	}
	line, ok := bytes.CutSuffix(data, []byte("\n"))
	if !ok {
		return 0
	}
	pid, err := strconv.Atoi(string(line))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// removeStaleTemps deletes, from dir, the temporary files that saves left
// behind when their process died. renameio names a temporary file "." + the
// name of the file it will replace + decimal digits, and writeAtomic keeps it
// beside that file.
//
// own is the name of the cart file whose lock the caller holds. A livecart
// saves only through a Handle, under that lock, so no other process can be
// writing one of its temporary files: they are all stale, whatever their
// age. Other carts' temporary files may be a save under way in another
// livecart, so they go only when last written before cutoff; no save takes
// that long, and one whose file is removed under it fails out loud, leaving
// the cart as it was.
//
// This is housekeeping: a file that cannot be removed is left for the next
// Open.
func removeStaleTemps(dir, own string, cutoff time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		target, ok := tempTarget(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if target != own {
			info, err := e.Info()
			if err != nil || !info.ModTime().Before(cutoff) {
				continue
			}
		}
		_ = os.Remove(filepath.Join(dir, e.Name()))
	}
}

// tempTarget returns the cart file name that name is a temporary file for,
// and whether name is one: "." + a name Path gives + one or more digits.
// Nothing else in the directory, this program's or not, matches.
func tempTarget(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return "", false
	}
	i := strings.LastIndex(rest, ".json")
	if i < 0 {
		return "", false
	}
	target := rest[:i+len(".json")]
	if !isCartName(target) || !isTempName(name, "."+target) {
		return "", false
	}
	return target, true
}

// isCartName reports whether name has the shape Path gives a cart file: a
// slug, '-', hashLen lower-case hex digits, ".json".
func isCartName(name string) bool {
	stem, ok := strings.CutSuffix(name, ".json")
	if !ok || len(stem) < hashLen+2 || stem[len(stem)-hashLen-1] != '-' {
		return false
	}
	slug, hash := stem[:len(stem)-hashLen-1], stem[len(stem)-hashLen:]
	if len(slug) > maxSlug {
		return false
	}
	for i := 0; i < len(hash); i++ {
		if c := hash[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	for i := 0; i < len(slug); i++ {
		if c := slug[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// isTempName reports whether name is prefix followed by one or more digits.
func isTempName(name, prefix string) bool {
	digits, ok := strings.CutPrefix(name, prefix)
	if !ok || digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}
