package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// pluginPage renders an empty body, so the layout shows what the shell links.
var pluginPage = web.PageHandlerFunc(func(w http.ResponseWriter, r *http.Request, p *web.Page) {
	p.Shell().Render(w, r, web.View{Title: "Hello"})
})

func newShell(t *testing.T, assets ...web.Assets) (*web.Shell, error) {
	t.Helper()
	reg := &web.Registry{}
	reg.Add(extension.Page(extension.PageSpec{Namespace: "hello", Path: "/hello", Renderer: pluginPage}))
	for _, a := range assets {
		reg.AddAssets(a)
	}
	tree, err := extension.Resolve(reg.Extensions(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return web.New(web.Options{Assets: reg.Assets()}, tree)
}

func get(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

// TestPluginAssets: a plugin's stylesheets and scripts are linked from every page, after the
// shell's, and served below /static/<namespace>/ with immutable caching for the current hash.
func TestPluginAssets(t *testing.T) {
	files := fstest.MapFS{
		"hello.css": {Data: []byte(".hello { color: red }")},
		"hello.js":  {Data: []byte("console.log('hi')")},
	}
	s, err := newShell(t, web.Assets{Namespace: "hello", Files: files, Stylesheets: []string{"hello.css"}, Scripts: []string{"hello.js"}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)

	page := get(t, mux, "/hello")
	body, _ := io.ReadAll(page.Body)
	html := string(body)
	css := strings.Index(html, `href="/static/hello/hello.css?v=`)
	js := strings.Index(html, `<script src="/static/hello/hello.js?v=`)
	if css < 0 || js < 0 || css < strings.Index(html, "portico.css") || js < strings.Index(html, "portico.js") {
		t.Fatalf("page does not link the plugin's assets after the shell's:\n%s", html)
	}
	href := html[css+len(`href="`):]
	href = href[:strings.IndexByte(href, '"')]

	tests := []struct {
		name, path string
		status     int
		cache      string
		body       string
	}{
		{"current hash", href, http.StatusOK, "immutable", ".hello"},
		{"stale hash", "/static/hello/hello.css?v=old", http.StatusOK, "no-cache", ".hello"},
		{"missing file", "/static/hello/nope.css", http.StatusNotFound, "", ""},
		{"shell's file", "/static/portico.css", http.StatusOK, "no-cache", "Portico"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, mux, tt.path)
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(resp.Header.Get("Cache-Control"), tt.cache) || !strings.Contains(string(b), tt.body) {
				t.Fatalf("GET %s: %d %q %.40q, want %d %q %q", tt.path, resp.StatusCode, resp.Header.Get("Cache-Control"), b, tt.status, tt.cache, tt.body)
			}
		})
	}
}

func TestPluginAssetsRefused(t *testing.T) {
	files := fstest.MapFS{"a.css": {Data: []byte("a{}")}}
	tests := []struct {
		name   string
		assets []web.Assets
		want   string
	}{
		{"missing stylesheet", []web.Assets{{Namespace: "a", Files: files, Stylesheets: []string{"b.css"}}}, `web assets "a"`},
		{"twice", []web.Assets{{Namespace: "a", Files: files}, {Namespace: "a", Files: files}}, "added twice"},
		{"shell's file name", []web.Assets{{Namespace: "portico.css", Files: files}}, "namespace"},
		{"nested namespace", []web.Assets{{Namespace: "a/b", Files: files}}, "namespace"},
		{"no files", []web.Assets{{Namespace: "a"}}, "files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newShell(t, tt.assets...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
