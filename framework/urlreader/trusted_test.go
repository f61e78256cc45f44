package urlreader_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

// TestTrustedView: the Trusted view reads local files wherever they point (the operator's
// catalog.locations), but never the data directory, links included; the plain view keeps the
// local roots and the Remote view reads no local file at all.
func TestTrustedView(t *testing.T) {
	f := newDataDirFixture(t)
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "examples", "entities.yaml"), "kind: Component\n")
	if err := os.Symlink(filepath.Join(f.data, "backstage_plugin_auth.sqlite"), filepath.Join(outside, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	r, err := urlreader.New(urlreader.Options{LocalRoots: []string{f.work}, DeniedDirs: []string{f.data}, DeniedExceptions: []string{f.examples}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	tests := []struct {
		name   string
		view   *urlreader.Reader
		target string
		want   string // content, or "" for ErrNotAllowed
	}{
		{"trusted reads outside the roots", r.Trusted(), filepath.Join(outside, "examples", "entities.yaml"), "kind: Component\n"},
		{"trusted reads file urls outside the roots", r.Trusted(), "file://" + filepath.Join(outside, "examples", "entities.yaml"), "kind: Component\n"},
		{"trusted reads inside the roots", r.Trusted(), filepath.Join(f.work, "catalog-info.yaml"), "kind: Component\n"},
		{"trusted never reads the data directory", r.Trusted(), filepath.Join(f.data, "backstage_plugin_auth.sqlite"), ""},
		{"trusted never follows a link into the data directory", r.Trusted(), filepath.Join(outside, "link.yaml"), ""},
		{"trusted keeps the examples exception", r.Trusted(), filepath.Join(f.examples, "catalog-info.yaml"), "kind: Location\n"},
		{"plain view keeps the roots", r, filepath.Join(outside, "examples", "entities.yaml"), ""},
		{"remote view reads no local file", r.Remote(), filepath.Join(outside, "examples", "entities.yaml"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.view.ReadURL(t.Context(), tt.target, urlreader.ReadOptions{})
			if tt.want == "" {
				if !errors.Is(err, urlreader.ErrNotAllowed) {
					t.Fatalf("ReadURL(%s) = %v, want ErrNotAllowed", tt.target, err)
				}
				if err != nil && strings.Contains(err.Error(), "SECRET") {
					t.Fatalf("error leaks content: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadURL(%s): %v", tt.target, err)
			}
			if string(resp.Body) != tt.want {
				t.Fatalf("ReadURL(%s) = %q, want %q", tt.target, resp.Body, tt.want)
			}
		})
	}
	// A glob through the trusted view finds the files outside the roots.
	res, err := r.Trusted().Search(t.Context(), filepath.Join(outside, "examples", "*.yaml"), urlreader.SearchOptions{})
	if err != nil || len(res) != 1 {
		t.Fatalf("trusted Search = %d results, %v; want 1", len(res), err)
	}
}
