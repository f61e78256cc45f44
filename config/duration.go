package config

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	day = 24 * time.Hour
	// Calendar units in objects and ISO strings use fixed lengths (30-day months, 365-day
	// years); the ms-style 'y' unit is 365.25 days, as in the ms library Backstage uses.
	isoMonth = 30 * day
	isoYear  = 365 * day
	msYear   = day * 36525 / 100
)

// durationUnits maps ms-style and Go-style unit names (lower case) to their length.
var durationUnits = map[string]time.Duration{
	"ns": time.Nanosecond, "us": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "msec": time.Millisecond, "msecs": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": day, "day": day, "days": day,
	"w": 7 * day, "week": 7 * day, "weeks": 7 * day,
	"y": msYear, "yr": msYear, "yrs": msYear, "year": msYear, "years": msYear,
}

// durationObjectUnits are the keys of the object form, in Backstage's order.
var durationObjectUnits = []struct {
	name string
	unit time.Duration
}{
	{"years", isoYear}, {"months", isoMonth}, {"weeks", 7 * day}, {"days", day},
	{"hours", time.Hour}, {"minutes", time.Minute}, {"seconds", time.Second}, {"milliseconds", time.Millisecond},
}

var (
	durationTermRE = regexp.MustCompile(`^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Zµμ]+)\s*`)
	isoDurationRE  = regexp.MustCompile(`^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)
	isoUnits       = []time.Duration{isoYear, isoMonth, 7 * day, day, time.Hour, time.Minute, time.Second}
)

// ParseDuration reads a duration from a raw config value (as returned by Get) with the rules of
// Config.Duration: '5s', '2 minutes', '1h30m', ISO 8601 'PT1M', {minutes: 1, seconds: 30}, or a
// plain number of milliseconds. Negative durations are rejected.
func ParseDuration(v any) (time.Duration, error) {
	return durationFromNode(fromGo(v, ""), "")
}

// durationFromNode parses n, found at key, reporting errors at n's origin.
func durationFromNode(n *node, key string) (time.Duration, error) {
	switch n.kind {
	case kindNumber:
		return durationFromMillis(n, key, n.num)
	case kindString:
		d, err := parseDurationString(n.str)
		if err != nil {
			return 0, errAt(n, key, fmt.Sprintf("invalid duration %q: %s", n.str, err))
		}
		return d, nil
	case kindObject:
		return durationFromObject(n, key)
	default:
		return 0, errAt(n, key, fmt.Sprintf("invalid type, got %s, wanted duration", typeName(n)))
	}
}

func durationFromMillis(n *node, key string, ms float64) (time.Duration, error) {
	d, err := scale(ms, time.Millisecond)
	if err != nil {
		return 0, errAt(n, key, fmt.Sprintf("invalid duration %v: %s", ms, err))
	}
	return d, nil
}

func durationFromObject(n *node, key string) (time.Duration, error) {
	var total float64
	found := false
	for _, u := range durationObjectUnits {
		v, ok := n.obj[u.name]
		if !ok {
			continue
		}
		found = true
		var f float64
		switch {
		case v.kind == kindNumber:
			f = v.num
		case v.kind == kindString:
			var ok bool
			if f, ok = parseNumeric(v.str); !ok {
				return 0, errAt(v, joinKey(key, u.name), "invalid type, got string that is not a number, wanted number")
			}
		default:
			return 0, errAt(v, joinKey(key, u.name), fmt.Sprintf("invalid type, got %s, wanted number", typeName(v)))
		}
		total += f * float64(u.unit)
	}
	var unknown []string
	for _, k := range slices.Sorted(maps.Keys(n.obj)) {
		if !isDurationUnit(k) {
			unknown = append(unknown, "'"+k+"'")
		}
	}
	names := make([]string, len(durationObjectUnits))
	for i, u := range durationObjectUnits {
		names[i] = "'" + u.name + "'"
	}
	switch {
	case len(unknown) > 0:
		return 0, errAt(n, key, fmt.Sprintf("invalid duration: unknown %s %s; expected one or more of %s",
			plural(len(unknown), "property", "properties"), strings.Join(unknown, ", "), strings.Join(names, ", ")))
	case !found:
		return 0, errAt(n, key, "invalid duration: needs one or more of "+strings.Join(names, ", "))
	}
	d, err := scale(total, 1)
	if err != nil {
		return 0, errAt(n, key, "invalid duration: "+err.Error())
	}
	return d, nil
}

func isDurationUnit(k string) bool {
	for _, u := range durationObjectUnits {
		if u.name == k {
			return true
		}
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// parseDurationString accepts ms-style ("5s", "2 minutes"), compound ("1h30m", "1h 30m"),
// ISO 8601 ("PT1M") and bare millisecond counts ("1500").
func parseDurationString(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, fmt.Errorf("empty value")
	case strings.HasPrefix(s, "-"):
		return 0, fmt.Errorf("negative durations are not allowed")
	case strings.HasPrefix(s, "P"):
		return parseISODuration(s)
	}
	if f, ok := parseNumeric(s); ok {
		return scale(f, time.Millisecond)
	}
	var total float64
	rest := s
	for rest != "" {
		m := durationTermRE.FindStringSubmatch(rest)
		if m == nil {
			return 0, fmt.Errorf("want a number followed by a unit, such as '1d', '2 seconds' or '1h30m'")
		}
		unit, ok := durationUnits[strings.ToLower(m[2])]
		if !ok {
			return 0, fmt.Errorf("unknown unit %q", m[2])
		}
		f, _ := strconv.ParseFloat(m[1], 64)
		total += f * float64(unit)
		rest = rest[len(m[0]):]
	}
	return scale(total, 1)
}

func parseISODuration(s string) (time.Duration, error) {
	m := isoDurationRE.FindStringSubmatch(s)
	if m == nil || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("invalid ISO 8601 duration, want a value like 'P2DT6H' or 'PT1M'")
	}
	var total float64
	given := false
	for i, unit := range isoUnits {
		if m[i+1] == "" {
			continue
		}
		given = true
		f, _ := strconv.ParseFloat(strings.Replace(m[i+1], ",", ".", 1), 64)
		total += f * float64(unit)
	}
	if !given {
		return 0, fmt.Errorf("invalid ISO 8601 duration, no values given")
	}
	return scale(total, 1)
}

// scale converts v units to a Duration, rejecting negative and overflowing values.
func scale(v float64, unit time.Duration) (time.Duration, error) {
	ns := v * float64(unit)
	switch {
	case math.IsNaN(ns):
		return 0, fmt.Errorf("not a number")
	case ns < 0:
		return 0, fmt.Errorf("negative durations are not allowed")
	case ns >= math.MaxInt64:
		return 0, fmt.Errorf("duration too long")
	}
	return time.Duration(math.Round(ns)), nil
}
