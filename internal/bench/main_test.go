package bench

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines behind: an
// embedded target must stop everything it started when closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
