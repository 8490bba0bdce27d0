package uitest

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current View")

// CheckScreen fails unless the view is exactly h rows and no row is wider
// than w cells (Fits). Golden runs it before a file is written, so a
// layout bug fails even while refreshing.
func CheckScreen(t testing.TB, raw string, w, h int) {
	t.Helper()
	if err := Fits(raw, w, h); err != nil {
		t.Error(err)
	}
}

// Fits says what is wrong, if anything, with a frame drawn for a screen of
// w by h cells: other than h rows, or a row wider than w cells. A taller
// frame scrolls the screen and a wider row wraps; a shorter one leaves
// the bottom rows blank, the layout's sums gone wrong.
func Fits(raw string, w, h int) error {
	var errs []error
	rows := strings.Split(raw, "\n")
	if len(rows) != h {
		errs = append(errs, fmt.Errorf("view has %d rows, want %d", len(rows), h))
	}
	for i, r := range rows {
		if n := ansi.StringWidth(r); n > w {
			errs = append(errs, fmt.Errorf("row %d is %d cells wide, more than %d", i+1, n, w))
		}
	}
	return errors.Join(errs...)
}

// Golden compares the screen raw, w by h cells, without colour, with
// testdata/name.golden, or rewrites the file under -update. It returns the
// plain screen.
func Golden(t testing.TB, name, raw string, w, h int) string {
	t.Helper()
	CheckScreen(t, raw, w, h)
	got := ansi.Strip(raw) + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the view (go test -update refreshes it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
	return got
}
