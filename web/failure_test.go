package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/web"
)

// closedDatabaseError is what a page's query returns while its database is gone.
func closedDatabaseError(t *testing.T) error {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(t.Context(), "SELECT 1")
	if err == nil {
		t.Fatal("query on a closed database succeeded")
	}
	return fmt.Errorf("list entities: %w", err)
}

func TestServerError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		underFrame bool // the framework's server collects the failure for its access log
		wantStatus int
		wantBody   string
		wantLogged bool
	}{
		{"database down, framework server", closedDatabaseError(t), true, http.StatusServiceUnavailable, apierr.UnavailableMessage, false},
		{"database down, no framework server", closedDatabaseError(t), false, http.StatusServiceUnavailable, apierr.UnavailableMessage, true},
		{"other failure", errors.New("template: boom"), true, http.StatusInternalServerError, "Internal Server Error", false},
		{"other failure, no framework server", errors.New("template: boom"), false, http.StatusInternalServerError, "Internal Server Error", true},
		// The request's own fault: its status and message, and no failure to log.
		{"bad input", fmt.Errorf("list entities: %w", apierr.Input("Malformed cursor: could not decode it")), true, http.StatusBadRequest, "Malformed cursor: could not decode it", false},
		{"bad input, no framework server", apierr.Input("Malformed cursor"), false, http.StatusBadRequest, "Malformed cursor", false},
		{"not found", apierr.NotFound("No entity named x"), true, http.StatusNotFound, "No entity named x", false},
		{"cancelled", context.Canceled, true, http.StatusInternalServerError, "Internal Server Error", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			r := httptest.NewRequest(http.MethodGet, "/catalog", nil)
			var failure *apierr.Failure
			if tt.underFrame {
				var ctx context.Context
				ctx, failure = apierr.WithFailure(r.Context())
				r = r.WithContext(ctx)
			}
			w := httptest.NewRecorder()
			web.ServerError(w, r, logger, "render catalog index", tt.err, "page", "catalog")
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if got := strings.TrimSpace(w.Body.String()); got != tt.wantBody {
				t.Errorf("body = %q, want %q", got, tt.wantBody)
			}
			if strings.Contains(w.Body.String(), "boom") || strings.Contains(w.Body.String(), "closed") {
				t.Errorf("body leaks the cause: %q", w.Body.String())
			}
			if logged := logs.Len() > 0; logged != tt.wantLogged {
				t.Errorf("logged = %v (%q), want %v", logged, logs.String(), tt.wantLogged)
			}
			if failure != nil && (failure.Err() != nil) != (tt.wantStatus >= 500) {
				t.Errorf("failure handed to the access log line: %v, want it for a 5xx only", failure.Err())
			}
		})
	}
}
