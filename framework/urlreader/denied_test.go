package urlreader_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

// dataDirFixture is a working directory holding a descriptor, the data
// directory (.portico, with a key and an extracted examples folder) and
// symlinks from the working directory into the data directory.
type dataDirFixture struct {
	work, data, examples string
}

func newDataDirFixture(t *testing.T) dataDirFixture {
	t.Helper()
	work := filepath.Join(t.TempDir(), "work")
	f := dataDirFixture{work: work, data: filepath.Join(work, ".portico"), examples: filepath.Join(work, ".portico", "examples")}
	writeFile(t, filepath.Join(work, "catalog-info.yaml"), "kind: Component\n")
	writeFile(t, filepath.Join(f.data, "backstage_plugin_auth.sqlite"), "SECRET-SIGNING-KEY")
	writeFile(t, filepath.Join(f.data, "scaffolder", "secrets.key"), "SECRET-SCAFFOLDER-KEY")
	writeFile(t, filepath.Join(f.examples, "catalog-info.yaml"), "kind: Location\n")
	for link, target := range map[string]string{
		filepath.Join(work, "innocent.yaml"):        filepath.Join(f.data, "backstage_plugin_auth.sqlite"),
		filepath.Join(work, "dir-link"):             f.data,
		filepath.Join(f.examples, "escape.yaml"):    filepath.Join(f.data, "scaffolder", "secrets.key"),
		filepath.Join(work, "examples-link"):        f.examples,
		filepath.Join(work, "relative-link.sqlite"): filepath.Join(".portico", "backstage_plugin_auth.sqlite"),
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestDataDirNeverRead: whatever the local roots, nothing in the data
// directory is read through ReadURL, ReadTree, Search or git+file, directly
// or through a symlink, except the examples folder the binary extracts.
func TestDataDirNeverRead(t *testing.T) {
	f := newDataDirFixture(t)
	repo := filepath.Join(f.data, "cache", "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(repo, "secret.txt"), "SECRET-IN-GIT")
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-q", "-m", "secret")
	if err := os.Symlink(repo, filepath.Join(f.work, "repo-link")); err != nil {
		t.Fatal(err)
	}

	for _, roots := range [][]string{{f.work}, {f.work, f.data}, {f.data}, {"/"}} {
		t.Run("roots "+strings.Join(roots, ","), func(t *testing.T) {
			r := newReader(t, urlreader.Options{LocalRoots: roots, DeniedDirs: []string{f.data}, DeniedExceptions: []string{f.examples}})
			refused := []string{
				filepath.Join(f.data, "backstage_plugin_auth.sqlite"),
				"file://" + filepath.Join(f.data, "backstage_plugin_auth.sqlite"),
				"file://" + filepath.Join(f.data, "scaffolder", "secrets.key"),
				filepath.Join(f.work, "innocent.yaml"),
				filepath.Join(f.work, "relative-link.sqlite"),
				filepath.Join(f.work, "dir-link", "backstage_plugin_auth.sqlite"),
				filepath.Join(f.examples, "escape.yaml"),
				filepath.Join(f.work, "examples-link", "escape.yaml"),
				f.work + "/x/../.portico/backstage_plugin_auth.sqlite",
				"git+file://" + repo + "#main:secret.txt",
				"git+file://" + filepath.Join(f.work, "repo-link") + "#main:secret.txt",
			}
			for _, u := range refused {
				resp, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{})
				if !errors.Is(err, urlreader.ErrNotAllowed) {
					t.Errorf("ReadURL(%s) = %v, %v; want ErrNotAllowed", u, body(resp), err)
				}
			}
			for _, u := range []string{f.data, filepath.Join(f.work, "dir-link"), "git+file://" + repo + "#main"} {
				if tree, err := r.ReadTree(t.Context(), u, urlreader.TreeOptions{}); !errors.Is(err, urlreader.ErrNotAllowed) {
					t.Errorf("ReadTree(%s) = %v, %v; want ErrNotAllowed", u, tree, err)
				}
			}
			for _, u := range []string{f.data + "/**", "file://" + f.data + "/*.sqlite", filepath.Join(f.work, "dir-link") + "/*"} {
				if res, err := r.Search(t.Context(), u, urlreader.SearchOptions{}); !errors.Is(err, urlreader.ErrNotAllowed) && len(res) > 0 {
					t.Errorf("Search(%s) found %d files (err %v), want none", u, len(res), err)
				}
			}
			// The example catalog stays readable.
			if within(f.examples, roots) {
				u := "file://" + filepath.Join(f.examples, "catalog-info.yaml")
				if _, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{}); err != nil {
					t.Errorf("ReadURL(%s): %v", u, err)
				}
				res, err := r.Search(t.Context(), f.examples+"/*.yaml", urlreader.SearchOptions{})
				if err != nil || len(res) != 1 {
					t.Errorf("Search(%s/*.yaml) = %d results, %v; want catalog-info.yaml only", f.examples, len(res), err)
				}
			}
			// A tree or search over the working directory leaves the data directory out.
			if within(f.work, roots) {
				tree, err := r.ReadTree(t.Context(), f.work, urlreader.TreeOptions{})
				if err != nil {
					t.Fatalf("ReadTree(%s): %v", f.work, err)
				}
				for path, content := range readAll(t, tree.Files()) {
					if strings.Contains(content, "SECRET") || (strings.HasPrefix(path, ".portico/") && !strings.HasPrefix(path, ".portico/examples/")) {
						t.Errorf("ReadTree(%s) holds %s: %q", f.work, path, content)
					}
				}
				res, err := r.Search(t.Context(), f.work+"/**/*", urlreader.SearchOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, sr := range res {
					data, err := sr.Content()
					if err == nil && strings.Contains(string(data), "SECRET") {
						t.Errorf("Search found %s: %q", sr.URL, data)
					}
				}
			}
		})
	}
}

func within(dir string, roots []string) bool {
	for _, r := range roots {
		if rel, err := filepath.Rel(r, dir); err == nil && !strings.HasPrefix(rel, "..") {
			return true
		}
	}
	return false
}

func body(resp *urlreader.ReadResponse) string {
	if resp == nil {
		return "<nil>"
	}
	return string(resp.Body)
}

// TestRemoteView: the Remote view refuses every local source whatever the
// roots, and reads remote ones as the Reader does.
func TestRemoteView(t *testing.T) {
	f := newDataDirFixture(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("remote\n"))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	repo := newTestRepo(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{"/"}, Allow: []urlreader.AllowRule{{Host: u.Host}}})
	remote := r.Remote()

	local := []string{
		filepath.Join(f.work, "catalog-info.yaml"),
		"file://" + filepath.Join(f.work, "catalog-info.yaml"),
		"FILE://" + filepath.Join(f.work, "catalog-info.yaml"),
		"./catalog-info.yaml",
		"catalog-info.yaml",
		"git+file://" + repo.dir + "#main:catalog-info.yaml",
		"file:" + filepath.Join(f.work, "catalog-info.yaml"),
		"//" + filepath.Join(f.work, "catalog-info.yaml"),
	}
	for _, l := range local {
		if _, err := remote.ReadURL(t.Context(), l, urlreader.ReadOptions{}); !errors.Is(err, urlreader.ErrNotAllowed) {
			t.Errorf("Remote().ReadURL(%s) err = %v, want ErrNotAllowed", l, err)
		}
		if _, err := remote.ReadTree(t.Context(), l, urlreader.TreeOptions{}); !errors.Is(err, urlreader.ErrNotAllowed) {
			t.Errorf("Remote().ReadTree(%s) err = %v, want ErrNotAllowed", l, err)
		}
		if _, err := remote.Search(t.Context(), l, urlreader.SearchOptions{}); !errors.Is(err, urlreader.ErrNotAllowed) {
			t.Errorf("Remote().Search(%s) err = %v, want ErrNotAllowed", l, err)
		}
	}
	// The full reader still reads them (the operator's roots hold).
	if _, err := r.ReadURL(t.Context(), filepath.Join(f.work, "catalog-info.yaml"), urlreader.ReadOptions{}); err != nil {
		t.Errorf("ReadURL of a local file through the full reader: %v", err)
	}
	resp, err := remote.ReadURL(t.Context(), srv.URL+"/catalog-info.yaml", urlreader.ReadOptions{})
	if err != nil || string(resp.Body) != "remote\n" {
		t.Errorf("Remote().ReadURL(%s) = %v, %v", srv.URL, body(resp), err)
	}
}

func TestIsRemote(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://github.com/o/r/blob/main/catalog-info.yaml", true},
		{"HTTP://example.com/x", true},
		{"git+https://git.example.com/r.git#main:x", true},
		{"git+http://git.example.com/r.git", true},
		{"file:///etc/passwd", false},
		{"git+file:///srv/repo.git#main", false},
		{"/etc/passwd", false},
		{"./catalog-info.yaml", false},
		{"../../.portico/backstage_plugin_auth.sqlite", false},
		{"https:///no-host", false},
		{"//host/path", false},
		{"ftp://example.com/x", false},
		{"C:\\x", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := urlreader.IsRemote(tc.url); got != tc.want {
			t.Errorf("IsRemote(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
}
