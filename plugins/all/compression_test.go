package all_test

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
)

// TestPagesCompressed measures what the portal sends for its heaviest pages over the example
// company's catalog: each is compressed (brotli or gzip, as asked), stays under the 20 KB the
// UI aims for, and the figures go to the test log (go test -v -run TestPagesCompressed
// ./plugins/all/). The shell's stylesheet and script are compressed too.
func TestPagesCompressed(t *testing.T) {
	examples, err := filepath.Abs("../../examples/catalog-info.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := frameworktest.Start(t, map[string]any{
		"backend": map[string]any{"reading": map[string]any{"localRoots": []any{filepath.Dir(examples)}}},
		"catalog": map[string]any{
			"rules":     []any{map[string]any{"allow": []any{"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template"}}},
			"locations": []any{map[string]any{"type": "file", "target": examples}},
		},
	}, all.Features()...)
	token := frameworktest.SignIn(t, b.URL, "/api/auth/guest/refresh?env=development")
	// Wait until relations are stitched, so pages are as full as they get.
	frameworktest.WaitForPage(t, b.Client(), b.URL+"/catalog/default/group/booking-team", "booking-service")

	client := &http.Client{Transport: &http.Transport{DisableCompression: true}} // bytes as sent
	fetch := func(path, encoding string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, b.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept-Encoding", encoding)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return resp, body
	}
	pages := []string{
		"/catalog",                       // the catalog listing (components)
		"/catalog?filters%5Bkind%5D=all", // every kind
		"/catalog/default/component/booking-service",
		"/catalog/default/group/booking-team",
		"/catalog/default/api/bookings-api/definition",
	}
	for _, path := range pages {
		_, plain := fetch(path, "identity")
		line := []string{path, "identity " + kb(len(plain))}
		for _, enc := range []string{"gzip", "br"} {
			resp, body := fetch(path, enc)
			if got := resp.Header.Get("Content-Encoding"); got != enc {
				t.Errorf("GET %s with Accept-Encoding %s: Content-Encoding %q", path, enc, got)
			}
			if len(body) >= 20<<10 {
				t.Errorf("GET %s: %d bytes with %s, want under 20 KB", path, len(body), enc)
			}
			line = append(line, enc+" "+kb(len(body)))
		}
		t.Log(strings.Join(line, "  "))
	}
	_, page := fetch("/catalog", "identity")
	// Every stylesheet pages link is cached for good, and compressed when over 1 KiB.
	css := regexp.MustCompile(`href="(/static/[^"]+\.css\?v=[^"]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(css) == 0 {
		t.Fatal("the catalog page links no stylesheet")
	}
	for _, m := range css {
		_, plain := fetch(m[1], "identity")
		resp, body := fetch(m[1], "gzip, deflate, br")
		want := "br"
		if len(plain) < 1024 {
			want = ""
		}
		if resp.Header.Get("Content-Encoding") != want || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: Content-Encoding %q, Cache-Control %q", m[1], resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"))
		}
		t.Logf("%s  identity %s  br %s", m[1], kb(len(plain)), kb(len(body)))
	}
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
