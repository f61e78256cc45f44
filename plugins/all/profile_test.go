package all_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
)

// TestProfileLinksLeadToPages: the header's Profile link, and the "Signed in as" and
// ownership links of Settings, name the signed-in user's entity page only when the catalog
// has that entity; a guest, whom no catalog describes, gets no link that answers 404.
func TestProfileLinksLeadToPages(t *testing.T) {
	const guestEntity = `apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: guest, namespace: development}
spec: {memberOf: [team-a]}
`
	const team = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
`
	for _, tc := range []struct {
		name        string
		catalog     string
		wantProfile bool
	}{
		{"guest not in the catalog", team, false},
		{"guest in the catalog", team + "---\n" + guestEntity, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := frameworktest.CatalogConfig(t, tc.catalog, "Group", "User", "Location")
			b := frameworktest.Start(t, cfg, all.Features()...)
			frameworktest.WaitForJSON(t, b.Client(), b.URL+"/api/catalog/entities/by-name/group/default/team-a", &map[string]any{})
			if tc.wantProfile {
				frameworktest.WaitForJSON(t, b.Client(), b.URL+"/api/catalog/entities/by-name/user/development/guest", &map[string]any{})
			}
			token := frameworktest.SignIn(t, b.URL, "/api/auth/guest/refresh?env=development")
			page := func(path string) (int, string) {
				t.Helper()
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, b.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = resp.Body.Close() }()
				var sb strings.Builder
				_, _ = io.Copy(&sb, resp.Body)
				return resp.StatusCode, sb.String()
			}
			const profile = "/catalog/development/user/guest"
			for _, path := range []string{"/catalog", "/settings"} {
				status, body := page(path)
				if status != http.StatusOK {
					t.Fatalf("GET %s: %d", path, status)
				}
				if got := strings.Contains(body, `href="`+profile+`"`); got != tc.wantProfile {
					t.Errorf("GET %s links the guest's profile: %v, want %v", path, got, tc.wantProfile)
				}
				if strings.Contains(body, `href=""`) {
					t.Errorf("GET %s has an empty link", path)
				}
			}
			// Whatever the menu and Settings link to answers.
			_, settings := page("/settings")
			for _, m := range regexp.MustCompile(`href="(/catalog/[^"]+)"`).FindAllStringSubmatch(settings, -1) {
				if status, _ := page(m[1]); status != http.StatusOK {
					t.Errorf("Settings links %s, which answers %d", m[1], status)
				}
			}
		})
	}
}
