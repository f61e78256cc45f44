package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
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

// mountShell is a shell with the hello page and assets, mounted on a mux.
func mountShell(t *testing.T, assets ...web.Assets) *http.ServeMux {
	t.Helper()
	s, err := newShell(t, assets...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	return mux
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
	mux := mountShell(t, web.Assets{Namespace: "hello", Files: files, Stylesheets: []string{"hello.css"}, Scripts: []string{"hello.js"}})

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

// TestAssetCaching: every content-hashed URL a page links (the shell's files, the icon, each
// plugin's) is cached for good, other static answers are revalidated or not cached at all,
// and pages themselves are private and revalidated.
func TestAssetCaching(t *testing.T) {
	files := fstest.MapFS{
		"hello.css":     {Data: []byte(".hello { color: red }")},
		"hello.js":      {Data: []byte("console.log('hi')")},
		"sub/extra.css": {Data: []byte(".extra {}")},
	}
	mux := mountShell(t, web.Assets{Namespace: "hello", Files: files, Stylesheets: []string{"hello.css"}, Scripts: []string{"hello.js"}})

	page := get(t, mux, "/hello")
	if cc := page.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("page Cache-Control = %q, want private, no-cache", cc)
	}
	body, _ := io.ReadAll(page.Body)
	urls := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(string(body), -1)
	if len(urls) < 5 { // icon, portico.css, portico.js, hello.css, hello.js
		t.Fatalf("page links %d static files: %q", len(urls), urls)
	}
	for _, m := range urls {
		u := strings.ReplaceAll(m[1], "&amp;", "&")
		resp := get(t, mux, u)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d %q, want 200 and immutable caching", u, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	if !strings.Contains(string(body), `<link rel="icon" type="image/svg+xml" href="/static/favicon.svg?v=`) {
		t.Error("the page links no icon")
	}

	_, hash, _ := strings.Cut(urls[0][1], "?v=")
	tests := []struct {
		name, path string
		status     int
		cache      string // "": no Cache-Control
	}{
		{"missing file under the current hash", "/static/hello/nope.css?v=" + hash, http.StatusNotFound, ""},
		{"plugin directory", "/static/hello/sub/", http.StatusNotFound, ""},
		{"shell directory", "/static/", http.StatusNotFound, ""},
		{"nested plugin file", "/static/hello/sub/extra.css", http.StatusOK, "no-cache"},
		{"icon without hash", "/static/favicon.svg", http.StatusOK, "no-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, mux, tt.path)
			if resp.StatusCode != tt.status || resp.Header.Get("Cache-Control") != tt.cache {
				t.Fatalf("GET %s: %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("Cache-Control"), tt.status, tt.cache)
			}
		})
	}
}

// TestFavicon: /favicon.ico, which browsers ask for on their own, leads to the shell's SVG icon.
func TestFavicon(t *testing.T) {
	mux := mountShell(t)
	resp := get(t, mux, "/favicon.ico")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/static/favicon.svg?v=") {
		t.Fatalf("GET /favicon.ico: %d Location %q", resp.StatusCode, loc)
	}
	icon := get(t, mux, loc)
	b, _ := io.ReadAll(icon.Body)
	if icon.StatusCode != http.StatusOK || icon.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(string(b), "<svg") {
		t.Fatalf("GET %s: %d %q %.30q", loc, icon.StatusCode, icon.Header.Get("Content-Type"), b)
	}
}

// TestPageStylesheets: a plugin's page stylesheet is linked only from pages whose content
// asked for it while rendering, once, after the stylesheets of every page.
func TestPageStylesheets(t *testing.T) {
	files := fstest.MapFS{"code.css": {Data: []byte(".code {}")}, "all.css": {Data: []byte(".all {}")}}
	reg := &web.Registry{}
	reg.Add(
		extension.Page(extension.PageSpec{Namespace: "plain", Path: "/plain", Renderer: pluginPage}),
		extension.Page(extension.PageSpec{Namespace: "code", Path: "/code", Renderer: web.PageHandlerFunc(func(w http.ResponseWriter, r *http.Request, p *web.Page) {
			web.UseStylesheet(r.Context(), "hello", "code.css")
			web.UseStylesheet(r.Context(), "hello", "code.css")
			web.UseStylesheet(r.Context(), "hello", "undeclared.css")
			p.Shell().Render(w, r, web.View{Title: "Code"})
		})}),
	)
	reg.AddAssets(web.Assets{Namespace: "hello", Files: files, Stylesheets: []string{"all.css"}, PageStylesheets: []string{"code.css"}})
	tree, err := extension.Resolve(reg.Extensions(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{Assets: reg.Assets()}, tree)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	html := func(path string) string {
		b, _ := io.ReadAll(get(t, mux, path).Body)
		return string(b)
	}
	if plain := html("/plain"); strings.Contains(plain, "code.css") || !strings.Contains(plain, "/static/hello/all.css?v=") {
		t.Errorf("/plain links:\n%s", plain)
	}
	code := html("/code")
	if strings.Count(code, `<link rel="stylesheet" href="/static/hello/code.css?v=`) != 1 || strings.Index(code, "code.css") < strings.Index(code, "all.css") || strings.Contains(code, "undeclared") {
		t.Errorf("/code links:\n%s", code)
	}
	// Render again: one page's stylesheets do not leak into the next page.
	if plain := html("/plain"); strings.Contains(plain, "code.css") {
		t.Error("/plain links code.css after /code was served")
	}
}
