package cart

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/adrg/xdg"
	"github.com/google/renameio/v2"
)

// fileVersion is the version of the cart file format this package writes and
// the newest it can read.
const fileVersion = 1

// maxFileBytes is the largest cart file Load reads, in bytes. A full cart
// (MaxLines lines of the longest IDs and names) takes a few tens of KiB; a
// bigger file is not one this package wrote, and is treated as damaged
// rather than read whole into memory.
const maxFileBytes = 1 << 20

// hashLen is the number of hex digits of the show's hash in a cart file
// name.
const hashLen = 12

// maxSlug is the longest readable part of a cart file name, in bytes; the
// hash that follows it keeps names unique, the slug only helps a person
// browsing the directory.
const maxSlug = 40

// Store keeps one cart file per show in Dir, so a viewer who quits or loses
// the connection finds their cart again when they rejoin.
type Store struct {
	// Dir is the directory holding the cart files. Empty means DefaultDir().
	Dir string
}

// DefaultDir returns the directory carts are kept in by default: the user's
// XDG state directory, since a cart is neither configuration nor a cache that
// may be thrown away.
func DefaultDir() string {
	return filepath.Join(xdg.StateHome, "livecart", "carts")
}

// DamagedError reports a cart file that could not be read back. The file has
// been moved aside rather than overwritten or deleted, so nothing the viewer
// picked is lost for good; the caller should tell them where it went.
type DamagedError struct {
	Path    string // the cart file as it was named
	MovedTo string // where the file is now; empty if moving it failed
	Reason  string // what was wrong with the contents
}

func (e *DamagedError) Error() string {
	if e.MovedTo == "" {
		return fmt.Sprintf("cart file %s is damaged (%s)", e.Path, e.Reason)
	}
	return fmt.Sprintf("cart file %s is damaged (%s); moved it to %s and started an empty cart",
		e.Path, e.Reason, e.MovedTo)
}

// file is the on-disk shape of a saved cart.
type file struct {
	Version int       `json:"version"`
	Show    string    `json:"show"`
	SavedAt time.Time `json:"saved_at"`
	Lines   []Line    `json:"lines"`
}

// Path returns the file the cart for show is kept in. show is any string that
// names a show (its URL or ID); the name is a lower-case slug of it for
// people, then a hash of the whole string so that any input, hostile or not,
// yields a distinct, safe file name inside Dir.
func (s Store) Path(show string) string {
	sum := sha256.Sum256([]byte(show))
	return filepath.Join(s.dir(), slug(show)+"-"+hex.EncodeToString(sum[:])[:hashLen]+".json")
}

// Load reads the cart saved for show. A missing file is an empty cart. A file
// that cannot be understood is moved aside and reported as a *DamagedError
// alongside an empty cart, which the caller can use as is.
//
// Load does not take the cart's lock; a session that keeps the cart open
// should use Open and load through its Handle.
func (s Store) Load(show string) (Cart, error) {
	return s.load(show)
}

// Save writes c as the cart for show. The file is replaced atomically and the
// rename made durable, so a crash leaves either the old cart or the new one.
// An empty cart is saved, not deleted, so "emptied" and "never saved" stay
// apart on disk.
//
// Save does not take the cart's lock: another livecart holding it may
// overwrite what Save wrote, and one that opens the cart while Save runs
// removes its temporary file, which makes Save fail. A session should use
// Open and save through its Handle.
func (s Store) Save(show string, c Cart) error {
	return s.save(show, c)
}

func (s Store) load(show string) (Cart, error) {
	path := s.Path(show)
	data, err := readFile(path, maxFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return Cart{}, nil
	}
	if err != nil {
		return Cart{}, fmt.Errorf("load cart: %w", err)
	}
	var c Cart
	reason := fmt.Sprintf("larger than %d bytes", maxFileBytes)
	if len(data) <= maxFileBytes {
		c, reason = decode(data, show)
	}
	if reason == "" {
		return c, nil
	}
	dmg := &DamagedError{Path: path, Reason: reason}
	moved, err := moveAside(path)
	if err != nil {
		return Cart{}, errors.Join(dmg, fmt.Errorf("move damaged cart aside: %w", err))
	}
	dmg.MovedTo = moved
	return Cart{}, dmg
}

func (s Store) save(show string, c Cart) error {
	lines := c.Lines()
	if lines == nil {
		lines = []Line{} // "lines": [] rather than null
	}
	data, err := json.MarshalIndent(file{
		Version: fileVersion,
		Show:    show,
		SavedAt: time.Now().UTC().Truncate(time.Second),
		Lines:   lines,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("save cart: encode: %w", err)
	}
	dir := s.dir()
	if err := makeDir(dir); err != nil {
		return fmt.Errorf("save cart: %w", err)
	}
	path := s.Path(show)
	// A newer livecart's cart is only ever moved aside by Load, with the
	// viewer told where it went; replacing it here would lose it silently.
	if v := peekVersion(path); v > fileVersion {
		return fmt.Errorf("save cart %s: the file there is format version %d, newer than this livecart understands (%d); not replacing it",
			path, v, fileVersion)
	}
	if err := writeAtomic(dir, path, append(data, '\n')); err != nil {
		return fmt.Errorf("save cart %s: %w", path, err)
	}
	return nil
}

// writeAtomic replaces path with data: a temporary file in dir, synced, then
// renamed over path, then dir synced so the rename itself survives a power
// cut.
func writeAtomic(dir, path string, data []byte) error {
	t, err := pendingFile(dir, path)
	if err != nil {
		return err
	}
	defer t.Cleanup()
	if _, err := t.Write(data); err != nil {
		return err
	}
	if err := t.CloseAtomicallyReplace(); err != nil {
		return err
	}
	return syncDir(dir)
}

// pendingFile creates the temporary file that will replace path, in dir, the
// directory of path: named as renameio names it, "." + the base name of path
// + digits, which is what Open's clean-up looks for.
func pendingFile(dir, path string) (*renameio.PendingFile, error) {
	return renameio.NewPendingFile(path,
		// renameio would otherwise put the temporary file in $TMPDIR when
		// that is on the same file system: a crash would then strand it
		// where Open never looks, and the rename would cross directories.
		renameio.WithTempDir(dir),
		// Always 0600, whatever the umask or the mode of the file being
		// replaced: what someone shops for is nobody else's business.
		renameio.WithStaticPermissions(0o600),
	)
}

// makeDir creates the cart directory if it is missing.
func makeDir(dir string) error {
	// 0o700: what someone shops for is nobody else's business on a shared box.
	return os.MkdirAll(dir, 0o700)
}

// readFile reads path up to one byte past limit, so a caller can tell a file
// over the limit without reading all of it.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// peekVersion returns the format version of the cart file at path, or 0 when
// there is no readable cart file there.
func peekVersion(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	var head struct {
		Version int `json:"version"`
	}
	if json.Unmarshal(data, &head) != nil {
		return 0
	}
	return head.Version
}

func (s Store) dir() string {
	if s.Dir == "" {
		return DefaultDir()
	}
	return s.Dir
}

// decode parses a cart file for show. It returns a non-empty reason when the
// contents are unusable: not a cart file of a version this package reads, or
// lines that Add would refuse (see checkLine), as if they had come from the
// network.
func decode(data []byte, show string) (Cart, string) {
	if len(data) == 0 {
		return Cart{}, "empty file"
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return Cart{}, "not a cart file: " + err.Error()
	}
	switch {
	case f.Version > fileVersion:
		return Cart{}, fmt.Sprintf("format version %d is newer than this livecart understands (%d)", f.Version, fileVersion)
	case f.Version < 1:
		return Cart{}, "no format version"
	case f.Show != show:
		// Only a hand-copied file can get here, the name is a hash of show.
		return Cart{}, fmt.Sprintf("file is for show %q", f.Show)
	}
	c, err := fromLines(f.Lines)
	if err != nil {
		return Cart{}, err.Error()
	}
	return c, ""
}

// moveAside renames a damaged file to path.damaged-<unix seconds>, adding a
// counter if that name is taken so an earlier damaged file is never replaced.
func moveAside(path string) (string, error) {
	base := path + ".damaged-" + strconv.FormatInt(time.Now().Unix(), 10)
	dst := base
	for n := 1; ; n++ {
		_, err := os.Lstat(dst)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		dst = base + "-" + strconv.Itoa(n)
	}
	if err := os.Rename(path, dst); err != nil {
		return "", err
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return "", err
	}
	return dst, nil
}

// syncDir flushes a directory's entries, which is what makes a rename inside
// it survive a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// slug reduces s to lower-case ASCII letters, digits and single hyphens, at
// most maxSlug bytes, so the file name hints at which show it belongs to.
func slug(s string) string {
	var b strings.Builder
	hyphen := true // suppresses a leading hyphen
	for _, r := range strings.ToLower(s) {
		if b.Len() >= maxSlug {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			hyphen = false
		case !hyphen:
			b.WriteByte('-')
			hyphen = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "show"
	}
	return out
}
