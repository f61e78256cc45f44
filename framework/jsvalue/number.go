package jsvalue

import (
	"encoding/json"
	"math"
	"strconv"
)

// FormatNumber is JavaScript's Number.prototype.toString() (and String(n)): the shortest
// decimal that reads back as f, in plain notation from 1e-6 up to 1e21 and in exponent form
// ("1e+21", "1.5e-7") outside it; -0 is "0", and NaN and the infinities are named.
func FormatNumber(f float64) string {
	return string(AppendNumber(nil, f))
}

// AppendNumber appends FormatNumber(f) to b.
func AppendNumber(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	return appendFinite(b, f)
}

// AppendJSONNumber appends f as JSON.stringify writes a number: as FormatNumber, except that
// NaN and the infinities are null.
func AppendJSONNumber(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return appendFinite(b, f)
}

func appendFinite(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, '0') // -0 too
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	// Go writes the exponent with at least two digits (1e-07); JavaScript with as few as it
	// needs (1e-7).
	start := len(b)
	b = strconv.AppendFloat(b, f, 'e', -1, 64)
	if n := len(b); n-start >= 4 && b[n-2] == '0' && (b[n-3] == '-' || b[n-3] == '+') {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

// Number returns the value of a Go number as JavaScript holds it (a float64): every integer
// and float type, and json.Number (as JSON.parse reads its text: "1.0" is 1, a text too
// large is an infinity). ok is false for anything else.
func Number(v any) (f float64, ok bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil && !math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}
