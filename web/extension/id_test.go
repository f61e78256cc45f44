package extension

import "testing"

func TestParseID(t *testing.T) {
	tests := []struct {
		name, in string
		want     ID
		wantErr  bool
	}{
		{"kind namespace name", "entity-card:catalog/about", ID{"entity-card", "catalog", "about"}, false},
		{"kind namespace", "page:catalog", ID{"page", "catalog", ""}, false},
		{"namespace name", "app/nav", ID{"", "app", "nav"}, false},
		{"namespace only", "app", ID{"", "app", ""}, false},
		{"name only", "nav-item:/search", ID{"nav-item", "", "search"}, false},
		{"name with slash", "entity-content:api-docs/definition/raw", ID{"entity-content", "api-docs", "definition/raw"}, false},
		{"empty", "", ID{}, true},
		{"whitespace", "page: catalog", ID{}, true},
		{"leading space", " page:catalog", ID{}, true},
		{"empty kind", ":catalog", ID{}, true},
		{"kind only", "page:", ID{}, true},
		{"empty name", "page:catalog/", ID{}, true},
		{"two colons", "page:catalog:x", ID{}, true},
		{"slash in kind", "a/b:c", ID{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseID(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseID(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("ParseID(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if err == nil && got.String() != tt.in {
				t.Fatalf("ParseID(%q).String() = %q", tt.in, got.String())
			}
		})
	}
}

func TestMakeID(t *testing.T) {
	tests := []struct {
		name, kind, ns, n, want string
	}{
		{"all parts", "entity-card", "catalog", "about", "entity-card:catalog/about"},
		{"no name", "page", "catalog", "", "page:catalog"},
		{"no kind", "", "app", "nav", "app/nav"},
		{"name without namespace", "page", "", "home", "page:home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MakeID(tt.kind, tt.ns, tt.n); got != tt.want {
				t.Fatalf("MakeID(%q, %q, %q) = %q, want %q", tt.kind, tt.ns, tt.n, got, tt.want)
			}
		})
	}
}
