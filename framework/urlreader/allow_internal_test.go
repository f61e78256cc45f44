package urlreader

import (
	"net/url"
	"strings"
	"testing"
)

func TestAllowRules(t *testing.T) {
	tests := []struct {
		name  string
		rule  AllowRule
		url   string
		match bool
	}{
		{"exact host", AllowRule{Host: "example.com"}, "https://example.com/x", true},
		{"exact host is case-insensitive", AllowRule{Host: "Example.COM"}, "https://EXAMPLE.com/x", true},
		{"other host", AllowRule{Host: "example.com"}, "https://example.org/x", false},
		{"subdomain needs a wildcard", AllowRule{Host: "example.com"}, "https://a.example.com/x", false},
		{"suffix trick", AllowRule{Host: "example.com"}, "https://evilexample.com/x", false},
		{"wildcard subdomain", AllowRule{Host: "*.example.com"}, "https://a.example.com/x", true},
		{"wildcard nested subdomain", AllowRule{Host: "*.example.com"}, "https://a.b.example.com/x", true},
		{"wildcard excludes the apex", AllowRule{Host: "*.example.com"}, "https://example.com/x", false},
		{"wildcard suffix trick", AllowRule{Host: "*.example.com"}, "https://evilexample.com/x", false},
		{"no port in rule refuses explicit port", AllowRule{Host: "example.com"}, "https://example.com:8443/x", false},
		{"no port in rule accepts the default port", AllowRule{Host: "example.com"}, "https://example.com:443/x", true},
		{"port", AllowRule{Host: "example.com:8080"}, "http://example.com:8080/x", true},
		{"port mismatch", AllowRule{Host: "example.com:8080"}, "http://example.com:8081/x", false},
		{"port rule and default port", AllowRule{Host: "example.com:443"}, "https://example.com/x", true},
		{"port range", AllowRule{Host: "localhost:8000-8010"}, "http://localhost:8005/x", true},
		{"outside port range", AllowRule{Host: "localhost:8000-8010"}, "http://localhost:8011/x", false},
		{"path prefix", AllowRule{Host: "example.com", Paths: []string{"/docs/"}}, "https://example.com/docs/a.md", true},
		{"path prefix mismatch", AllowRule{Host: "example.com", Paths: []string{"/docs/"}}, "https://example.com/src/a.md", false},
		{"dot-dot leaves the prefix", AllowRule{Host: "example.com", Paths: []string{"/docs/"}}, "https://example.com/docs/../src/a.md", false},
		{"encoded dot-dot leaves the prefix", AllowRule{Host: "example.com", Paths: []string{"/docs/"}}, "https://example.com/docs/%2E%2E/src/a.md", false},
		{"dot-dot staying inside", AllowRule{Host: "example.com", Paths: []string{"/docs/"}}, "https://example.com/docs/a/../b.md", true},
		{"prefix is a plain prefix", AllowRule{Host: "example.com", Paths: []string{"/docs"}}, "https://example.com/docsearch", true},
		{"several prefixes", AllowRule{Host: "example.com", Paths: []string{"/a/", "/b/"}}, "https://example.com/b/x", true},
		{"wildcard with paths", AllowRule{Host: "*.internal.example", Paths: []string{"/docs/"}}, "https://wiki.internal.example/docs/x", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := compileAllow([]AllowRule{tc.rule})
			if err != nil {
				t.Fatalf("compileAllow(%+v): %v", tc.rule, err)
			}
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := rules[0].match(u); got != tc.match {
				t.Errorf("rule %+v match(%s) = %v, want %v", tc.rule, tc.url, got, tc.match)
			}
		})
	}
}

func TestAllowRuleErrors(t *testing.T) {
	tests := []struct {
		name string
		rule AllowRule
		want string
	}{
		{"inner wildcard", AllowRule{Host: "prod.*.example.com"}, "wildcard"},
		{"bare wildcard", AllowRule{Host: "*"}, "wildcard"},
		{"empty", AllowRule{Host: ""}, "host name"},
		{"bad port", AllowRule{Host: "example.com:http"}, "invalid port"},
		{"reversed range", AllowRule{Host: "example.com:9-1"}, "reversed"},
		{"relative path", AllowRule{Host: "example.com", Paths: []string{"docs/"}}, "must start with /"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{Allow: []AllowRule{tc.rule}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New with %+v: err = %v, want it to mention %q", tc.rule, err, tc.want)
			}
		})
	}
}
