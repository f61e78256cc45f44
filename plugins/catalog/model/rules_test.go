package model

import (
	"strings"
	"testing"
)

func TestFieldRules(t *testing.T) {
	type check struct {
		value string
		valid bool
	}
	tests := []struct {
		name   string
		rule   func(string) bool
		checks []check
	}{
		{"entity name", IsValidEntityName, []check{
			{"a", true}, {"artist-web", true}, {"Artist_Web.v2", true}, {"a--b", true}, {"a._-b", true},
			{"", false}, {"-a", false}, {"a-", false}, {"a b", false}, {"a/b", false}, {"ä", false},
			{strings.Repeat("a", 63), true}, {strings.Repeat("a", 64), false},
		}},
		{"namespace", IsValidNamespace, []check{
			{"default", true}, {"team-a", true}, {"a1-b2", true},
			{"Team-A", false}, {"a--b", false}, {"-a", false}, {"a_b", false}, {"", false}, {strings.Repeat("a", 64), false},
		}},
		{"kind", IsValidKind, []check{
			{"Component", true}, {"API", true}, {"x1", true},
			{"1x", false}, {"Com-ponent", false}, {"", false}, {strings.Repeat("a", 64), false},
		}},
		{"api version", IsValidAPIVersion, []check{
			{"backstage.io/v1alpha1", true}, {"v1", true}, {"scaffolder.backstage.io/v1beta3", true}, {"my-company.net/V1", true},
			{"Backstage.io/v1", false}, {"a/b/c", false}, {"backstage.io/v1-alpha", false}, {"backstage.io/", false}, {"/v1", false},
		}},
		{"label key", IsValidLabelKey, []check{
			{"backstage.io/techdocs-ref", true}, {"github.com/project-slug", true}, {"my_key", true}, {"example.com/MyKey", true},
			{"a/b/c", false}, {"Foo.com/x", false}, {"example.com/", false}, {"", false},
		}},
		{"label value", IsValidLabelValue, []check{
			{"", true}, {"ValueStuff", true}, {"a b", false}, {"-x", false},
		}},
		{"annotation key", IsValidAnnotationKey, []check{
			{"jenkins.io/job-full-name", true}, {"a..b/x", false},
		}},
		{"tag", IsValidTag, []check{
			{"java", true}, {"c++", true}, {"c#", true}, {"k8s:prod", true}, {"a-b", true},
			{"Java", false}, {"a--b", false}, {"-a", false}, {"a_b", false}, {"", false}, {strings.Repeat("a", 64), false},
		}},
		{"dns subdomain", IsValidDNSSubdomain, []check{
			{"a.b.c", true}, {"a", true}, {"a..b", false}, {".a", false}, {strings.Repeat("a.", 127) + "a", false},
		}},
		{"non-empty string", IsValidNonEmptyString, []check{
			{"x", true}, {" x ", true}, {"   ", false}, {"", false},
		}},
		{"url", IsValidURL, []check{
			{"https://example.com", true}, {"http://localhost:7007/catalog", true}, {"https://user:pw@host.io:8443/p?q#f", true},
			{"https://[::1]/x", true}, {"mailto:team@example.com", true}, {"urn:isbn:0451450523", true}, {"file:///etc/hosts", true},
			{"  https://example.com  ", true}, {"slack://channel", true}, {"custom+scheme:anything goes", true},
			{"example.com", false}, {"/relative/path", false}, {"", false}, {"http://", false}, {"https://exa mple.com", false},
			{"https://host:99999", false}, {"1http://x", false}, {"ht tp://x", false}, {"https://[zz]/", false}, {"http://a<b", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range tt.checks {
				if got := tt.rule(c.value); got != c.valid {
					t.Errorf("%s(%q) = %v, want %v", tt.name, c.value, got, c.valid)
				}
			}
		})
	}
}

func TestJSString(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"string", "x", "x"},
		{"integer", 12.0, "12"},
		{"fraction", 1.5, "1.5"},
		{"tiny", 1e-7, "1e-7"},
		{"huge", 1e21, "1e+21"},
		{"bool", true, "true"},
		{"null", nil, "null"},
		{"array", []any{"a", 1.0, nil}, "a,1,"},
		{"object", map[string]any{"a": 1.0}, "[object Object]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jsString(tt.value); got != tt.want {
				t.Errorf("jsString(%v) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}
