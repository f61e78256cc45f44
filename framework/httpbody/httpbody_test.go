package httpbody_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpbody"
)

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name  string         `json:"name"`
		Value map[string]any `json:"value"`
	}
	for _, tt := range []struct {
		name    string
		body    string
		limit   int64
		want    string // Name after decoding, when no error
		wantErr string // in the InputError's message
	}{
		{name: "plain", body: `{"name":"a"}`, limit: 100, want: "a"},
		{name: "empty body reads as {}", body: "", limit: 100, want: "unchanged"},
		{name: "white space reads as {}", body: " \n", limit: 100, want: "unchanged"},
		{name: "escaped backslash then u0000 is text", body: `{"name":"\\u0000"}`, limit: 100, want: `\u0000`},
		{name: "NUL escape in a value", body: `{"name":"a\u0000"}`, limit: 100, wantErr: "NUL"},
		{name: "NUL escape in a nested key", body: `{"value":{"k\u0000":1}}`, limit: 100, wantErr: "NUL"},
		{name: "NUL escape after an escaped backslash", body: `{"name":"\\\u0000"}`, limit: 100, wantErr: "NUL"},
		{name: "raw NUL byte", body: "{\"name\":\"a\x00\"}", limit: 100, wantErr: "NUL"},
		{name: "malformed", body: `{"name":`, limit: 100, wantErr: "Malformed request body"},
		{name: "trailing data", body: `{"name":"a"} {}`, limit: 100, wantErr: "Malformed request body"},
		{name: "wrong type", body: `{"name":1}`, limit: 100, wantErr: "Malformed request body"},
		{name: "at the limit", body: `{"name":"abc"}`, limit: 14, want: "abc"},
		{name: "over the limit", body: `{"name":"abcd"}`, limit: 14, wantErr: "larger than 14 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tt.body))
			v := body{Name: "unchanged"}
			err := httpbody.DecodeJSON(httptest.NewRecorder(), r, tt.limit, &v)
			if tt.wantErr == "" {
				if err != nil || v.Name != tt.want {
					t.Fatalf("DecodeJSON(%q) = %+v, %v; want name %q", tt.body, v, err, tt.want)
				}
				return
			}
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Name != "InputError" || ae.Status != http.StatusBadRequest || !strings.Contains(ae.Message, tt.wantErr) {
				t.Fatalf("DecodeJSON(%q) = %v; want a 400 InputError containing %q", tt.body, err, tt.wantErr)
			}
		})
	}
}
