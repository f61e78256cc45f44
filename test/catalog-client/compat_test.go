// Package catalogclienttest proves that Backstage's own @backstage/catalog-client works against
// Portico: it starts the portal in-process on the examples/ catalog and runs a Node test suite
// that calls every catalog method of CatalogClient (catalog-client.test.mjs).
package catalogclienttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

func TestCatalogClientCompatibility(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the catalog-client compatibility test in -short mode")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: %s is not installed", tool)
		}
	}
	if !hasPlugin(all.Features(), "catalog") {
		t.Fatal("plugins/all must include the catalog plugin")
	}
	ctx := t.Context()
	run(t, exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund"))

	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(examples, "catalog-info.yaml")
	want := exampleEntityCount(t, root)

	fixtures := httptest.NewServer(http.FileServer(http.Dir("fixtures")))
	t.Cleanup(fixtures.Close)
	fixtureURL, err := url.Parse(fixtures.URL)
	if err != nil {
		t.Fatal(err)
	}

	base := frameworktest.Start(t, map[string]any{
		"backend": map[string]any{
			// The catalog API needs credentials: the client sends this static token.
			"auth": map[string]any{"externalAccess": []any{map[string]any{
				"type": "static", "options": map[string]any{"token": testToken, "subject": "catalog-client-test"},
			}}},
			"workingDirectory": t.TempDir(),
			"database": map[string]any{
				"client":     "better-sqlite3",
				"connection": map[string]any{"directory": t.TempDir()},
			},
			"reading": map[string]any{
				"localRoots": []any{examples},
				"allow":      []any{map[string]any{"host": fixtureURL.Host}},
			},
		},
		"catalog": map[string]any{
			"rules": []any{map[string]any{"allow": []any{
				"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template",
			}}},
			"locations": []any{map[string]any{"type": "file", "target": root}},
		},
	}, all.Features()...).URL
	waitForExamples(t, base, want+1) // the examples plus the generated root Location

	node := exec.CommandContext(ctx, "node", "--test", "catalog-client.test.mjs")
	node.Env = append(os.Environ(), "PORTICO_URL="+base, "FIXTURE_URL="+fixtures.URL, "PORTICO_TOKEN="+testToken)
	out := run(t, node)
	t.Logf("node --test:\n%s", tail(out, 40))
}

// testToken is the static external-access token the test's Portico accepts.
const testToken = "catalog-client-compat-token"

func hasPlugin(features []framework.Feature, id string) bool {
	for _, f := range features {
		if p, ok := f.(framework.Plugin); ok && p.ID == id {
			return true
		}
	}
	return false
}

// run runs a command in this directory and fails the test with its output when it fails.
func run(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	return string(out)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// exampleEntityCount counts the entities reachable from the examples' root Location.
func exampleEntityCount(t *testing.T, root string) int {
	t.Helper()
	seen := map[string]bool{}
	n := 0
	var follow func(path string)
	follow = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range model.ParseDescriptor(data, model.ParseOptions{}) {
			if d.Entity == nil {
				t.Fatalf("%s:%d: not an entity", path, d.Line)
			}
			n++
			if d.Entity.Kind != model.KindLocation {
				continue
			}
			targets, _ := d.Entity.Spec["targets"].([]any)
			if s, ok := d.Entity.Spec["target"].(string); ok {
				targets = append(targets, s)
			}
			for _, target := range targets {
				follow(filepath.Join(filepath.Dir(path), target.(string)))
			}
		}
	}
	follow(root)
	return n
}

// waitForExamples waits until the catalog serves want entities, stitched: the relations that
// other entities declare (a group's members, a resource's dependencyOf) are visible.
func waitForExamples(t *testing.T, base string, want int) {
	t.Helper()
	poll(t, fmt.Sprintf("the catalog to ingest %d entities", want), 3*time.Minute, func() (bool, string) {
		var page struct {
			TotalItems int `json:"totalItems"`
		}
		if err := getJSON(base+"/api/catalog/entities/by-query?limit=1", &page); err != nil {
			return false, err.Error()
		}
		if page.TotalItems < want {
			return false, fmt.Sprintf("%d entities", page.TotalItems)
		}
		for ref, rel := range map[string]string{
			"group/default/booking-team":        "hasMember user:default/wei.zhang",
			"component/default/booking-service": "dependsOn resource:default/production-cluster",
			"system/default/developer-platform": "hasPart component:default/deploy-bot",
			"api/default/risk-scoring-api":      "apiConsumedBy component:default/risk-console",
		} {
			var e model.Entity
			if err := getJSON(base+"/api/catalog/entities/by-name/"+ref, &e); err != nil {
				return false, err.Error()
			}
			typ, target, _ := strings.Cut(rel, " ")
			found := false
			for _, r := range e.Relations {
				found = found || (r.Type == typ && r.TargetRef == target)
			}
			if !found {
				return false, ref + " lacks " + rel
			}
		}
		return true, ""
	})
}

func getJSON(url string, v any) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

// poll calls check until it reports true, failing after timeout or when done delivers (the
// backend stopped). It waits a short, fixed interval between calls.
func poll(t *testing.T, what string, timeout time.Duration, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, last := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last: %s)", what, last)
		}
		time.Sleep(100 * time.Millisecond) // polling with a bound
	}
}
