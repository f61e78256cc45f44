package auth_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestRotationSeenByOtherPlugins: after the signing key rotates, other plugins (verifying
// through the framework's cached copy of our JWKS) accept tokens of the new key at once,
// because it was published before it signed.
func TestRotationSeenByOtherPlugins(t *testing.T) {
	p := startPortal(t, map[string]any{"keyStore": map[string]any{"rotationPeriod": "1s"}})
	guest := func() string {
		b := newBrowser(t)
		resp, _ := b.follow(p.URL+"/api/auth/guest/start?env=development&flow=redirect&redirectUrl=%2F", func(u *url.URL) bool { return u.Path == "/" })
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("guest sign-in: %d", resp.StatusCode)
		}
		return b.cookie(p.URL+"/", "portico-token")
	}
	first := guest()
	if st := bearerStatus(t, p.URL+"/api/catalog/entities?limit=1", first); st != http.StatusOK {
		t.Fatalf("first token at the catalog: %d", st) // the catalog now caches our JWKS
	}
	// Wall-clock rotation: the period is 1s.
	time.Sleep(1100 * time.Millisecond)
	second := guest()
	if header(t, second)["kid"] == header(t, first)["kid"] {
		t.Fatal("the key did not rotate")
	}
	for name, tok := range map[string]string{"new key": second, "old key": first} {
		if st := bearerStatus(t, p.URL+"/api/catalog/entities?limit=1", tok); st != http.StatusOK {
			t.Fatalf("%s token at the catalog right after rotation: %d", name, st)
		}
	}
}
