package cart

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livecart/livecart/money"
)

// helperEnv names the role a re-executed test binary plays; see
// TestHelperProcess.
const helperEnv = "LIVECART_CART_HELPER"

// TestHelperProcess is not a test: it is the body of the child processes the
// lock and crash tests start by re-executing the test binary, since a lock
// held by this process says nothing about two livecarts.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		return
	}
	os.Exit(runHelper(role, Store{Dir: os.Getenv("LIVECART_CART_DIR")}))
}

func runHelper(role string, s Store) int {
	h, err := s.Open(show)
	if err != nil {
		fmt.Println("error:", err)
		return 2
	}
	switch role {
	case "holder":
		// Holds the cart until the test closes stdin (or kills it).
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		if err := h.Close(); err != nil {
			fmt.Println("error:", err)
			return 2
		}
		return 0
	case "writer":
		// Saves versions from $LIVECART_CART_START on, one after another,
		// until killed; each number is printed only once Save has returned.
		start, err := strconv.Atoi(os.Getenv("LIVECART_CART_START"))
		if err != nil {
			fmt.Println("error:", err)
			return 2
		}
		fmt.Println("ready")
		for k := start; ; k++ {
			if err := h.Save(versionCart(k)); err != nil {
				fmt.Println("error:", err)
				return 2
			}
			fmt.Println(k)
		}
	}
	fmt.Println("error: unknown role", role)
	return 2
}

// child is a helper process with its stdout read line by line.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

// startHelper starts the test binary as a helper in role on the carts in dir.
// The child is killed at the end of the test if it is still running.
func startHelper(t *testing.T, role, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(),
		helperEnv+"="+role,
		"LIVECART_CART_DIR="+dir,
		// Under -race a child would otherwise linger a second at exit.
		"GORACE=atexit_sleep_ms=0",
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return &child{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
}

// expect reads the child's next line and fails unless it is want.
func (c *child) expect(t *testing.T, want string) {
	t.Helper()
	if !c.out.Scan() {
		t.Fatalf("helper said nothing (%v), want %q", c.out.Err(), want)
	}
	if got := c.out.Text(); got != want {
		t.Fatalf("helper said %q, want %q", got, want)
	}
}

// rest reads the child's output to the end, then waits for it to exit.
func (c *child) rest() ([]string, error) {
	var lines []string
	for c.out.Scan() {
		lines = append(lines, c.out.Text())
	}
	return lines, c.cmd.Wait()
}

func TestHandleRoundTrip(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "carts")}
	h, err := s.Open(show)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if c, err := h.Load(); err != nil || !c.IsEmpty() {
		t.Fatalf("Load of a new cart = %v, %v", c.Lines(), err)
	}
	want := mustAdd(t, Cart{}, line("v1", 1250, 2), line("v2", 300, 1))
	if err := h.Save(want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if got, err := h.Load(); err != nil || !equalLines(got.Lines(), want.Lines()) {
		t.Fatalf("Load = %v, %v; want %v", got.Lines(), err, want.Lines())
	}
	// The Handle and the Store read and write the same file.
	if got, err := s.Load(show); err != nil || !equalLines(got.Lines(), want.Lines()) {
		t.Fatalf("Store.Load = %v, %v; want %v", got.Lines(), err, want.Lines())
	}
	if pid := readPID(s.Path(show) + ".lock"); pid != os.Getpid() {
		t.Errorf("lock file names pid %d, want this process %d", pid, os.Getpid())
	}

	if err := h.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := h.Save(want); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Save after Close = %v, want fs.ErrClosed", err)
	}
	if _, err := h.Load(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Load after Close = %v, want fs.ErrClosed", err)
	}
	if pid := readPID(s.Path(show) + ".lock"); pid != 0 {
		t.Errorf("lock file still names pid %d after Close", pid)
	}
}

// A second Open must fail even inside one process: the UI opening the same
// show twice would otherwise have two writers on one file.
func TestOpenTwiceInOneProcess(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	h, err := s.Open(show)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Open(show)
	var locked *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &locked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if locked.PID != os.Getpid() || locked.Path != s.Path(show) {
		t.Errorf("LockedError = %+v, want pid %d and path %s", locked, os.Getpid(), s.Path(show))
	}
	// Another show's cart is not affected.
	other, err := s.Open("another show")
	if err != nil {
		t.Fatalf("Open of another show: %v", err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}

	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h, err = s.Open(show)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenLockedByAnotherProcess(t *testing.T) {
	for _, end := range []string{"exit", "SIGKILL"} {
		t.Run(end, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			holder := startHelper(t, "holder", s.Dir)
			holder.expect(t, "locked")

			_, err := s.Open(show)
			var locked *LockedError
			if !errors.Is(err, ErrLocked) || !errors.As(err, &locked) {
				t.Fatalf("Open while another process holds the cart = %v, want ErrLocked", err)
			}
			pid := holder.cmd.Process.Pid
			if locked.PID != pid {
				t.Errorf("LockedError.PID = %d, want the holder's %d", locked.PID, pid)
			}
			if want := fmt.Sprintf("open in another livecart (pid %d)", pid); !strings.Contains(err.Error(), want) {
				t.Errorf("message %q, want it to contain %q", err, want)
			}

			if end == "exit" {
				if err := holder.stdin.Close(); err != nil {
					t.Fatal(err)
				}
				if out, err := holder.rest(); err != nil || len(out) != 0 {
					t.Fatalf("holder ended with %v, output %q", err, out)
				}
			} else {
				if err := holder.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				_, _ = holder.rest()
			}

			h, err := s.Open(show)
			if err != nil {
				t.Fatalf("Open after the holder's %s: %v", end, err)
			}
			if err := h.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestOpenRemovesStaleTemps strands temporary files as a killed save leaves
// them, made by the code that saves, and checks which ones Open removes:
// all of the opened cart's, since its lock is held and no one else can be
// saving it, and other carts' only once no save could still be writing
// them.
func TestOpenRemovesStaleTemps(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	long := time.Now().Add(-2 * staleTempAge)
	age := func(t *testing.T, name string) {
		t.Helper()
		if err := os.Chtimes(filepath.Join(s.Dir, name), long, long); err != nil {
			t.Fatal(err)
		}
	}

	// This cart's, left by two crashes: one long ago, one a moment ago.
	ownOld, ownNew := strandTemp(t, s, show), strandTemp(t, s, show)
	age(t, ownOld)
	// Another show's, left by a crash long ago.
	otherOld := strandTemp(t, s, "another show")
	age(t, otherOld)
	// Another show's save under way in another livecart: still open.
	busy, err := pendingFile(s.Dir, s.Path("a third show"))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Cleanup()
	if _, err := busy.WriteString("{}\n"); err != nil {
		t.Fatal(err)
	}
	busyName := filepath.Base(busy.Name())

	base := filepath.Base(s.Path(show))
	// Not temporary files of this program, however old.
	others := []string{
		base + ".damaged-1700000000",
		"." + base + "x1",
		"." + base,
		"." + base + "-1",
		".notes.json123",           // not a cart file's name
		".Show-0123456789ab.json1", // nor this: upper case
		"notes.txt",
	}
	for _, name := range others {
		if err := os.WriteFile(filepath.Join(s.Dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		age(t, name)
	}
	// A directory with a temporary file's name is not a file to remove.
	dirName := "." + base + "7"
	if err := os.Mkdir(filepath.Join(s.Dir, dirName), 0o700); err != nil {
		t.Fatal(err)
	}
	age(t, dirName)

	h, err := s.Open(show)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	exists := func(name string) bool {
		_, err := os.Lstat(filepath.Join(s.Dir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return err == nil
	}
	for _, name := range []string{ownOld, ownNew, otherOld} {
		if exists(name) {
			t.Errorf("stale temporary file %s survived Open", name)
		}
	}
	for _, name := range append(others, busyName, dirName) {
		if !exists(name) {
			t.Errorf("Open removed %s", name)
		}
	}
	// The save under way finishes as if nothing had happened.
	if err := busy.CloseAtomicallyReplace(); err != nil {
		t.Fatalf("the other show's save, after Open: %v", err)
	}
}

// strandTemp leaves in s.Dir a temporary file for the cart of show, as a
// save killed before its rename does, and returns its name.
func strandTemp(t *testing.T, s Store, show string) string {
	t.Helper()
	f, err := pendingFile(s.Dir, s.Path(show))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"version":1`); err != nil {
		t.Fatal(err)
	}
	// Closed but neither renamed nor removed: what the kill leaves.
	if err := f.File.Close(); err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(f.Name())
	if target, ok := tempTarget(name); !ok || target != filepath.Base(s.Path(show)) {
		t.Fatalf("renameio named a temporary file %s, which Open does not recognise", name)
	}
	return name
}

// versionCart returns the cart the crash test's writer saves as version k.
// Every version differs from its neighbours in the number of lines and in
// every quantity, and each line names its version, so a file holding parts
// of two versions cannot pass for either.
func versionCart(k int) Cart {
	var c Cart
	for i := range 1 + k%MaxLines {
		var err error
		c, err = c.Add(Line{
			ProductID: "p" + strconv.Itoa(i),
			VariantID: "v" + strconv.Itoa(i),
			Name:      "version " + strconv.Itoa(k),
			Unit:      money.New(int64(100*(i+1)), "USD"),
			Qty:       1 + (k+i)%MaxQty,
		}, -1)
		if err != nil {
			panic(err)
		}
	}
	return c
}

// versionOf returns which versionCart c is, 0 for the empty cart, or -1 if
// it is none of them.
func versionOf(c Cart) int {
	if c.IsEmpty() {
		return 0
	}
	k, err := strconv.Atoi(strings.TrimPrefix(c.Lines()[0].Name, "version "))
	if err != nil || k < 1 || !equalLines(c.Lines(), versionCart(k).Lines()) {
		return -1
	}
	return k
}
