package yaql

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DateTime is yaql's datetime: an instant with a fixed UTC offset
// (Python's timezone-aware datetime).
type DateTime struct{ t time.Time }

// TimeSpan is yaql's timespan (Python's timedelta) in microseconds.
type TimeSpan struct{ us int64 }

const (
	usPerSecond = int64(1000000)
	usPerDay    = 86400 * usPerSecond
)

func zoneFor(offsetUS int64) *time.Location {
	if offsetUS == 0 {
		return time.UTC
	}
	return time.FixedZone("", int(offsetUS/usPerSecond))
}

func (d DateTime) offsetUS() int64 {
	_, off := d.t.Zone()
	return int64(off) * usPerSecond
}

func (d DateTime) add(us int64) DateTime {
	return DateTime{d.t.Add(time.Duration(us) * time.Microsecond)}
}

// String is Python's str(datetime): 2015-08-29 01:02:03.000004+00:00.
func (d DateTime) String() string {
	s := d.t.Format("2006-01-02 15:04:05")
	if us := d.t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + formatOffset(d.offsetUS(), ":")
}

func formatOffset(us int64, sep string) string {
	sign := "+"
	if us < 0 {
		sign, us = "-", -us
	}
	sec := us / usPerSecond
	return fmt.Sprintf("%s%02d%s%02d", sign, sec/3600, sep, sec%3600/60)
}

// String is Python's str(timedelta): "-1 day, 23:00:00", "0:00:00.000005".
func (ts TimeSpan) String() string {
	days := floorDiv(ts.us, usPerDay)
	rest := ts.us - days*usPerDay
	sec, us := rest/usPerSecond, rest%usPerSecond
	s := fmt.Sprintf("%d:%02d:%02d", sec/3600, sec%3600/60, sec%60)
	if us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if days != 0 {
		unit := "days"
		if days == 1 || days == -1 {
			unit = "day"
		}
		s = fmt.Sprintf("%d %s, %s", days, unit, s)
	}
	return s
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// spanFromFloatUS rounds float microseconds half-to-even, as timedelta does.
func spanFromFloatUS(f float64) (TimeSpan, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 9e18 {
		return TimeSpan{}, errf(KindValue, "timespan out of range")
	}
	return TimeSpan{int64(math.RoundToEven(f))}, nil
}

// dateTimeOp applies arithmetic and comparison operators involving
// datetimes and timespans; ok is false when the operand types do not fit.
func dateTimeOp(op string, l, r any) (any, bool, error) {
	ld, lIsDT := l.(DateTime)
	rd, rIsDT := r.(DateTime)
	ls, lIsTS := l.(TimeSpan)
	rs, rIsTS := r.(TimeSpan)
	switch {
	case lIsDT && rIsDT:
		switch op {
		case "-":
			return TimeSpan{ld.t.Sub(rd.t).Microseconds()}, true, nil
		case "<", ">", "<=", ">=":
			return cmpResult(op, ld.t.Compare(rd.t)), true, nil
		}
	case lIsDT && rIsTS:
		switch op {
		case "+":
			return ld.add(rs.us), true, nil
		case "-":
			return ld.add(-rs.us), true, nil
		}
	case lIsTS && rIsDT && op == "+":
		return rd.add(ls.us), true, nil
	case lIsTS && rIsTS:
		switch op {
		case "+":
			return TimeSpan{ls.us + rs.us}, true, nil
		case "-":
			return TimeSpan{ls.us - rs.us}, true, nil
		case "/":
			if rs.us == 0 {
				return nil, true, errf(KindZeroDivision, "float division by zero")
			}
			return float64(ls.us) / float64(rs.us), true, nil
		case "<", ">", "<=", ">=":
			return cmpResult(op, compareInt64(ls.us, rs.us)), true, nil
		}
	case lIsTS && isNumber(r) && (op == "*" || op == "/"):
		if op == "/" {
			if isZero(r) {
				return nil, true, errf(KindZeroDivision, "division by zero")
			}
			s, err := spanFromFloatUS(float64(ls.us) / toFloat(r))
			return s, true, err
		}
		s, err := spanFromFloatUS(float64(ls.us) * toFloat(r))
		return s, true, err
	case rIsTS && isNumber(l) && op == "*":
		s, err := spanFromFloatUS(float64(rs.us) * toFloat(l))
		return s, true, err
	}
	return nil, false, nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpResult(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

// dateTimeProperty implements the #property# accessors (now().year …).
func dateTimeProperty(v any, name string) (any, bool) {
	switch t := v.(type) {
	case DateTime:
		switch name {
		case "year":
			return int64(t.t.Year()), true
		case "month":
			return int64(t.t.Month()), true
		case "day":
			return int64(t.t.Day()), true
		case "hour":
			return int64(t.t.Hour()), true
		case "minute":
			return int64(t.t.Minute()), true
		case "second":
			return int64(t.t.Second()), true
		case "microsecond":
			return int64(t.t.Nanosecond() / 1000), true
		case "weekday":
			return int64((t.t.Weekday() + 6) % 7), true // Monday is 0
		case "date":
			y, m, d := t.t.Date()
			return DateTime{time.Date(y, m, d, 0, 0, 0, 0, t.t.Location())}, true
		case "time":
			y, m, d := t.t.Date()
			return TimeSpan{t.t.Sub(time.Date(y, m, d, 0, 0, 0, 0, t.t.Location())).Microseconds()}, true
		case "utc":
			// yaql computes dt - dt.utcoffset() and keeps the zone, so the
			// result still carries the original offset (a yaql quirk).
			return t.add(-t.offsetUS()), true
		case "offset":
			return TimeSpan{t.offsetUS()}, true
		case "timestamp":
			// Based on the quirky utc above, like yaql.
			return float64(t.add(-t.offsetUS()).t.UnixMicro()) / 1e6, true
		}
	case TimeSpan:
		div := map[string]float64{"microseconds": 0, "milliseconds": 1e3, "seconds": 1e6, "minutes": 6e7, "hours": 3.6e9, "days": 8.64e10}
		if d, ok := div[name]; ok {
			if d == 0 {
				return t.us, true
			}
			return float64(t.us) / d, true
		}
	}
	return nil, false
}

// strftime implements Python's datetime.strftime directives.
func strftime(d DateTime, f string) string {
	t := d.t
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			b.WriteString(map[bool]string{true: "AM", false: "PM"}[t.Hour() < 12])
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'b', 'h':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'z':
			b.WriteString(formatOffset(d.offsetUS(), ""))
		case 'Z':
			if d.offsetUS() == 0 { // other offsets are unnamed zones in yaql
				b.WriteString("UTC")
			}
		case 'c':
			b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
		case 'x':
			b.WriteString(t.Format("01/02/06"))
		case 'X':
			b.WriteString(t.Format("15:04:05"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// strptime parses s with a Python strptime format (the common directives).
func strptime(s, f string) (DateTime, error) {
	year, month, day, hour, minute, sec, us := 1900, 1, 1, 0, 0, 0, 0
	pm, hasPM := false, false
	offset := int64(0)
	fail := func() (DateTime, error) {
		return DateTime{}, errf(KindValue, "time data %s does not match format %s", pyQuote(s), pyQuote(f))
	}
	num := func(maxLen int) (int, bool) {
		j := 0
		for j < maxLen && j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:j])
		s = s[j:]
		return n, true
	}
	name := func(names []string) (int, bool) {
		for i, n := range names {
			if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
				s = s[len(n):]
				return i, true
			}
		}
		return 0, false
	}
	months := []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	short := make([]string, 12)
	for i, m := range months {
		short[i] = m[:3]
	}
	var ok bool
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			if f[i] == ' ' {
				s = strings.TrimLeft(s, " ")
				continue
			}
			if len(s) == 0 || s[0] != f[i] {
				return fail()
			}
			s = s[1:]
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			year, ok = num(4)
		case 'y':
			year, ok = num(2)
			if year < 69 {
				year += 2000
			} else {
				year += 1900
			}
		case 'm':
			month, ok = num(2)
		case 'd':
			day, ok = num(2)
		case 'H', 'I':
			hour, ok = num(2)
		case 'M':
			minute, ok = num(2)
		case 'S':
			sec, ok = num(2)
		case 'f':
			start := len(s)
			us, ok = num(6)
			for n := start - len(s); n < 6 && ok; n++ {
				us *= 10
			}
		case 'p':
			var k int
			k, ok = name([]string{"AM", "PM"})
			pm, hasPM = k == 1, true
		case 'b', 'h':
			month, ok = name(short)
			month++
		case 'B':
			month, ok = name(months)
			month++
		case 'a', 'A':
			_, ok = name([]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"})
		case 'z':
			var off int64
			off, ok = parseOffset(&s)
			offset = off
		case '%':
			ok = len(s) > 0 && s[0] == '%'
			if ok {
				s = s[1:]
			}
		default:
			return DateTime{}, errf(KindValue, "unsupported strptime directive %%%c", f[i])
		}
		if !ok {
			return fail()
		}
	}
	if s != "" {
		return DateTime{}, errf(KindValue, "unconverted data remains: %s", s)
	}
	if hasPM {
		hour %= 12
		if pm {
			hour += 12
		}
	}
	return makeDateTime(year, month, day, hour, minute, sec, us, offset)
}

func parseOffset(s *string) (int64, bool) {
	str := *s
	if strings.HasPrefix(str, "Z") {
		*s = str[1:]
		return 0, true
	}
	if len(str) < 5 || (str[0] != '+' && str[0] != '-') {
		return 0, false
	}
	rest := str[1:]
	hh, err1 := strconv.Atoi(rest[:2])
	rest = strings.TrimPrefix(rest[2:], ":")
	if len(rest) < 2 {
		return 0, false
	}
	mm, err2 := strconv.Atoi(rest[:2])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	*s = rest[2:]
	off := int64(hh*3600+mm*60) * usPerSecond
	if str[0] == '-' {
		off = -off
	}
	return off, true
}

func makeDateTime(year, month, day, hour, minute, sec, us int, offsetUS int64) (DateTime, error) {
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 || us > 999999 || year < 1 || year > 9999 {
		return DateTime{}, errf(KindValue, "date or time out of range")
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, us*1000, zoneFor(offsetUS))
	if t.Day() != day {
		return DateTime{}, errf(KindValue, "day is out of range for month")
	}
	return DateTime{t}, nil
}

var isoDateRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$`)

// parseDateTime reads the date formats dateutil's parser is mostly fed:
// ISO 8601 (with or without T, seconds, fraction, zone) and "Aug 29 2015".
func parseDateTime(s string) (DateTime, error) {
	str := strings.TrimSpace(s)
	if m := isoDateRE.FindStringSubmatch(str); m != nil {
		atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
		us := 0
		if m[7] != "" {
			frac := (m[7] + "000000")[:6]
			us = atoi(frac)
		}
		off := int64(0)
		if z := m[8]; z != "" {
			var ok bool
			if off, ok = parseOffset(&z); !ok || z != "" {
				return DateTime{}, errf(KindValue, "unknown string format: %s", s)
			}
		}
		return makeDateTime(atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6]), us, off)
	}
	for _, layout := range []string{"Jan 2 2006", "January 2 2006", "2 Jan 2006", "Jan 2, 2006", "January 2, 2006", "2006/01/02", "2006/1/2"} {
		if t, err := time.Parse(layout, str); err == nil {
			return DateTime{t}, nil
		}
	}
	return DateTime{}, errf(KindValue, "unknown string format: %s", s)
}

// pyDateTimeRepr is repr(datetime) as yaql's str() prints it inside collections.
func pyDateTimeRepr(d DateTime) string {
	t := d.t
	parts := []int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute()}
	if t.Second() != 0 || t.Nanosecond() != 0 {
		parts = append(parts, t.Second())
	}
	if t.Nanosecond() != 0 {
		parts = append(parts, t.Nanosecond()/1000)
	}
	s := "datetime.datetime("
	for i, p := range parts {
		if i > 0 {
			s += ", "
		}
		s += strconv.Itoa(p)
	}
	if d.offsetUS() == 0 {
		return s + ", tzinfo=tzutc())"
	}
	return s + fmt.Sprintf(", tzinfo=tzoffset(None, %d))", d.offsetUS()/usPerSecond)
}

// pyTimeSpanRepr is repr(timedelta).
func pyTimeSpanRepr(ts TimeSpan) string {
	days := floorDiv(ts.us, usPerDay)
	rest := ts.us - days*usPerDay
	var parts []string
	if days != 0 {
		parts = append(parts, fmt.Sprintf("days=%d", days))
	}
	if s := rest / usPerSecond; s != 0 {
		parts = append(parts, fmt.Sprintf("seconds=%d", s))
	}
	if us := rest % usPerSecond; us != 0 {
		parts = append(parts, fmt.Sprintf("microseconds=%d", us))
	}
	if len(parts) == 0 {
		return "datetime.timedelta(0)"
	}
	return "datetime.timedelta(" + strings.Join(parts, ", ") + ")"
}
