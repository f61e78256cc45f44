package web

import (
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

// Assets are a plugin's own static files (embedded from its ui/static folder). The shell
// serves them at /static/<Namespace>/<file> with a content hash in the URL, so browsers cache
// them for good, and links Stylesheets and Scripts from every page, after its own and in the
// order plugins added them.
type Assets struct {
	// Namespace is the URL segment of the files, by convention the plugin's ID.
	Namespace string
	Files     fs.FS
	// Stylesheets are files of Files linked from every page's head.
	Stylesheets []string
	// Scripts are files of Files every page loads (deferred); pages must work without them.
	Scripts []string
}

// pluginAssets are the Assets of one plugin, checked and hashed.
type pluginAssets struct {
	Assets
	sum     string
	handler http.Handler
}

func (a *pluginAssets) url(name string) string {
	return "/static/" + a.Namespace + "/" + name + "?v=" + a.sum
}

// addAssets checks and hashes the plugins' assets.
func (s *Shell) addAssets(list []Assets) error {
	for _, a := range list {
		if a.Namespace == "" || strings.ContainsAny(a.Namespace, "/?#%.") || a.Files == nil {
			return fmt.Errorf("web assets %q: need a namespace (no '/', '.', '?', '#' or '%%') and files", a.Namespace)
		}
		if _, err := fs.Stat(s.static, a.Namespace); err == nil {
			return fmt.Errorf("web assets %q: the shell has a static file of that name", a.Namespace)
		}
		for _, other := range s.assets {
			if other.Namespace == a.Namespace {
				return fmt.Errorf("web assets %q: added twice", a.Namespace)
			}
		}
		for _, name := range append(append([]string(nil), a.Stylesheets...), a.Scripts...) {
			if _, err := fs.Stat(a.Files, name); err != nil {
				return fmt.Errorf("web assets %q: %w", a.Namespace, err)
			}
		}
		sum, err := hashFS(a.Files)
		if err != nil {
			return fmt.Errorf("web assets %q: %w", a.Namespace, err)
		}
		pa := &pluginAssets{Assets: a, sum: sum}
		pa.handler = cacheByHash(http.StripPrefix(a.Namespace+"/", http.FileServerFS(a.Files)), sum)
		s.assets = append(s.assets, pa)
		for _, name := range a.Stylesheets {
			s.stylesheets = append(s.stylesheets, pa.url(name))
		}
		for _, name := range a.Scripts {
			s.scripts = append(s.scripts, pa.url(name))
		}
	}
	return nil
}

// cacheByHash lets browsers keep a file for good when its URL carries the current content
// hash, and makes them revalidate otherwise.
func cacheByHash(files http.Handler, sum string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sum != "" && r.URL.Query().Get("v") == sum {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// EmbeddedAssets returns a with its Files taken from the folder dir of an embedded tree (a
// plugin's `//go:embed static`); the folder exists at compile time, so a missing one is a
// programming error.
func EmbeddedAssets(fsys fs.FS, dir string, a Assets) Assets {
	files, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("web: assets of %s: %v", a.Namespace, err))
	}
	a.Files = files
	return a
}
