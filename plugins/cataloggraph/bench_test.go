package cataloggraph_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/cataloggraph"
	"github.com/portico-dev/portico/web"
)

// BenchmarkBigGroup measures the group page (with its Relations card) and the graph page at
// depth 2 for a group owning 2,000 components, through the real catalog on SQLite:
//
//	go test -run x -bench BigGroup -benchtime 20x ./plugins/cataloggraph/
func BenchmarkBigGroup(b *testing.B) {
	dir := b.TempDir()
	var doc strings.Builder
	doc.WriteString("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: big-team}\nspec: {type: team, children: []}\n")
	for i := range 2000 {
		fmt.Fprintf(&doc, "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc-%04d}\nspec: {type: service, lifecycle: production, owner: big-team}\n", i)
	}
	file := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(file, []byte(doc.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	be := frameworktest.Start(b, map[string]any{
		"backend": map[string]any{"reading": map[string]any{"localRoots": []any{dir}}},
		"catalog": map[string]any{
			"locations": []any{map[string]any{"type": "file", "target": file}},
			"rules":     []any{map[string]any{"allow": []any{"Component", "Group", "Location"}}},
		},
	}, web.RegistryFactory(), app.Plugin(), catalog.Plugin(), cataloggraph.Plugin())
	pages := map[string]string{
		"entity page": be.URL + "/catalog/default/group/big-team",
		"graph page":  be.URL + "/catalog-graph?rootEntityRefs[]=group:default/big-team&maxDepth=2",
	}
	fetch := func(u string) string {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		return string(body)
	}
	ready := func() bool {
		return strings.Contains(fetch(pages["graph page"]), "+1970 more") && strings.Contains(fetch(pages["entity page"]), "+1988 more")
	}
	for deadline := time.Now().Add(3 * time.Minute); !ready(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the big group was never ingested")
		}
	}
	for _, name := range []string{"entity page", "graph page"} {
		b.Run(name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				size = len(fetch(pages[name]))
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
