package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSignOutRefusesCrossSitePosts performs issue 12's item 7: a page on another site posts the
// sign-out form. The post is refused and the session cookie survives; the portal's own form
// (same origin) still signs out.
func TestSignOutRefusesCrossSitePosts(t *testing.T) {
	p := startPortal(t, nil)
	b := newBrowser(t)
	if resp, _ := b.follow(p.URL+"/api/auth/guest/start?env=development&flow=redirect&redirectUrl=%2F", func(u *url.URL) bool { return u.Path == "/" }); resp.StatusCode != http.StatusFound {
		t.Fatalf("guest sign-in: %d", resp.StatusCode)
	}
	token := b.cookie(p.URL+"/", "portico-token")
	if token == "" {
		t.Fatal("no session cookie after sign-in")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name      string
		headers   map[string]string
		wantCode  int
		signedOut bool
	}{
		{"foreign Origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden, false},
		{"cross-site fetch metadata without Origin", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden, false},
		{"same-site sibling origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://other.127.0.0.1.nip.io"}, http.StatusForbidden, false},
		{"same origin (fetch metadata)", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": p.URL}, http.StatusSeeOther, true},
		{"same origin (Origin only)", map[string]string{"Origin": p.URL}, http.StatusSeeOther, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, p.URL+"/sign-out", strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "portico-token", Value: token})
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cleared := false
			for _, c := range resp.Cookies() {
				if c.Name == "portico-token" && c.MaxAge < 0 {
					cleared = true
				}
			}
			if resp.StatusCode != tt.wantCode || cleared != tt.signedOut {
				t.Fatalf("POST /sign-out with %v: status %d, session cookie cleared %v; want %d, %v", tt.headers, resp.StatusCode, cleared, tt.wantCode, tt.signedOut)
			}
		})
	}
}
