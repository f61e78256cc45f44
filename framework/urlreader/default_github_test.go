package urlreader_test

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

// fakePublicGitHub stands in for github.com's hosts (github.com, api.github.com,
// raw.githubusercontent.com): a client whose every connection goes to one loopback TLS
// server, which answers by the Host header as the real hosts would.
type fakePublicGitHub struct {
	srv    *httptest.Server
	client *http.Client

	requestLog // "<host> <path> auth=<Authorization>"
}

func newFakePublicGitHub(t *testing.T) *fakePublicGitHub {
	t.Helper()
	f := &fakePublicGitHub{}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Add(r.Host + " " + r.URL.Path + " auth=" + r.Header.Get("Authorization"))
		raw := r.Host == "raw.githubusercontent.com" && r.URL.Path == "/octo/portal/main/catalog-info.yaml"
		api := r.Host == "api.github.com" && r.URL.Path == "/repos/octo/portal/contents/catalog-info.yaml" && r.URL.Query().Get("ref") == "main"
		if raw || api {
			_, _ = w.Write([]byte("kind: Component\n"))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(f.srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(f.srv.Certificate())
	tr := f.srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.RootCAs = roots
	tr.TLSClientConfig.ServerName = "example.com" // the name httptest's certificate carries
	addr := f.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	f.client = &http.Client{Transport: tr}
	return f
}

// TestDefaultGitHubIntegration: with no integrations.github entry for github.com, public
// github.com URLs are read anonymously as in Backstage (an implicit integration without a
// token), through the raw host; a configured github.com entry is used instead of it.
func TestDefaultGitHubIntegration(t *testing.T) {
	const file = "https://github.com/octo/portal/blob/main/catalog-info.yaml"
	tests := []struct {
		name   string
		github []urlreader.GitHubIntegration
		want   string // the one request made
	}{
		{"none configured", nil, "raw.githubusercontent.com /octo/portal/main/catalog-info.yaml auth="},
		{"only an enterprise host configured", []urlreader.GitHubIntegration{{Host: "ghe.example.com", APIBaseURL: "https://ghe.example.com/api/v3", Token: "ghe-token"}},
			"raw.githubusercontent.com /octo/portal/main/catalog-info.yaml auth="},
		{"github.com configured", []urlreader.GitHubIntegration{{Host: "GitHub.com", Token: "t0ken"}},
			"api.github.com /repos/octo/portal/contents/catalog-info.yaml auth=Bearer t0ken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePublicGitHub(t)
			r, err := urlreader.New(urlreader.Options{HTTPClient: f.client, Integrations: urlreader.Integrations{GitHub: tt.github}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = r.Close() })
			res, err := r.Remote().ReadURL(t.Context(), file, urlreader.ReadOptions{})
			if err != nil {
				t.Fatalf("ReadURL(%s): %v", file, err)
			}
			if string(res.Body) != "kind: Component\n" {
				t.Errorf("ReadURL body = %q", res.Body)
			}
			if got := f.Entries(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("requests = %q, want [%q]", got, tt.want)
			}
			if !r.AllowsHost("https://github.com/octo/portal") {
				t.Error("github.com is not an allowed host")
			}
		})
	}
}
