package ui

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/portico-dev/portico/plugins/cataloggraph/layout"
)

func TestParseParams(t *testing.T) {
	def := pageDefaults()
	tests := []struct {
		name     string
		query    string
		want     params
		problems int
	}{
		{"defaults", "", def, 0},
		{"backstage link", "rootEntityRefs%5B%5D=component%3Adefault%2FA&maxDepth=2&selectedKinds%5B%5D=Group&selectedRelations%5B%5D=ownedBy&unidirectional=false&mergeRelations=false&direction=TB&showFilters=false",
			params{Roots: []string{"component:default/a"}, MaxDepth: 2, Kinds: []string{"group"}, Relations: []string{"ownedBy"}, Direction: layout.TopBottom}, 0},
		{"qs indexed arrays and aliases", "rootEntityRefs[1]=user:b&rootEntityRefs[0]=user:a&kinds[]=api&relations[]=dependsOn,dependencyOf",
			params{Roots: []string{"user:default/a", "user:default/b"}, Kinds: []string{"api"}, Relations: []string{"dependsOn", "dependencyOf"}, Unidirectional: true, MergeRelations: true, Direction: layout.LeftRight, ShowFilters: true}, 0},
		{"infinity", "maxDepth=%E2%88%9E", def, 0},
		{"form checkboxes: last value wins", "unidirectional=false&unidirectional=true&mergeRelations=false",
			params{Unidirectional: true, Direction: layout.LeftRight, ShowFilters: true}, 0},
		{"zoom", "zoom=actual", params{Unidirectional: true, MergeRelations: true, Direction: layout.LeftRight, ShowFilters: true, Zoom: "actual"}, 0},
		{"bad values fall back", "maxDepth=0&direction=up&unidirectional=yes&zoom=huge&rootEntityRefs[]=nokind", def, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, problems := parseParams(q, def)
			if !reflect.DeepEqual(got, tt.want) || len(problems) != tt.problems {
				t.Errorf("parseParams(%q) =\n %+v, %q\nwant\n %+v with %d problems", tt.query, got, problems, tt.want, tt.problems)
			}
		})
	}
}

// A view written as a link reads back the same.
func TestParamsRoundTrip(t *testing.T) {
	p := params{Roots: []string{"component:default/a", "api:ns/b"}, MaxDepth: 3, Kinds: []string{"api"}, Relations: []string{"providesApi"},
		MergeRelations: true, Direction: layout.BottomTop, ShowFilters: true, Zoom: "fit"}
	got, problems := parseParams(p.query(), pageDefaults())
	if !reflect.DeepEqual(got, p) || len(problems) > 0 {
		t.Fatalf("round trip: %+v, %q; want %+v", got, problems, p)
	}
}
