package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livecart/livecart/server"
)

// TestReadmeCatalog: the catalog the README shows is accepted, and the
// error it shows for a fractional price is the one serve prints.
func TestReadmeCatalog(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "A catalog file for `--catalog`")
	if !ok {
		t.Fatal("README has no catalog section")
	}
	_, rest, _ := strings.Cut(section, "```json\n")
	example, rest, _ := strings.Cut(rest, "```")
	_, rest, _ = strings.Cut(rest, "```\n")
	shownError, _, _ := strings.Cut(rest, "\n```")
	if _, err := server.ParseCatalog([]byte(example)); err != nil {
		t.Fatalf("the README's catalog is refused: %v\n%s", err, example)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "knits.json")
	bad := strings.Replace(example, `"price": 2800`, `"price": 28.5`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	isolate(t)
	code, _, errOut := runCLI(t, "serve", "--catalog", path, "--addr", "127.0.0.1:0")
	got := strings.ReplaceAll(strings.TrimSpace(errOut), path, "knits.json")
	if code != exitError || got != shownError {
		t.Errorf("serve with a fractional price: exit %d\n%s\nthe README shows\n%s", code, got, shownError)
	}
}
