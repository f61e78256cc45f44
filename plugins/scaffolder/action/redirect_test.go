package action_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// TestPublishGitRefusesRedirectToUnconfiguredHost: git follows a redirect of the ref discovery,
// so a configured host could send the push (the workspace, credentials stripped or not) to any
// other host. A redirect to a host the operator did not configure is refused before it is
// followed: the other host receives no request and its repository stays empty. A redirect
// within the configured host still works.
func TestPublishGitRefusesRedirectToUnconfiguredHost(t *testing.T) {
	strayRoot := t.TempDir()
	stray := bareRepo(t, strayRoot, "team/svc.git")
	var strayHits atomic.Int64
	straySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		strayHits.Add(1)
		gitServer(t, strayRoot, "", "").ServeHTTP(w, r)
	}))
	defer straySrv.Close()

	okRoot := t.TempDir()
	bareRepo(t, okRoot, "team/moved.git")
	okGit := gitServer(t, okRoot, "", "")
	okSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/away/"):
			http.Redirect(w, r, straySrv.URL+strings.TrimPrefix(r.URL.Path, "/away")+"?"+r.URL.RawQuery, http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/old/"):
			http.Redirect(w, r, "/team/moved.git"+strings.TrimPrefix(r.URL.Path, "/old/team/svc.git")+"?"+r.URL.RawQuery, http.StatusMovedPermanently)
		default:
			okGit.ServeHTTP(w, r)
		}
	}))
	defer okSrv.Close()
	okURL, _ := url.Parse(okSrv.URL)
	reader, err := urlreader.New(urlreader.Options{Allow: []urlreader.AllowRule{{Host: okURL.Host}}, CacheDir: t.TempDir()})
	must(t, err)
	defer reader.Close()

	tests := []struct {
		name, remote, wantErr string
	}{
		{"redirect to an unconfigured host", okSrv.URL + "/away/team/svc.git", "redirect to " + straySrv.URL},
		{"redirect within the configured host", okSrv.URL + "/old/team/svc.git", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := seededHarness(t, action.NewURLReader(reader))
			err := h.run("publish:git", map[string]any{"remoteUrl": tc.remote})
			if tc.wantErr == "" {
				must(t, err)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("publish:git to %s: got error %v, want %q", tc.remote, err, tc.wantErr)
			}
			if n := strayHits.Load(); n != 0 {
				t.Errorf("the unconfigured host received %d requests", n)
			}
			if refs := gitCmd(t, stray, "for-each-ref"); refs != "" {
				t.Fatalf("repository %s was written to:\n%s", stray, refs)
			}
		})
	}
}
