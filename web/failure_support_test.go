package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A failed page of a portal with app.support links the support URL; without it, the plain text
// answer is unchanged.
func TestServerErrorLinksSupport(t *testing.T) {
	tests := []struct {
		name, support string
		wantType      string
		want, notWant []string
	}{
		{"with support", "https://help.example/<x>", "text/html; charset=utf-8",
			[]string{"Internal Server Error", `Still stuck? <a href="https://help.example/&lt;x&gt;">Contact support</a>`}, nil},
		{"without support", "", "text/plain; charset=utf-8", []string{"Internal Server Error"}, []string{"Contact support"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Shell{}
			if tt.support != "" {
				s.opts.Support = &Support{URL: tt.support}
			}
			rec := httptest.NewRecorder()
			r := s.withSupport(httptest.NewRequest("GET", "/catalog", nil))
			ServerError(rec, r, nil, "render", errors.New("boom"))
			if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != tt.wantType {
				t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body %q lacks %q", rec.Body.String(), w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(rec.Body.String(), w) {
					t.Errorf("body %q has %q", rec.Body.String(), w)
				}
			}
		})
	}
}
