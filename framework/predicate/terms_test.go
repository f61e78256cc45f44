package predicate

import "testing"

func TestTerms(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   Expr
		want string
	}{
		{"same key merged, first-seen order, no duplicates", Any(In("kind", "A"), In("kind", "b", "a"), In("kind", "c")),
			`[{"op":"match","match":{"key":"kind","values":["a","b","c"]}}]`},
		{"nested $any inlined and merged", Any(In("kind", "a"), Any(In("spec.type", "x"), Any(In("kind", "b")))),
			`[{"op":"match","match":{"key":"kind","values":["a","b"]}},{"op":"match","match":{"key":"spec.type","values":["x"]}}]`},
		{"exists and prefix kept apart", Any(Exists("kind"), HasPrefix("kind", "a"), In("kind", "b")),
			`[{"op":"match","match":{"key":"kind"}},{"op":"match","match":{"key":"kind","hasPrefix":true,"prefix":"a"}},{"op":"match","match":{"key":"kind","values":["b"]}}]`},
		{"$all inlined, never merged", All(In("kind", "a"), All(In("kind", "b"))),
			`[{"op":"match","match":{"key":"kind","values":["a"]}},{"op":"match","match":{"key":"kind","values":["b"]}}]`},
		{"$not and $all under $any kept", Any(Not(In("kind", "a")), All(In("kind", "b")), In("kind", "c")),
			`[{"op":"not","args":[{"op":"match","match":{"key":"kind","values":["a"]}}]},{"op":"all","args":[{"op":"match","match":{"key":"kind","values":["b"]}}]},{"op":"match","match":{"key":"kind","values":["c"]}}]`},
		{"empty $any", Any(), `null`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Expr{Op: OpAll, Args: tt.in.Terms()}).String(); got != `{"op":"all"`+argsJSON(tt.want)+`}` {
				t.Errorf("Terms(%s) = %s, want args %s", tt.in, got, tt.want)
			}
		})
	}
}

func argsJSON(s string) string {
	if s == "null" {
		return ""
	}
	return `,"args":` + s
}

func TestSizeCountsMergedTerms(t *testing.T) {
	alts := make([]Expr, 5000)
	for i := range alts {
		alts[i] = In("kind", string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)))
	}
	if nodes, values := Any(alts...).CompiledSize(); nodes != 2 || values != 5000 {
		t.Errorf("CompiledSize of 5000 kind alternatives = %d nodes, %d values; want 2, 5000", nodes, values)
	}
	if nodes, values := Any(alts...).Size(); nodes != 5001 || values != 5000 {
		t.Errorf("Size = %d nodes, %d values; want 5001, 5000", nodes, values)
	}
}
