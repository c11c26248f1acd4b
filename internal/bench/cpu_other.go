//go:build !unix

package bench

import (
	"errors"
	"time"
)

// processCPU is not measured where getrusage is missing.
func processCPU() (time.Duration, error) {
	return 0, errors.New("process CPU time is not available on this system")
}
