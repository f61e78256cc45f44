package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name string
		in   any
		want time.Duration
	}{
		{"ms seconds", "5s", 5 * time.Second},
		{"ms words", "2 minutes", 2 * time.Minute},
		{"ms singular", "1 day", day},
		{"ms upper case", "10 Minutes", 10 * time.Minute},
		{"ms fraction", "1.5h", 90 * time.Minute},
		{"ms leading dot", ".5s", 500 * time.Millisecond},
		{"ms milliseconds", "250ms", 250 * time.Millisecond},
		{"ms weeks", "1w", 7 * day},
		{"ms years", "1y", day * 36525 / 100},
		{"go compound", "1h30m", 90 * time.Minute},
		{"compound with spaces", "1h 30m 10s", 90*time.Minute + 10*time.Second},
		{"go micro", "10us", 10 * time.Microsecond},
		{"surrounding whitespace", "  5s ", 5 * time.Second},
		{"iso minutes", "PT1M", time.Minute},
		{"iso days and hours", "P2DT6H", 2*day + 6*time.Hour},
		{"iso weeks", "P1W", 7 * day},
		{"iso fractional seconds", "PT1.5S", 1500 * time.Millisecond},
		{"iso comma seconds", "PT1,5S", 1500 * time.Millisecond},
		{"iso months and years", "P1Y1M", 365*day + 30*day},
		{"iso zero", "PT0S", 0},
		{"number is milliseconds", 1500.0, 1500 * time.Millisecond},
		{"int is milliseconds", 30, 30 * time.Millisecond},
		{"numeric string is milliseconds", "1500", 1500 * time.Millisecond},
		{"object", map[string]any{"minutes": 1, "seconds": 30}, 90 * time.Second},
		{"object all units", map[string]any{"years": 1, "months": 1, "weeks": 1, "days": 1, "hours": 1, "minutes": 1, "seconds": 1, "milliseconds": 1},
			365*day + 30*day + 7*day + day + time.Hour + time.Minute + time.Second + time.Millisecond},
		{"object numeric strings", map[string]any{"hours": "2"}, 2 * time.Hour},
		{"object fractions", map[string]any{"hours": 0.5}, 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%#v): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseDuration(%#v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDurationErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"empty", "", "empty value"},
		{"no unit", "5 parsecs", `unknown unit "parsecs"`},
		{"garbage", "soon", "want a number followed by a unit"},
		{"negative", "-5s", "negative durations are not allowed"},
		{"negative number", -1.0, "negative durations are not allowed"},
		{"bad iso", "P1H", "invalid ISO 8601 duration"},
		{"empty iso", "P", "no values given"},
		{"iso T without values", "PT", "invalid ISO 8601 duration"},
		{"too long", "300y", "duration too long"},
		{"unknown object key", map[string]any{"minutes": 1, "fortnights": 2}, "unknown property 'fortnights'; expected one or more of 'years'"},
		{"empty object", map[string]any{}, "needs one or more of 'years', 'months'"},
		{"bad object value", map[string]any{"minutes": []any{1}}, "minutes: invalid type, got array, wanted number"},
		{"wrong type", true, "invalid type, got boolean, wanted duration"},
		{"negative object", map[string]any{"minutes": -1}, "negative durations are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDuration(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseDuration(%#v) error = %v, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestConfigDurationLocatesObjectErrors(t *testing.T) {
	c := mustLoad(t, memFS{"app-config.yaml": "timeouts:\n  a:\n    minutes: 1\n    seconds: lots\n"}, nil)
	_, err := c.Duration("timeouts.a")
	wantError(t, err, "app-config.yaml:4: timeouts.a.seconds: invalid type, got string that is not a number, wanted number")
}
