package cli

import (
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/all"
)

func TestBenchCatalog(t *testing.T) {
	out, _, err := runIn(t, t.TempDir(), all.Features(), nil, nil, "bench", "catalog", "--entities", "200", "--queries", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"200 entities generated, 202 stitched", "ingest+stitch:", "refresh cycle:", "peak RSS:", "by-name", "entity-facets spec.type", "full-text"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
