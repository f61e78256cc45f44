package engine_test

import (
	"encoding/json"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// TestAnalyzeLocationNamesTheRepository: the Component analyze-location suggests for a
// repository without a descriptor is named after the repository, as Backstage's parseGitUrl
// reads the URL, whatever ref or path the URL goes on with.
func TestAnalyzeLocationNamesTheRepository(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		// No reader: nothing is fetched, the suggestion is built from the URL alone.
		e := newEngine(t, db, newClock(), "/", func(o *engine.Options) { o.Reader = nil })
		for _, tt := range []struct{ target, want string }{
			{"https://github.com/acme/payments", "payments"},
			{"https://github.com/acme/payments/", "payments"},
			{"https://github.com/acme/payments.git", "payments"},
			{"https://github.com/acme/payments/tree/main", "payments"},
			{"https://github.com/acme/payments/tree/main/services/api", "payments"},
			{"https://github.com/acme/payments/blob/main/README.md", "payments"},
			{"https://gitlab.com/acme/team/payments/-/tree/main/sub", "payments"},
			{"https://gitlab.com/acme/team/payments", "payments"},
			{"https://bitbucket.org/acme/payments/src/main/", "payments"},
			{"https://dev.azure.com/acme/proj/_git/payments?path=/x", "payments"},
			{"https://git.example.com/acme/payments/tree/main", "payments"},
		} {
			resp, err := e.AnalyzeLocation(t.Context(), wire.AnalyzeLocationRequest{Location: wire.LocationSpec{Type: "url", Target: tt.target}})
			if err != nil || len(resp.GenerateEntities) != 1 {
				t.Fatalf("AnalyzeLocation(%s) = %+v, %v", tt.target, resp, err)
			}
			var ent struct {
				Metadata struct{ Name string } `json:"metadata"`
			}
			if err := json.Unmarshal(resp.GenerateEntities[0].Entity, &ent); err != nil || ent.Metadata.Name != tt.want {
				t.Errorf("AnalyzeLocation(%s) names %q (%v), want %q", tt.target, ent.Metadata.Name, err, tt.want)
			}
		}
	})
}
