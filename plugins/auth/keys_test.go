package auth_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/portico-dev/portico/framework/database/databasetest"
)

// TestDataFilesHoldNoSigningKey performs issue 12's attack on the auth plugin: after a sign-in
// (the auth plugin signs a user token, and a service token to ask the catalog who jane is),
// every file of the SQLite data directory is read as an attacker who can read files would.
// Neither the user-token key nor the service-token key may be there in any form.
func TestDataFilesHoldNoSigningKey(t *testing.T) {
	dir := databasetest.SQLiteOptions(t).Directory
	p := startPortalOn(t, map[string]any{"client": "better-sqlite3", "connection": map[string]any{"directory": dir}}, nil)
	b := newBrowser(t)
	resp, _ := b.do(http.MethodGet, p.oidcLogin(b, jane, "/"), nil, nil)
	if resp.StatusCode != http.StatusFound || b.cookie(p.URL+"/", "portico-token") == "" {
		t.Fatalf("sign-in: status %d, no identity cookie", resp.StatusCode)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("data files: %v %v", files, err)
	}
	sawAuth := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sawAuth = sawAuth || bytes.Contains(data, []byte("signing_keys"))
		for _, needle := range []string{"PRIVATE KEY", `"d":"`} {
			if bytes.Contains(data, []byte(needle)) {
				t.Errorf("%s contains %q: a private signing key is stored", filepath.Base(f), needle)
			}
		}
	}
	if !sawAuth {
		t.Fatalf("the auth plugin's database is not among %v", files)
	}
}
