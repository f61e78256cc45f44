package engine_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/catalog/engine"
)

// TestDecodePlaceholder pins the one decoder of placeholder content, which the catalog and
// `portico catalog validate` share. $yaml reads YAML as Backstage's reader does (YAML 1.2):
// before it was shared, the catalog decoded dates into timestamps, applied merge keys and
// decoded !!binary, while the CLI kept them as written.
func TestDecodePlaceholder(t *testing.T) {
	tests := []struct {
		name, resolver, data string
		want                 any
		wantErr              string
	}{
		{name: "text", resolver: "text", data: "hello\n", want: "hello\n"},
		{name: "json", resolver: "json", data: `{"a":[1,"b"]}`, want: map[string]any{"a": []any{1.0, "b"}}},
		{name: "json list", resolver: "json", data: `["a"]`, want: []any{"a"}},
		{name: "bad json", resolver: "json", data: `{`, wantErr: "$json failed to parse JSON data at ./x, "},
		{name: "yaml", resolver: "yaml", data: "a: b\n", want: map[string]any{"a": "b"}},
		{name: "yaml date stays a string", resolver: "yaml", data: "d: 2001-12-14\n", want: map[string]any{"d": "2001-12-14"}},
		{name: "yaml merge key is a plain key", resolver: "yaml", data: "<<: {a: 1}\nb: c\n", want: map[string]any{"<<": map[string]any{"a": 1.0}, "b": "c"}},
		{name: "yaml binary tag is not decoded", resolver: "yaml", data: "a: !!binary aGk=\n", want: map[string]any{"a": "aGk="}},
		{name: "yaml repeated key", resolver: "yaml", data: "a: 1\na: 2\n", wantErr: `$yaml failed to parse YAML data at ./x, Map keys must be unique; "a" is repeated`},
		{name: "yaml two documents", resolver: "yaml", data: "a: 1\n---\nb: 2\n", wantErr: "$yaml expected to find exactly one document of data at ./x, found 2"},
		{name: "yaml no document", resolver: "yaml", data: "", wantErr: "$yaml expected to find exactly one document of data at ./x, found 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := engine.DecodePlaceholder(tt.resolver, "./x", []byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("DecodePlaceholder(%s, %q) = %#v, %v; want error %q", tt.resolver, tt.data, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !sameJSON(got, tt.want) {
				t.Fatalf("DecodePlaceholder(%s, %q) = %#v, %v; want %#v", tt.resolver, tt.data, got, err, tt.want)
			}
		})
	}
}

// sameJSON compares values by their JSON encoding, where Go's number types do not show.
func sameJSON(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(x) == string(y)
}
