package jsvalue

import (
	"encoding/json"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The wanted values are what Node.js 20 prints for String(n), JSON.stringify(n),
// s.toLocaleLowerCase('en-US'), s.toLocaleUpperCase('en-US') and s.length.

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		js   string // the JavaScript expression
		f    float64
		want string // String(f)
		json string // JSON.stringify(f)
	}{
		{"-0", math.Copysign(0, -1), "0", "0"},
		{"0", 0, "0", "0"},
		{"1e21", 1e21, "1e+21", "1e+21"},
		{"-1e21", -1e21, "-1e+21", "-1e+21"},
		{"1e-7", 1e-7, "1e-7", "1e-7"},
		{"-1.5e-7", -1.5e-7, "-1.5e-7", "-1.5e-7"},
		{"0.1+0.2", sum(0.1, 0.2), "0.30000000000000004", "0.30000000000000004"},
		{"123456789012345680000", 123456789012345680000, "123456789012345680000", "123456789012345680000"},
		{"999999999999999900000", 999999999999999900000, "999999999999999900000", "999999999999999900000"},
		{"NaN", math.NaN(), "NaN", "null"},
		{"Infinity", math.Inf(1), "Infinity", "null"},
		{"-Infinity", math.Inf(-1), "-Infinity", "null"},
		{"5e-324", 5e-324, "5e-324", "5e-324"},
		{"1e-6", 1e-6, "0.000001", "0.000001"},
		{"0.0000015", 0.0000015, "0.0000015", "0.0000015"},
		{"123e-20", 123e-20, "1.23e-18", "1.23e-18"},
		{"2**53", 1 << 53, "9007199254740992", "9007199254740992"},
		{"2**63", 1 << 63, "9223372036854776000", "9223372036854776000"},
		{"1e100", 1e100, "1e+100", "1e+100"},
		{"1e300", 1e300, "1e+300", "1e+300"},
		{"Number.MAX_VALUE", math.MaxFloat64, "1.7976931348623157e+308", "1.7976931348623157e+308"},
		{"100", 100, "100", "100"},
		{"-42", -42, "-42", "-42"},
		{"1.5", 1.5, "1.5", "1.5"},
		{"1/3", 1.0 / 3, "0.3333333333333333", "0.3333333333333333"},
		{"12345.678", 12345.678, "12345.678", "12345.678"},
	}
	for _, tt := range tests {
		t.Run(tt.js, func(t *testing.T) {
			if got := FormatNumber(tt.f); got != tt.want {
				t.Errorf("FormatNumber(%s) = %q, want %q", tt.js, got, tt.want)
			}
			if got := string(AppendJSONNumber([]byte("x"), tt.f)); got != "x"+tt.json {
				t.Errorf("AppendJSONNumber(%s) = %q, want %q", tt.js, got, "x"+tt.json)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"null", nil, "null"},
		{"string", "Hi", "Hi"},
		{"true", true, "true"},
		{"false", false, "false"},
		{"int", 7, "7"},
		{"int64 beyond 2**53 is rounded as JavaScript holds it", int64(9007199254740993), "9007199254740992"},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709552000"},
		{"float32", float32(1.5), "1.5"},
		{"json.Number is read as JSON.parse reads it", json.Number("1.0"), "1"},
		{"json.Number with exponent", json.Number("1E21"), "1e+21"},
		{"json.Number negative zero", json.Number("-0"), "0"},
		{"json.Number too large", json.Number("1e400"), "Infinity"},
		{"array", []any{"a", 1.0, nil, true, []any{"b", "c"}}, "a,1,,true,b,c"},
		{"string array", []string{"a", "b"}, "a,b"},
		{"object", map[string]any{"a": 1}, "[object Object]"},
		{"negative zero", math.Copysign(0, -1), "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.v); got != tt.want {
				t.Errorf("String(%#v) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestTruthy(t *testing.T) {
	tests := []struct {
		v    any
		want bool
	}{
		{nil, false}, {false, false}, {true, true}, {"", false}, {"0", true}, {0.0, false},
		{math.Copysign(0, -1), false}, {math.NaN(), false}, {1, true}, {json.Number("0"), false},
		{json.Number("0.5"), true}, {[]any{}, true}, {map[string]any{}, true},
	}
	for _, tt := range tests {
		if got := Truthy(tt.v); got != tt.want {
			t.Errorf("Truthy(%#v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

var caseTests = []struct {
	s, lower, upper string
	length          int
}{
	{"MiXeD", "mixed", "MIXED", 5},
	{"\u0130", "i\u0307", "\u0130", 1},
	{"\u0130stanbul", "i\u0307stanbul", "\u0130STANBUL", 8},
	{"ı", "ı", "I", 1},
	{"ΟΔΟΣ", "οδος", "ΟΔΟΣ", 4},
	{"ΑΣ Β", "ας β", "ΑΣ Β", 4},
	{"ΑΣ.Β", "ασ.β", "ΑΣ.Β", 4},
	{"Σ", "σ", "Σ", 1},
	{"ß", "ß", "SS", 1},
	{"ẞ", "ß", "ẞ", 1},
	{"STRASSE", "strasse", "STRASSE", 7},
	{"ﬀ", "ﬀ", "FF", 1},
	{"ﬁ", "ﬁ", "FI", 1},
	{"ŉ", "ŉ", "ʼN", 1},
	{"\u212a", "k", "\u212a", 1}, // the Kelvin sign
	{"ǅ", "ǆ", "Ǆ", 1},
	{"\u0390", "\u0390", "\u0399\u0308\u0301", 1},
	{"ᾳ", "ᾳ", "ΑΙ", 1},
	{"Ω", "ω", "Ω", 1},
	{"𐐀", "𐐨", "𐐀", 2},
	{"A\u03a3", "a\u03c2", "A\u03a3", 2},                                     // final after a Latin letter
	{"\u0391\u03a3\u0301", "\u03b1\u03c2\u0301", "\u0391\u03a3\u0301", 3},    // a mark after it is ignored
	{"\u0391\u03a3'\u0391", "\u03b1\u03c3'\u03b1", "\u0391\u03a3'\u0391", 4}, // so is an apostrophe
	{"1\u03a3", "1\u03c3", "1\u03a3", 2},                                     // a digit is not cased
	{"\u0391\u03a3\u03a3", "\u03b1\u03c3\u03c2", "\u0391\u03a3\u03a3", 3},
	{"\u1fbc\u03a3", "\u1fb3\u03c2", "\u0391\u0399\u03a3", 2},
}

// sum keeps the addition at run time: Go constant arithmetic is exact (0.1+0.2 == 0.3).
func sum(a, b float64) float64 { return a + b }

func TestCase(t *testing.T) {
	for _, tt := range caseTests {
		t.Run(tt.s, func(t *testing.T) {
			if got := Lower(tt.s); got != tt.lower {
				t.Errorf("Lower(%q) = %q, want %q", tt.s, got, tt.lower)
			}
			if got := Upper(tt.s); got != tt.upper {
				t.Errorf("Upper(%q) = %q, want %q", tt.s, got, tt.upper)
			}
			if got := Length(tt.s); got != tt.length {
				t.Errorf("Length(%q) = %d, want %d", tt.s, got, tt.length)
			}
		})
	}
}

func TestEqualFold(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Component", "COMPONENT", true},
		{"straße", "STRASSE", true}, // strings.EqualFold says false
		{"ı", "i", true},            // both upper-case to I
		{"\u212a", "k", false},      // the Kelvin sign stays itself; strings.EqualFold says true
		{"ſ", "s", true},
		{"a", "b", false},
	}
	for _, tt := range tests {
		if got := EqualFold(tt.a, tt.b); got != tt.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestCaseAgainstNode compares Lower and Upper with Node.js over every code point of the Basic
// Multilingual Plane and a few words, when node is installed. A difference names the code point,
// so a Unicode version change in either shows up here.
func TestCaseAgainstNode(t *testing.T) {
	var inputs []string
	for r := rune(0x80); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		inputs = append(inputs, string(r))
	}
	for _, tt := range caseTests {
		inputs = append(inputs, tt.s)
	}
	var want [][3]any
	node(t, inputs, `a.map(s=>[s.toLocaleLowerCase('en-US'),s.toLocaleUpperCase('en-US'),s.length])`, &want)
	bad := 0
	for i, s := range inputs {
		lower, upper, length := want[i][0].(string), want[i][1].(string), int(want[i][2].(float64))
		if !assigned(s) || !assigned(lower) || !assigned(upper) {
			continue // newer in node's Unicode than in Go's: not a rule of ours
		}
		if got := Lower(s); got != lower {
			bad++
			t.Errorf("Lower(%q U+%04X) = %q, node says %q", s, []rune(s)[0], got, lower)
		}
		if got := Upper(s); got != upper {
			bad++
			t.Errorf("Upper(%q U+%04X) = %q, node says %q", s, []rune(s)[0], got, upper)
		}
		if got := Length(s); got != length {
			bad++
			t.Errorf("Length(%q) = %d, node says %d", s, got, length)
		}
		if bad > 20 {
			t.Fatal("too many differences")
		}
	}
}

// assigned reports whether every code point of s is in Go's Unicode tables.
func assigned(s string) bool {
	for _, r := range s {
		if !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf) {
			return false
		}
	}
	return true
}

// TestFormatNumberAgainstNode compares FormatNumber with Node.js's String(n) over numbers of
// every magnitude, when node is installed.
func TestFormatNumberAgainstNode(t *testing.T) {
	var nums []float64
	for e := -325; e <= 308; e++ {
		for _, m := range []float64{1, 1.5, 3.14159, 9.999999999999999, 7.0000000000000001} {
			f, _ := strconv.ParseFloat(strconv.FormatFloat(m, 'g', -1, 64)+"e"+strconv.Itoa(e), 64)
			if !math.IsInf(f, 0) {
				nums = append(nums, f, -f)
			}
		}
	}
	texts := make([]string, len(nums))
	for i, f := range nums {
		texts[i] = strconv.FormatFloat(f, 'g', -1, 64) // reads back exactly
	}
	var want []string
	node(t, texts, `a.map(s=>String(Number(s)))`, &want)
	for i, f := range nums {
		if got := FormatNumber(f); got != want[i] {
			t.Errorf("FormatNumber(%s) = %q, node says %q", texts[i], got, want[i])
		}
	}
}

func TestJSONType(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{nil, "null"}, {true, "boolean"}, {"s", "string"}, {1, "number"}, {json.Number("1"), "number"},
		{[]any{}, "array"}, {[]string{}, "array"}, {map[string]any{}, "object"}, {map[string]string{}, "object"},
		{struct{}{}, ""},
	}
	for _, tt := range tests {
		if got := JSONType(tt.v); got != tt.want {
			t.Errorf("JSONType(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// node runs the JavaScript expression expr in Node.js with a bound to input (sent as JSON) and
// decodes the JSON of its value into out; the test is skipped when node is not installed.
func node(t *testing.T, input any, expr string, out any) {
	t.Helper()
	bin, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "-e", `let d='';process.stdin.setEncoding('utf8');process.stdin.on('data',c=>d+=c).on('end',()=>{`+
		`const a=JSON.parse(d);process.stdout.write(JSON.stringify(`+expr+`))})`)
	cmd.Stdin = strings.NewReader(string(in))
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatal(err)
	}
}
