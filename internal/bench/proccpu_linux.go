//go:build linux

package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times. Linux has
// fixed it at 100 for user space on every architecture Go supports.
const clockTicks = 100

// pidCPU is the user + system CPU time another process has used so far,
// read from /proc/<pid>/stat (10 ms resolution, ample over a benchmark
// of many executions).
func pidCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("CPU time of process %d: %w", pid, err)
	}
	return parseProcStat(raw)
}

// parseProcStat reads utime and stime, fields 14 and 15 of
// /proc/<pid>/stat. The command name (field 2) is in parentheses and may
// hold spaces and parentheses itself, so fields are counted from the
// last ')'.
func parseProcStat(raw []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(raw, ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc stat %q: no command name", clip(string(raw), 80))
	}
	// After ") " come field 3 (state) onwards: utime is the 12th of
	// them, stime the 13th.
	fields := bytes.Fields(raw[end+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name, want at least 13", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("/proc stat: CPU field %q is not a tick count", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

const pidCPUAvailable = true

// clockTicksOrDefault is the unit pidCPU counts in, per second.
const clockTicksOrDefault = clockTicks
