package store

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that every read and every follower stops.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
