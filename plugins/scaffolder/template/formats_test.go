package template_test

import (
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/template"
)

// TestFormatsAsBackstage checks parameter formats as Backstage's validator (npm jsonschema)
// checks them: `time` without a zone passes and with one fails, which was inverted.
func TestFormatsAsBackstage(t *testing.T) {
	tests := []struct {
		format, value string
		valid         bool
	}{
		{"time", "03:04:05", true},
		{"time", "03:04:05Z", false},
		{"time", "03:04:05+01:00", false},
		{"time", "24:00:00", true},
		{"date", "2024-02-30", true},
		{"date", "2024-13-01", false},
		{"date-time", "2024-01-02T03:04:05Z", true},
		{"date-time", "2024-01-02T03:04:05", false},
		{"duration", "xP1Dx", true},
		{"duration", "1D", false},
		{"email", "a.b@example.com", true},
		{"email", "a@localhost", false},
		{"email", "a@-bad.com", false},
		{"email", "a@[10.0.0.1]", true},
		{"hostname", "example.com.", true},
		{"hostname", "-bad.com", false},
		{"ipv4", "10.0.0.1", true},
		{"ipv4", "10.0.0.256", false},
		{"ipv6", "::1", true},
		{"ipv6", "::g", false},
		{"uri", "urn:x", true},
		{"uri", "/relative", false},
		{"uri-reference", "anything at all", true},
		{"uri-template", "{{{", true},
		{"uuid", "123E4567-e89b-12d3-a456-426614174000", true},
		{"uuid", "123", false},
		{"json-pointer", "/a/b", true},
		{"json-pointer", "a", false},
		{"regex", "^a(?=b)", true},
		{"color", "red", true},
		{"color", "reddish", false},
		{"phone", "+33 1 23 45 67 89", true},
		{"alpha", "abc1", false},
		{"semver", "not-a-version", true},
		{"no-such-format", "whatever", true},
	}
	for _, tc := range tests {
		t.Run(tc.format+" "+tc.value, func(t *testing.T) {
			tpl := &template.Template{Pages: []map[string]any{{"properties": map[string]any{"v": map[string]any{"type": "string", "format": tc.format}}}}}
			err := tpl.ValidateValues(map[string]any{"v": tc.value})
			if (err == nil) != tc.valid {
				t.Errorf("format %s, %q: err = %v, want valid %v", tc.format, tc.value, err, tc.valid)
			}
		})
	}
}
