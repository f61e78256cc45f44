package ui

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
)

// FuzzParseParams: any query string parses without panicking, into a view whose link reads
// back the same.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{
		"",
		"rootEntityRefs[]=component:default/a&maxDepth=2&selectedKinds[]=group&selectedRelations[]=ownedBy&direction=TB",
		"rootEntityRefs[0]=user:b&rootEntityRefs[1]=x&maxDepth=%E2%88%9E&unidirectional=false&unidirectional=true",
		"kinds[]=API,group&relations[]=&zoom=fit&showFilters=false&mergeRelations=maybe",
		"rootEntityRefs=:/&rootEntityRefs[x]=a:b/c/d&maxDepth=-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, _ := parseParams(q, pageDefaults())
		for _, r := range p.Roots {
			if _, err := graph.NormalizeRef(r); err != nil {
				t.Fatalf("root %q kept though invalid: %v", r, err)
			}
		}
		again, problems := parseParams(p.query(), pageDefaults())
		if len(problems) > 0 || !reflect.DeepEqual(again, p) {
			t.Fatalf("round trip of %q:\n got %+v %q\nwant %+v", raw, again, problems, p)
		}
	})
}
