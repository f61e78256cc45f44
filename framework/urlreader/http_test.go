package urlreader_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/urlreader"
)

var lastModified = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// fileServer serves a few paths with ETag and Last-Modified validators.
func fileServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /docs/a.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", lastModified.Format(http.TimeFormat))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !lastModified.After(ims) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, "a: 1\n")
	})
	mux.HandleFunc("GET /secret/b.yaml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret\n")
	})
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		fmt.Fprint(w, strings.Repeat("x", 100))
	})
	mux.HandleFunc("GET /big-chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 10 {
			fmt.Fprint(w, strings.Repeat("x", 10))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("GET /exact", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", 64))
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusBadGateway)
	})
	mux.HandleFunc("GET /forbidden", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPReadURL(t *testing.T) {
	srv := fileServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	r := newReader(t, urlreader.Options{
		Allow:    []urlreader.AllowRule{{Host: host, Paths: []string{"/docs/", "/big", "/exact", "/boom", "/forbidden", "/missing"}}},
		MaxBytes: 64,
	})
	tests := []struct {
		name    string
		path    string
		opts    urlreader.ReadOptions
		want    string
		wantErr error
		wantMsg string
	}{
		{name: "allowed path", path: "/docs/a.yaml", want: "a: 1\n"},
		{name: "matching etag", path: "/docs/a.yaml", opts: urlreader.ReadOptions{ETag: `"v1"`}, wantErr: urlreader.ErrNotModified},
		{name: "stale etag", path: "/docs/a.yaml", opts: urlreader.ReadOptions{ETag: `"v0"`}, want: "a: 1\n"},
		{name: "not modified since", path: "/docs/a.yaml", opts: urlreader.ReadOptions{LastModifiedAfter: lastModified}, wantErr: urlreader.ErrNotModified},
		{name: "modified since", path: "/docs/a.yaml", opts: urlreader.ReadOptions{LastModifiedAfter: lastModified.Add(-time.Hour)}, want: "a: 1\n"},
		{name: "path outside prefixes", path: "/secret/b.yaml", wantErr: urlreader.ErrNotAllowed},
		{name: "dot-dot out of a prefix", path: "/docs/../secret/b.yaml", wantErr: urlreader.ErrNotAllowed},
		{name: "encoded dot-dot out of a prefix", path: "/docs/%2e%2e/secret/b.yaml", wantErr: urlreader.ErrNotAllowed},
		{name: "missing", path: "/missing", wantErr: urlreader.ErrNotFound},
		{name: "content length over limit", path: "/big", wantErr: urlreader.ErrTooLarge},
		{name: "chunked body over limit", path: "/big-chunked", wantErr: urlreader.ErrTooLarge},
		{name: "body at the limit", path: "/exact", want: strings.Repeat("x", 64)},
		{name: "server error", path: "/boom", wantMsg: "502"},
		{name: "forbidden", path: "/forbidden", wantMsg: "access denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkRead(t, r, srv.URL+tc.path, tc.opts, tc.want, tc.wantErr, tc.wantMsg)
		})
	}

	t.Run("validators are returned", func(t *testing.T) {
		resp, err := r.ReadURL(t.Context(), srv.URL+"/docs/a.yaml", urlreader.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if resp.ETag != `"v1"` || !resp.LastModified.Equal(lastModified) {
			t.Errorf("ETag %q, LastModified %v; want %q, %v", resp.ETag, resp.LastModified, `"v1"`, lastModified)
		}
	})
}

func TestHTTPRedirects(t *testing.T) {
	target := fileServer(t)
	other := fileServer(t) // same content, on a host that is not allowed
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-allowed":
			http.Redirect(w, r, target.URL+"/docs/a.yaml", http.StatusFound)
		case "/to-disallowed":
			http.Redirect(w, r, other.URL+"/docs/a.yaml", http.StatusFound)
		case "/to-disallowed-path":
			http.Redirect(w, r, target.URL+"/secret/b.yaml", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer front.Close()
	r := newReader(t, urlreader.Options{Allow: []urlreader.AllowRule{
		{Host: strings.TrimPrefix(front.URL, "http://")},
		{Host: strings.TrimPrefix(target.URL, "http://"), Paths: []string{"/docs/"}},
	}})
	tests := []struct {
		name    string
		path    string
		wantErr error
		wantMsg string
	}{
		{name: "to an allowed host", path: "/to-allowed"},
		{name: "to a host not allowed", path: "/to-disallowed", wantErr: urlreader.ErrNotAllowed},
		{name: "to a path not allowed", path: "/to-disallowed-path", wantErr: urlreader.ErrNotAllowed},
		{name: "loop", path: "/loop", wantMsg: "redirects"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkRead(t, r, front.URL+tc.path, urlreader.ReadOptions{}, "a: 1\n", tc.wantErr, tc.wantMsg)
		})
	}
}

func TestHTTPReadTreeUnsupported(t *testing.T) {
	srv := fileServer(t)
	r := newReader(t, urlreader.Options{Allow: []urlreader.AllowRule{{Host: strings.TrimPrefix(srv.URL, "http://")}}})
	_, err := r.ReadTree(t.Context(), srv.URL+"/docs/", urlreader.TreeOptions{})
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("ReadTree on a plain host: err = %v, want errors.ErrUnsupported", err)
	}
	_, err = r.Search(t.Context(), srv.URL+"/docs/*.yaml", urlreader.SearchOptions{})
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Search with a glob on a plain host: err = %v, want errors.ErrUnsupported", err)
	}
	res, err := r.Search(t.Context(), srv.URL+"/docs/a.yaml", urlreader.SearchOptions{})
	if err != nil || len(res) != 1 || res[0].URL != srv.URL+"/docs/a.yaml" {
		t.Fatalf("Search without a glob = %v, %v; want the one file", res, err)
	}
	res, err = r.Search(t.Context(), srv.URL+"/docs/missing.yaml", urlreader.SearchOptions{})
	if err != nil || len(res) != 0 {
		t.Fatalf("Search of a missing file = %v, %v; want no results", res, err)
	}
}
