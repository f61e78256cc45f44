package app_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/web"
)

func TestConfigEndpointServesOnlyFrontendValues(t *testing.T) {
	b := frameworktest.Start(t, map[string]any{
		"app":          map[string]any{"title": "Acme Portal", "baseUrl": "https://portal.acme.test", "secretThing": "nope"},
		"organization": map[string]any{"name": "Acme"},
		"backend":      map[string]any{"baseUrl": "https://portal.acme.test", "auth": map[string]any{"keys": []any{map[string]any{"secret": "shh-very-secret"}}}},
	}, web.RegistryFactory(), app.Plugin())
	resp, err := http.Get(b.URL + "/api/app/config")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []struct {
		Context string         `json:"context"`
		Data    map[string]any `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || len(got) != 1 {
		t.Fatalf("status %d, body %+v", resp.StatusCode, got)
	}
	want := map[string]any{
		"app":          map[string]any{"title": "Acme Portal", "baseUrl": "https://portal.acme.test"},
		"organization": map[string]any{"name": "Acme"},
		"backend":      map[string]any{"baseUrl": "https://portal.acme.test"},
	}
	gotJSON, _ := json.Marshal(got[0].Data)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("data = %s\nwant   %s", gotJSON, wantJSON)
	}
}
