package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// charmPrefixes are the import paths of the terminal libraries.
var charmPrefixes = []string{"charm.land/", "github.com/charmbracelet/"}

// TestOnlyUIImportsCharm holds the layout rule: the screen lives in ui/,
// so no library package outside it imports bubbletea, bubbles, lipgloss or
// their helpers, the tools under bench/ included (bench/tuistorm runs the
// viewer through ui/headless). The root main package, which only wires ui/
// in, is left out, and so are tests.
func TestOnlyUIImportsCharm(t *testing.T) {
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch {
			case path == ".":
				return nil
			case path == "ui", strings.HasPrefix(d.Name(), "."), d.Name() == "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Dir(path) == "." || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			for _, prefix := range charmPrefixes {
				if strings.HasPrefix(p, prefix) {
					t.Errorf("%s imports %s: only ui/ may import Charm", path, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no package outside ui/ was checked")
	}
}
