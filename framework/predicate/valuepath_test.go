package predicate

import "testing"

func TestValueAtPath(t *testing.T) {
	data := map[string]any{
		"a":   map[string]any{"b": map[string]any{"c": 1.0}, "x.y": "dotted"},
		"a.b": map[string]any{"d": 2.0},
		"arr": []any{"zero"},
		"nil": nil,
	}
	tests := []struct {
		name, path string
		want       any
		found      bool
	}{
		{"nested", "a.b.c", 1.0, true},
		{"dotted key wins on its own path", "a.b.d", 2.0, true},
		{"dotted inner key", "a.x.y", "dotted", true},
		{"no array traversal", "arr.0", nil, false},
		{"present null", "nil", nil, true},
		{"missing", "a.z", nil, false},
		{"empty path", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := ValueAtPath(data, tt.path)
			if found != tt.found || got != tt.want {
				t.Fatalf("ValueAtPath(%q) = %v, %v; want %v, %v", tt.path, got, found, tt.want, tt.found)
			}
		})
	}
}
