package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// Column encodings. Times are UTC microseconds; values are value.Encode
// JSON (never encoding/json into interface{}, which would lose key order
// and turn integers into floats); Runtime structs and tags use
// encoding/json; "" state_info is NULL.

// stamp normalises a caller's time to what the column keeps (UTC,
// microseconds), defaulting a zero time to now.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// stampPtr normalises an optional time.
func stampPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := t.UTC().Truncate(time.Microsecond)
	return &n
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromMicrosPtr(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := fromMicros(us.Int64)
	return &t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// encoder collects the first encoding error so a row's arguments can be
// built in one expression.
type encoder struct{ err error }

func (e *encoder) value(v any) any {
	if v == nil {
		return nil
	}
	if m, ok := v.(*value.Map); ok && m == nil {
		return nil
	}
	b, err := value.Encode(v)
	if err != nil && e.err == nil {
		e.err = err
	}
	return string(b)
}

func (e *encoder) mapValue(m *value.Map) any {
	if m == nil {
		return nil
	}
	return e.value(m)
}

func (e *encoder) json(v any) string {
	b, err := json.Marshal(v)
	if err != nil && e.err == nil {
		e.err = err
	}
	return string(b)
}

func (e *encoder) tags(tags []string) string {
	if tags == nil {
		tags = []string{}
	}
	return e.json(tags)
}

// decoder collects the first decoding error of a row.
type decoder struct{ err error }

func (d *decoder) fail(col string, err error) {
	if d.err == nil {
		d.err = fmt.Errorf("column %s: %w", col, err)
	}
}

func (d *decoder) value(col string, s sql.NullString) any {
	if !s.Valid {
		return nil
	}
	v, err := value.DecodeString(s.String)
	if err != nil {
		d.fail(col, err)
	}
	return v
}

func (d *decoder) mapValue(col string, s sql.NullString) *value.Map {
	v := d.value(col, s)
	if v == nil {
		return nil
	}
	m, ok := v.(*value.Map)
	if !ok {
		d.fail(col, fmt.Errorf("expected an object, got %s", value.TypeName(v)))
	}
	return m
}

func (d *decoder) json(col, s string, into any) {
	if err := json.Unmarshal([]byte(s), into); err != nil {
		d.fail(col, err)
	}
}

func (d *decoder) tags(s string) []string {
	var tags []string
	d.json("tags", s, &tags)
	if len(tags) == 0 {
		return nil
	}
	return tags
}
