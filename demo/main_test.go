package demo

import (
	"testing"

	"go.uber.org/goleak"
)

// Every bot goroutine and every connection must be gone when Run returns.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
