package apierr

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-dev/portico/framework/database/databasetest"
)

// TestClassifyOnlyDatabaseIsUnavailable: a 503 "the database cannot be reached" is for the
// database only. A read of a remote host that refuses connections (a placeholder, a fetch, a
// provider's token endpoint) fails with the same network error and must not claim it.
func TestClassifyOnlyDatabaseIsUnavailable(t *testing.T) {
	tests := []struct {
		name       string
		err        func(t *testing.T) error
		wantStatus int
	}{
		{"closed sqlite pool", func(t *testing.T) error {
			db := databasetest.OpenSQLite(t, "classify")
			_ = db.DB.Close()
			_, err := db.ExecContext(t.Context(), "SELECT 1")
			return fmt.Errorf("list: %w", err)
		}, http.StatusServiceUnavailable},
		{"http read of a closed server", func(t *testing.T) error {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close()
			resp, err := srv.Client().Get(srv.URL + "/catalog-info.yaml")
			if err == nil {
				_ = resp.Body.Close()
				t.Fatal("the closed server answered")
			}
			return fmt.Errorf("read %s: %w", srv.URL, err)
		}, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			got, internal := Classify(err)
			if got.Status != tc.wantStatus || !internal {
				t.Errorf("Classify(%v) = %d %s %q (internal %v), want %d", err, got.Status, got.Name, got.Message, internal, tc.wantStatus)
			}
		})
	}
}
