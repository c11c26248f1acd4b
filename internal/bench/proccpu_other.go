//go:build !linux

package bench

import (
	"errors"
	"time"
)

// pidCPU needs /proc, which only Linux has.
func pidCPU(int) (time.Duration, error) {
	return 0, errors.New("the CPU time of another process is read from /proc, which this system lacks")
}

const pidCPUAvailable = false

// clockTicksOrDefault is the unit pidCPU counts in, per second.
const clockTicksOrDefault = 100
