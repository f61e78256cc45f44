package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func testHandler() *handler {
	return &handler{opts: Options{AppOrigin: "http://portal.example:7007", AllowedOrigins: []string{"http://portal.example:7007", "http://localhost:7007"}, Environment: "development"}}
}

func TestCheckRedirect(t *testing.T) {
	h := testHandler()
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"", "/"},
		{"/", "/"},
		{"/catalog?filters%5Bkind%5D=api#top", "/catalog?filters%5Bkind%5D=api#top"},
		{"http://portal.example:7007/docs/x?y=1", "/docs/x?y=1"},
		{"http://localhost:7007/settings", "/settings"},
		{"https://evil.example/", ""},
		{"//evil.example/x", ""},
		{"/\\evil.example", ""},
		{"\\\\evil.example", ""},
		{"javascript:alert(1)", ""},
		{"http://portal.example:7007@evil.example/", ""},
		{"http://user@portal.example:7007/", ""},
		{"catalog", ""},
		{"/%2F%2Fevil.example", ""},
		{"/a\r\nSet-Cookie: x=y", ""},
		{"data:text/html,<script>", ""},
	}
	for _, tc := range tests {
		got, err := h.checkRedirect(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("checkRedirect(%q) = %q, want refusal", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("checkRedirect(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// FuzzCheckRedirect: whatever comes in, what goes out is a path on this portal.
func FuzzCheckRedirect(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "http://portal.example:7007/a", "https://evil/", "/%5C%5Cx", "\t//x"} {
		f.Add(s)
	}
	h := testHandler()
	f.Fuzz(func(t *testing.T, in string) {
		out, err := h.checkRedirect(in)
		if err != nil {
			return
		}
		u, perr := url.Parse(out)
		if perr != nil || !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") || u.Host != "" || u.Scheme != "" {
			t.Fatalf("checkRedirect(%q) = %q: not a local path", in, out)
		}
	})
}

func TestCheckOriginAndEnv(t *testing.T) {
	h := testHandler()
	if o, err := h.checkOrigin(""); err != nil || o != "http://portal.example:7007" {
		t.Fatalf("default origin %q %v", o, err)
	}
	if o, err := h.checkOrigin("http://localhost:7007"); err != nil || o != "http://localhost:7007" {
		t.Fatalf("backend origin %q %v", o, err)
	}
	if _, err := h.checkOrigin("http://portal.example:7007.evil.example"); err == nil {
		t.Fatal("foreign origin accepted")
	}
	if err := h.checkEnv("production"); err == nil {
		t.Fatal("other env accepted")
	}
}

func TestEncodeURIComponent(t *testing.T) {
	in := `{"a":"it's </script><b>","c":"é\n"}`
	got := encodeURIComponent(in)
	if strings.ContainsAny(got, `'"<>\`+"\n") {
		t.Fatalf("unsafe characters left in %q", got)
	}
	back, err := url.PathUnescape(got)
	if err != nil || back != in {
		t.Fatalf("round trip %q %v", back, err)
	}
}

// TestTakeStateRechecksTargets: a state cookie signed with a leaked state key (it lives in the
// auth database unless auth.session.secret is set) still cannot name a foreign origin or
// redirect target: the callback checks them again.
func TestTakeStateRechecksTargets(t *testing.T) {
	h := testHandler()
	h.opts.StateKey = []byte("leaked-state-key-0123456789abcdef")
	h.opts.Now = time.Now
	h.cookiePath = "/api/auth"
	tests := []struct {
		name     string
		st       flowState
		wantFail bool
	}{
		{"genuine", flowState{Nonce: "n1", Env: "development", Origin: "http://portal.example:7007", Flow: "redirect", Redirect: "/catalog"}, false},
		{"forged origin", flowState{Nonce: "n1", Env: "development", Origin: "https://evil.example"}, true},
		{"forged redirect", flowState{Nonce: "n1", Env: "development", Origin: "http://portal.example:7007", Flow: "redirect", Redirect: "https://evil.example/"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.setStateCookie(rec, "oidc", tt.st)
			req := httptest.NewRequest(http.MethodGet, "/api/auth/oidc/handler/frame?state="+encodeStateParam(tt.st), nil)
			for _, c := range rec.Result().Cookies() {
				req.AddCookie(c)
			}
			_, err := h.takeState(httptest.NewRecorder(), req, "oidc")
			if (err != nil) != tt.wantFail {
				t.Fatalf("takeState(%+v) = %v, want failure %v", tt.st, err, tt.wantFail)
			}
		})
	}
}
