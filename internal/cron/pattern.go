// Package cron fires Mistral's cron triggers: it computes when a pattern
// next fires, and runs the loop (in the engine role) that claims the due
// triggers and starts their workflows.
package cron

import (
	"fmt"
	"time"

	robfig "github.com/robfig/cron/v3"
)

// parser reads the five-field patterns Mistral's croniter takes, and the
// @hourly-style descriptors.
var parser = robfig.NewParser(robfig.Minute | robfig.Hour | robfig.Dom | robfig.Month | robfig.Dow | robfig.Descriptor)

// NeverPattern is the pattern Mistral gives a trigger created with a
// first time and no pattern: it fires at that time only, once.
const NeverPattern = "0 0 30 2 0"

// Validate reports whether pattern is a cron pattern this package can run.
func Validate(pattern string) error {
	if _, err := parser.Parse(pattern); err != nil {
		return fmt.Errorf("cron pattern %q: %w", pattern, err)
	}
	return nil
}

// Next is the first time pattern fires strictly after after, in UTC (as
// Mistral computes every trigger time).
func Next(pattern string, after time.Time) (time.Time, error) {
	sched, err := parser.Parse(pattern)
	if err != nil {
		return time.Time{}, fmt.Errorf("cron pattern %q: %w", pattern, err)
	}
	next := sched.Next(after.UTC())
	if next.IsZero() {
		return time.Time{}, fmt.Errorf("cron pattern %q never fires after %s", pattern, after.UTC().Format(time.RFC3339))
	}
	return next, nil
}
