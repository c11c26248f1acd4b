package id

import (
	"regexp"
	"testing"
	"time"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewIsAVersion7UUID(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		s := New()
		if !uuidV7.MatchString(s) {
			t.Fatalf("New() = %q, not a version 7 UUID in text form", s)
		}
		if seen[s] {
			t.Fatalf("New() returned %q twice", s)
		}
		seen[s] = true
	}
}

func TestIDsSortByTheirMillisecond(t *testing.T) {
	base := time.Date(2026, 12, 4, 13, 0, 0, 0, time.UTC)
	cases := []struct {
		name         string
		earlier, now time.Time
	}{
		{"a microsecond later", base.Add(100 * time.Microsecond), base.Add(101 * time.Microsecond)},
		{"next millisecond", base.Add(999 * time.Microsecond), base.Add(time.Millisecond)},
		{"next second", base, base.Add(time.Second)},
		{"next year", base, base.AddDate(1, 0, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range 100 {
				a, b := at(c.earlier), at(c.now)
				if a >= b {
					t.Fatalf("id of %v (%s) does not sort before id of %v (%s)", c.earlier, a, c.now, b)
				}
			}
		})
	}
	if got, want := at(base)[:13], "01a24123-e080"; got != want {
		t.Errorf("time prefix of %v = %s, want %s (48-bit Unix milliseconds)", base, got, want)
	}
}
