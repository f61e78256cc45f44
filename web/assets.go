package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
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
	// PageStylesheets are files of Files linked only from the pages whose content asks for
	// them while it renders (UseStylesheet), such as the colours of highlighted code.
	PageStylesheets []string
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
		for _, name := range slices.Concat(a.Stylesheets, a.Scripts, a.PageStylesheets) {
			if _, err := fs.Stat(a.Files, name); err != nil {
				return fmt.Errorf("web assets %q: %w", a.Namespace, err)
			}
		}
		sum, err := hashFS(a.Files)
		if err != nil {
			return fmt.Errorf("web assets %q: %w", a.Namespace, err)
		}
		pa := &pluginAssets{Assets: a, sum: sum}
		pa.handler = http.StripPrefix(a.Namespace+"/", cacheByHash(a.Files, sum))
		s.assets = append(s.assets, pa)
		for _, name := range a.Stylesheets {
			s.stylesheets = append(s.stylesheets, pa.url(name))
		}
		for _, name := range a.Scripts {
			s.scripts = append(s.scripts, pa.url(name))
		}
		for _, name := range a.PageStylesheets {
			s.pageStylesheets[a.Namespace+"/"+name] = pa.url(name)
		}
	}
	return nil
}

// pageAssetsKey holds the *pageAssets of the page request being served.
type pageAssetsKey struct{}

// pageAssets collects what a page's content asked for while it rendered.
type pageAssets struct {
	mu          sync.Mutex
	stylesheets []string // namespace/name, in the order asked
}

// withPageAssets gives a page request a collector UseStylesheet records into.
func withPageAssets(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), pageAssetsKey{}, &pageAssets{}))
}

// UseStylesheet asks the page being rendered (ctx is its request's context, or derived from
// it) to link the stylesheet name of the assets of namespace, which declared it among its
// PageStylesheets. Content that needs a stylesheet calls it, wherever the content is drawn
// (a page, an entity tab or card); outside a page request it does nothing.
func UseStylesheet(ctx context.Context, namespace, name string) {
	pa, _ := ctx.Value(pageAssetsKey{}).(*pageAssets)
	if pa == nil {
		return
	}
	key := namespace + "/" + name
	pa.mu.Lock()
	defer pa.mu.Unlock()
	if !slices.Contains(pa.stylesheets, key) {
		pa.stylesheets = append(pa.stylesheets, key)
	}
}

// stylesheetsFor returns the URLs of every page's stylesheets and of those the request's
// content asked for (unknown ones are left out).
func (s *Shell) stylesheetsFor(r *http.Request) []string {
	pa, _ := r.Context().Value(pageAssetsKey{}).(*pageAssets)
	if pa == nil {
		return s.stylesheets
	}
	pa.mu.Lock()
	defer pa.mu.Unlock()
	out := s.stylesheets
	for _, key := range pa.stylesheets {
		if u, ok := s.pageStylesheets[key]; ok {
			out = append(slices.Clip(out), u)
		}
	}
	return out
}

// cacheByHash serves the files of fsys: for good (immutable, a year) when the URL carries
// their current content hash, else to be revalidated on every use. Only files are served: a
// directory or a missing file answers 404, which no cache keeps.
func cacheByHash(fsys fs.FS, sum string) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if fi, err := fs.Stat(fsys, name); err != nil || fi.IsDir() {
			http.NotFound(w, r)
			return
		}
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
