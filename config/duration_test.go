package config

import (
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/testerr"
)

func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name    string
		in      any
		want    time.Duration
		wantErr string // ParseDuration fails: its error contains wantErr
	}{
		{"ms seconds", "5s", 5 * time.Second, ""},
		{"ms words", "2 minutes", 2 * time.Minute, ""},
		{"ms singular", "1 day", day, ""},
		{"ms upper case", "10 Minutes", 10 * time.Minute, ""},
		{"ms fraction", "1.5h", 90 * time.Minute, ""},
		{"ms leading dot", ".5s", 500 * time.Millisecond, ""},
		{"ms milliseconds", "250ms", 250 * time.Millisecond, ""},
		{"ms weeks", "1w", 7 * day, ""},
		{"ms years", "1y", day * 36525 / 100, ""},
		{"go compound", "1h30m", 90 * time.Minute, ""},
		{"compound with spaces", "1h 30m 10s", 90*time.Minute + 10*time.Second, ""},
		{"go micro", "10us", 10 * time.Microsecond, ""},
		{"surrounding whitespace", "  5s ", 5 * time.Second, ""},
		{"iso minutes", "PT1M", time.Minute, ""},
		{"iso days and hours", "P2DT6H", 2*day + 6*time.Hour, ""},
		{"iso weeks", "P1W", 7 * day, ""},
		{"iso fractional seconds", "PT1.5S", 1500 * time.Millisecond, ""},
		{"iso comma seconds", "PT1,5S", 1500 * time.Millisecond, ""},
		{"iso months and years", "P1Y1M", 365*day + 30*day, ""},
		{"iso zero", "PT0S", 0, ""},
		{"number is milliseconds", 1500.0, 1500 * time.Millisecond, ""},
		{"int is milliseconds", 30, 30 * time.Millisecond, ""},
		{"numeric string is milliseconds", "1500", 1500 * time.Millisecond, ""},
		{"object", map[string]any{"minutes": 1, "seconds": 30}, 90 * time.Second, ""},
		{"object all units", map[string]any{"years": 1, "months": 1, "weeks": 1, "days": 1, "hours": 1, "minutes": 1, "seconds": 1, "milliseconds": 1},
			365*day + 30*day + 7*day + day + time.Hour + time.Minute + time.Second + time.Millisecond, ""},
		{"object numeric strings", map[string]any{"hours": "2"}, 2 * time.Hour, ""},
		{"object fractions", map[string]any{"hours": 0.5}, 30 * time.Minute, ""},
		{name: "empty", in: "", wantErr: "empty value"},
		{name: "no unit", in: "5 parsecs", wantErr: `unknown unit "parsecs"`},
		{name: "garbage", in: "soon", wantErr: "want a number followed by a unit"},
		{name: "negative", in: "-5s", wantErr: "negative durations are not allowed"},
		{name: "negative number", in: -1.0, wantErr: "negative durations are not allowed"},
		{name: "bad iso", in: "P1H", wantErr: "invalid ISO 8601 duration"},
		{name: "empty iso", in: "P", wantErr: "no values given"},
		{name: "iso T without values", in: "PT", wantErr: "invalid ISO 8601 duration"},
		{name: "too long", in: "300y", wantErr: "duration too long"},
		{name: "unknown object key", in: map[string]any{"minutes": 1, "fortnights": 2}, wantErr: "unknown property 'fortnights'; expected one or more of 'years'"},
		{name: "empty object", in: map[string]any{}, wantErr: "needs one or more of 'years', 'months'"},
		{name: "bad object value", in: map[string]any{"minutes": []any{1}}, wantErr: "minutes: invalid type, got array, wanted number"},
		{name: "wrong type", in: true, wantErr: "invalid type, got boolean, wanted duration"},
		{name: "negative object", in: map[string]any{"minutes": -1}, wantErr: "negative durations are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if testerr.Check(t, err, tt.wantErr) {
				return
			}
			if got != tt.want {
				t.Fatalf("ParseDuration(%#v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestConfigDurationLocatesObjectErrors(t *testing.T) {
	c := mustLoad(t, memFS{"app-config.yaml": "timeouts:\n  a:\n    minutes: 1\n    seconds: lots\n"}, nil)
	_, err := c.Duration("timeouts.a")
	wantError(t, err, "app-config.yaml:4: timeouts.a.seconds: invalid type, got string that is not a number, wanted number")
}
