package action_test

import (
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// TestPipelineTemplatePublishRegister chains the actions the way a template does: render the
// skeleton, push it to a git server on loopback, register the pushed catalog-info.yaml, and
// read that URL back through the framework's URL reader as the catalog would.
func TestPipelineTemplatePublishRegister(t *testing.T) {
	_, srv, u := servedRepo(t, "acme/pay-svc.git", "bot", "tok")
	integ := action.Integrations{Git: []urlreader.GitIntegration{{Host: u.Host, Username: "bot", Token: "tok"}}}

	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Template.BaseURL = templateBase(t)
	h.ctx.Integrations = integ
	h.ctx.Reader = newURLReaderWith(t, urlreader.Options{Integrations: integ})
	cat := newMemCatalog()
	h.ctx.Catalog = cat

	must(t, h.run("fetch:template", map[string]any{"url": "./skeleton", "values": map[string]any{
		"name": "pay-svc", "owner": "group:default/team-a", "repoUrl": "github.com?owner=acme&repo=pay-svc",
	}}))
	must(t, h.run("publish:git", map[string]any{"remoteUrl": srv.URL + "/acme/pay-svc.git"}))
	contents, _ := h.outputs["repoContentsUrl"].(string)
	if contents != "git+"+srv.URL+"/acme/pay-svc.git#main:" {
		t.Fatalf("repoContentsUrl = %q", contents)
	}
	infoURL := contents + "catalog-info.yaml"
	cat.entities[infoURL] = []*model.Entity{entity("Component", "pay-svc")}
	must(t, h.run("catalog:register", map[string]any{"repoContentsUrl": contents, "catalogInfoPath": "/catalog-info.yaml"}))
	if h.outputs["catalogInfoUrl"] != infoURL || h.outputs["entityRef"] != "component:default/pay-svc" {
		t.Fatalf("register outputs = %v", h.outputs)
	}

	reader, err := urlreader.New(urlreader.Options{Integrations: integ, CacheDir: t.TempDir()})
	must(t, err)
	defer reader.Close()
	resp, err := reader.ReadURL(t.Context(), infoURL, urlreader.ReadOptions{})
	if err != nil {
		t.Fatalf("read registered url %s: %v", infoURL, err)
	}
	if body := string(resp.Body); !strings.Contains(body, `name: "pay-svc"`) || !strings.Contains(body, "owner: group:default/team-a") {
		t.Fatalf("catalog-info.yaml as pushed:\n%s", body)
	}
}
