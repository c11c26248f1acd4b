package yaql

import (
	"math"
	"time"
)

// TDateTime and TTimeSpan are the parameter types of the date_time module.
var (
	TDateTime = Type{"datetime", func(v any) bool { _, ok := v.(DateTime); return ok }}
	TTimeSpan = Type{"timespan", func(v any) bool { _, ok := v.(TimeSpan); return ok }}
)

// registerDateTime adds yaql's date_time module (datetime.go has the types).
func registerDateTime(e *Engine) {
	zero := TimeSpan{}
	e.register(
		def("datetime", Function, func(c *Call) (any, error) {
			n := make([]int, 7)
			for i := range n {
				v, _ := toInt64(c.Args[i])
				n[i] = int(v)
			}
			return makeDateTime(n[0], n[1], n[2], n[3], n[4], n[5], n[6], c.Args[7].(TimeSpan).us)
		}, P("year", TIntLike), P("month", TIntLike), P("day", TIntLike), Opt("hour", TIntLike, int64(0)), Opt("minute", TIntLike, int64(0)),
			Opt("second", TIntLike, int64(0)), Opt("microsecond", TIntLike, int64(0)), Opt("offset", TTimeSpan, zero)),
		def("datetime", Function, func(c *Call) (any, error) {
			f := toFloat(c.Args[0])
			if math.IsNaN(f) || math.Abs(f) > 253402300799 {
				return nil, errf(KindValue, "timestamp out of range")
			}
			sec := math.Floor(f)
			us := math.RoundToEven((f - sec) * 1e6)
			t := time.Unix(int64(sec), int64(us)*1000).In(zoneFor(c.Args[1].(TimeSpan).us))
			return DateTime{t}, nil
		}, P("timestamp", TNumber), Opt("offset", TTimeSpan, zero)),
		def("datetime", Function, func(c *Call) (any, error) {
			if f, _ := c.Args[1].(string); f != "" {
				return strptime(c.Args[0].(string), f)
			}
			return parseDateTime(c.Args[0].(string))
		}, P("string", TString), Opt("format", TStringN, nil)),
		def("timespan", Function, func(c *Call) (any, error) {
			units := []int64{usPerDay, 3600 * usPerSecond, 60 * usPerSecond, usPerSecond, 1000, 1}
			var us int64
			for i, u := range units {
				n, _ := toInt64(c.Args[i])
				us += n * u
			}
			return TimeSpan{us}, nil
		}, Opt("days", TIntLike, int64(0)), Opt("hours", TIntLike, int64(0)), Opt("minutes", TIntLike, int64(0)),
			Opt("seconds", TInt, int64(0)), Opt("milliseconds", TInt, int64(0)), Opt("microseconds", TInt, int64(0))),
		def("now", Function, func(c *Call) (any, error) {
			return DateTime{time.Now().In(zoneFor(c.Args[0].(TimeSpan).us)).Truncate(time.Microsecond)}, nil
		}, Opt("offset", TTimeSpan, zero)),
		def("localtz", Function, func(*Call) (any, error) {
			_, off := time.Now().Zone()
			return TimeSpan{int64(off) * usPerSecond}, nil
		}),
		def("utctz", Function, func(*Call) (any, error) { return zero, nil }),
		def("format", Method, func(c *Call) (any, error) {
			return strftime(c.Args[0].(DateTime), c.Args[1].(string)), nil
		}, P("dt", TDateTime), P("format", TString)),
		def("replace", Method, fnDateTimeReplace, P("dt", TDateTime), Opt("year", TIntN, nil), Opt("month", TIntN, nil), Opt("day", TIntN, nil),
			Opt("hour", TIntN, nil), Opt("minute", TIntN, nil), Opt("second", TIntN, nil), Opt("microsecond", TIntN, nil),
			Opt("offset", Type{"timespan or null", func(v any) bool { _, ok := v.(TimeSpan); return ok || v == nil }}, nil)),
		def("isDatetime", Function, func(c *Call) (any, error) { _, ok := c.Args[0].(DateTime); return ok, nil }, P("value", TAny)),
		def("isTimespan", Function, func(c *Call) (any, error) { _, ok := c.Args[0].(TimeSpan); return ok, nil }, P("value", TAny)),
	)
}

func fnDateTimeReplace(c *Call) (any, error) {
	d := c.Args[0].(DateTime)
	t := d.t
	parts := []int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1000}
	for i := range parts {
		if v, ok := toInt64(c.Args[i+1]); ok && c.Args[i+1] != nil {
			parts[i] = int(v)
		}
	}
	off := d.offsetUS()
	if ts, ok := c.Args[8].(TimeSpan); ok {
		off = ts.us
	}
	return makeDateTime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], off)
}
