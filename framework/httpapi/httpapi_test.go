package httpapi_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/httpapi"
)

var errTaskNotFound = errkind.New(errkind.NotFound, "task not found")

// TestHandle runs each kind of answer through a real server: values, statuses, headers, no
// body, every error form, and bodies decoded with the API's limit.
func TestHandle(t *testing.T) {
	api := httpapi.New(nil, 64)
	tests := []struct {
		name       string
		fn         httpapi.Func
		body       string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{"value is 200 JSON", func(*httpapi.Request) (any, error) { return map[string]int{"a": 1}, nil },
			"", 200, `{"a":1}` + "\n", map[string]string{"Content-Type": "application/json; charset=utf-8"}},
		{"created", func(*httpapi.Request) (any, error) { return httpapi.Created(map[string]string{"id": "x"}), nil },
			"", 201, `{"id":"x"}` + "\n", nil},
		{"no content", func(*httpapi.Request) (any, error) { return httpapi.NoContent(), nil }, "", 204, "", nil},
		{"empty 200", func(*httpapi.Request) (any, error) { return nil, nil }, "", 200, "", nil},
		{"header", func(*httpapi.Request) (any, error) {
			return httpapi.OK([]int{}).WithHeader("Link", `</x?after=a>; rel="next"`), nil
		}, "", 200, "[]\n", map[string]string{"Link": `</x?after=a>; rel="next"`}},
		{"other status with a body", func(*httpapi.Request) (any, error) {
			return httpapi.Status(400, map[string]any{"errors": []string{"e"}}), nil
		}, "", 400, `{"errors":["e"]}` + "\n", nil},
		{"apierr error", func(*httpapi.Request) (any, error) {
			return nil, apierr.Conflict("Location %s already exists", "url:x")
		},
			"", 409, `{"error":{"name":"ConflictError","message":"Location url:x already exists"},"request":{"method":"POST","url":"/t"},"response":{"statusCode":409}}` + "\n", nil},
		{"package sentinel of a kind", func(*httpapi.Request) (any, error) { return nil, fmt.Errorf("%w: task %s", errTaskNotFound, "t1") },
			"", 404, `{"error":{"name":"NotFoundError","message":"task t1"},"request":{"method":"POST","url":"/t"},"response":{"statusCode":404}}` + "\n", nil},
		{"kind wrapped directly", func(*httpapi.Request) (any, error) { return nil, fmt.Errorf("%w: bad limit", apierr.ErrInput) },
			"", 400, `{"error":{"name":"InputError","message":"bad limit"},"request":{"method":"POST","url":"/t"},"response":{"statusCode":400}}` + "\n", nil},
		{"internal error hides its cause", func(*httpapi.Request) (any, error) { return nil, errors.New("secret detail") },
			"", 500, `{"error":{"name":"Error","message":"Internal Server Error"},"request":{"method":"POST","url":"/t"},"response":{"statusCode":500}}` + "\n", nil},
		{"decoded body", func(r *httpapi.Request) (any, error) {
			var b struct{ Name string }
			if err := r.DecodeJSON(&b); err != nil {
				return nil, err
			}
			return map[string]string{"hello": b.Name}, nil
		}, `{"Name":"you"}`, 200, `{"hello":"you"}` + "\n", nil},
		{"body over the API's limit", func(r *httpapi.Request) (any, error) {
			var b map[string]string
			return nil, r.DecodeJSON(&b)
		}, `{"a":"` + strings.Repeat("x", 100) + `"}`, 400, `{"error":{"name":"InputError","message":"Request body is larger than 64 bytes"},"request":{"method":"POST","url":"/t"},"response":{"statusCode":400}}` + "\n", nil},
		{"unencodable value is a 500", func(*httpapi.Request) (any, error) { return map[string]any{"f": func() {}}, nil },
			"", 500, `{"error":{"name":"Error","message":"Internal Server Error"},"request":{"method":"POST","url":"/t"},"response":{"statusCode":500}}` + "\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(api.Handle(tt.fn))
			defer srv.Close()
			resp, err := http.Post(srv.URL+"/t", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || string(b) != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, b, tt.wantStatus, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestKinds: every kind answers its Backstage name and status, both as an apierr constructor
// and as a package sentinel, and errors.Is sees the kind through both.
func TestKinds(t *testing.T) {
	for _, k := range errkind.Kinds {
		t.Run(k.Name(), func(t *testing.T) {
			sentinel := errkind.New(k, "thing failed")
			for _, err := range []error{fmt.Errorf("%w: detail", sentinel), fmt.Errorf("context: %w", fmt.Errorf("%w: detail", sentinel))} {
				if !errors.Is(err, sentinel) || !errors.Is(err, k) {
					t.Errorf("errors.Is(%v) lost the sentinel or the kind", err)
				}
				e, internal := apierr.Classify(err)
				if internal || e.Name != k.Name() || e.Status != k.Status() {
					t.Errorf("Classify(%v) = %+v internal=%v", err, e, internal)
				}
			}
			if e, _ := apierr.Classify(fmt.Errorf("%w: detail", sentinel)); e.Message != "detail" {
				t.Errorf("message %q, want the text after the sentinel's", e.Message)
			}
		})
	}
	if !errors.Is(apierr.NotFound("x"), apierr.ErrNotFound) || errors.Is(apierr.NotFound("x"), apierr.ErrConflict) {
		t.Error("apierr constructors must match their own kind only")
	}
}
