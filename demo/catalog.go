package demo

import _ "embed"

//go:embed catalog.json
var catalog []byte

// Catalog returns the demo show's catalog as JSON, in the shape
// server.ParseCatalog reads: a cosy evening show with ten products, some of
// them nearly sold out so the audience has something to hurry for. Each call
// returns a fresh copy, so a caller may keep or change it.
func Catalog() []byte {
	return append([]byte(nil), catalog...)
}
