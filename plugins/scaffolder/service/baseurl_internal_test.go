package service

import "testing"

// TestBaseURLOf: the catalog writes managed-by-location, the template's author may write
// source-location. A template read from a remote host cannot point its base (which fetch
// actions resolve against, reading file:// bases straight from disk) at the server's disk.
func TestBaseURLOf(t *testing.T) {
	entity := func(managed, source string) map[string]any {
		ann := map[string]any{"backstage.io/managed-by-location": managed}
		if source != "" {
			ann["backstage.io/source-location"] = source
		}
		return map[string]any{"metadata": map[string]any{"annotations": ann}}
	}
	const remote = "url:https://github.com/o/r/blob/main/tpl/template.yaml"
	tests := []struct {
		name, managed, source, want string
	}{
		{"url location", remote, "", "https://github.com/o/r/blob/main/tpl/"},
		{"url location, remote source", remote, "url:https://github.com/o/r/tree/main/tpl/", "https://github.com/o/r/tree/main/tpl/"},
		{"url location, file source (the attack)", remote, "file:/work/.portico/", "https://github.com/o/r/blob/main/tpl/"},
		{"url location, url source naming a file url", remote, "url:file:///work/.portico/", "https://github.com/o/r/blob/main/tpl/"},
		{"url location, url source naming a path", remote, "url:/work/.portico/", "https://github.com/o/r/blob/main/tpl/"},
		{"url location with a file target", "url:file:///work/tpl/template.yaml", "", ""},
		{"file location", "file:/srv/tpl/template.yaml", "", "file:///srv/tpl/"},
		{"file location, file source", "file:/srv/tpl/template.yaml", "file:/srv/other/", "file:///srv/other/"},
	}
	for _, tc := range tests {
		if got := baseURLOf(entity(tc.managed, tc.source)); got != tc.want {
			t.Errorf("%s: baseURLOf(%s, %s) = %q, want %q", tc.name, tc.managed, tc.source, got, tc.want)
		}
	}
}
