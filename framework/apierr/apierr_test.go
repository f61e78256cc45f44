package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantName   string
		wantMsg    string
	}{
		{"input", Input("bad filter %q", "x="), 400, "InputError", `bad filter "x="`},
		{"not found wrapped", fmt.Errorf("get: %w", NotFound("No entity named 'x' found")), 404, "NotFoundError", "No entity named 'x' found"},
		{"conflict", Conflict("exists"), 409, "ConflictError", "exists"},
		{"auth", Authentication("missing token"), 401, "AuthenticationError", "missing token"},
		{"forbidden", NotAllowed("no"), 403, "NotAllowedError", "no"},
		{"not implemented", NotImplemented("later"), 501, "NotImplementedError", "later"},
		{"unavailable", ServiceUnavailable("starting"), 503, "ServiceUnavailableError", "starting"},
		{"internal hides details", errors.New("pq: password=secret"), 500, "Error", "Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/entities?x=1", nil)
			r = r.WithContext(WithOriginalURL(r.Context(), "/api/catalog/entities?x=1"))
			w := httptest.NewRecorder()
			Write(w, r, nil, tt.err)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			var body Body
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body.String(), err)
			}
			want := Body{
				Error:    BodyError{Name: tt.wantName, Message: tt.wantMsg},
				Request:  BodyRequest{Method: "GET", URL: "/api/catalog/entities?x=1"},
				Response: BodyResponse{StatusCode: tt.wantStatus},
			}
			if body != want {
				t.Errorf("body = %+v, want %+v", body, want)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	sentinel := errors.New("row missing")
	err := NotFound("entity: %w", sentinel)
	if !errors.Is(err, sentinel) {
		t.Fatalf("errors.Is lost the cause: %v", err)
	}
	if err.Message != "entity: row missing" {
		t.Errorf("message = %q", err.Message)
	}
}
