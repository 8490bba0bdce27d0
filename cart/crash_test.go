package cart

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Crash test limits: as many kills as fit in the time budget, up to
// crashKills.
const (
	crashKills    = 100
	crashBudget   = 10 * time.Second
	crashMinKills = 30 // fewer only on a machine too slow for the budget
	crashMaxDelay = 5 * time.Millisecond
)

// TestSaveSurvivesKill kills a process that saves the cart in a loop, at
// random moments, and checks after every kill that the file on disk is whole
// and no older than the last save the writer saw return.
func TestSaveSurvivesKill(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	s := Store{Dir: t.TempDir()}
	// The writer's $TMPDIR: its saves must not put anything here.
	tmp := t.TempDir()

	var (
		onDisk   int // the version found after the previous kill
		kills    int
		inFlight int // kills after which the unacknowledged version was on disk
		noAck    int // kills before the writer finished a single save
		versions = map[int]bool{}
		stranded int // kills that left a temporary file behind
	)
	deadline := time.Now().Add(crashBudget)
	for kills < crashKills && time.Now().Before(deadline) {
		w := startHelper(t, "writer", s.Dir,
			"LIVECART_CART_START="+strconv.Itoa(onDisk+1), "TMPDIR="+tmp)
		w.expect(t, "ready")
		// Not synchronisation: this picks the moment of the crash.
		time.Sleep(time.Duration(rng.Int64N(int64(crashMaxDelay) + 1)))
		if err := w.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		out, err := w.rest()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("writer ended with %v, not SIGKILL; output %q", err, out)
		}
		kills++

		// Every version the writer acknowledged, in order, from where it
		// was told to start.
		acked := onDisk
		for _, l := range out {
			k, err := strconv.Atoi(l)
			if err != nil || k != acked+1 {
				t.Fatalf("writer said %q after version %d", l, acked)
			}
			acked = k
		}
		if acked == onDisk {
			noAck++
		}

		// A kill leaves at most the file being written: the Open after
		// the previous kill removed the rest.
		switch n := countTemps(t, s); {
		case n > 1:
			t.Fatalf("kill %d: %d temporary files, want at most the one being written", kills, n)
		case n == 1:
			stranded++
		}

		// The lock died with the writer, so the cart opens at once.
		h, err := s.Open(show)
		if err != nil {
			t.Fatalf("kill %d: Open: %v", kills, err)
		}
		c, err := h.Load()
		if cerr := h.Close(); cerr != nil {
			t.Fatal(cerr)
		}
		if err != nil {
			t.Fatalf("kill %d: Load: %v", kills, err)
		}
		v := versionOf(c)
		switch {
		case v < 0:
			t.Fatalf("kill %d: the cart on disk is no version the writer saved: %+v", kills, c.Lines())
		case v == acked+1:
			inFlight++
		case v != acked:
			t.Fatalf("kill %d: the cart on disk is version %d; the writer had acknowledged %d", kills, v, acked)
		}
		versions[v] = true
		onDisk = v

		// The next start (the Open above) removed what the kill left:
		// the writer is gone, and the lock says no one else is saving.
		if n := countTemps(t, s); n != 0 {
			t.Fatalf("kill %d: %d temporary files survived the next Open", kills, n)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Fatalf("kill %d left %d files in $TMPDIR, want the temporary files beside the cart", kills, len(left))
		}
	}
	t.Logf("%d kills; last version %d; %d distinct versions found on disk; %d times the version being written when killed, %d kills before the first save of a run returned; %d kills left a temporary file",
		kills, onDisk, len(versions), inFlight, noAck, stranded)
	if kills < crashMinKills {
		t.Logf("only %d kills within %v: slow machine", kills, crashBudget)
	}
	if onDisk == 0 {
		t.Fatal("the writer never saved anything: the test checked nothing")
	}
	if damaged, _ := filepath.Glob(s.Path(show) + ".damaged-*"); len(damaged) != 0 {
		t.Fatalf("cart files moved aside as damaged: %v", damaged)
	}

	if c, err := s.Load(show); err != nil || versionOf(c) != onDisk {
		t.Fatalf("at the end: Load = version %d, %v; want %d", versionOf(c), err, onDisk)
	}
}

// countTemps returns how many of renameio's temporary files for the test
// cart are in the store's directory, and fails on any other stray file.
func countTemps(t *testing.T, s Store) int {
	t.Helper()
	base := filepath.Base(s.Path(show))
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		switch name := e.Name(); {
		case isTempName(name, "."+base):
			n++
		case name == base, name == base+".lock":
		default:
			if !strings.HasPrefix(name, base+".damaged-") {
				t.Fatalf("unexpected file %s in the cart directory", name)
			}
		}
	}
	return n
}
