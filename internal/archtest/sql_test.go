package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

// sqlText matches a string literal holding an SQL statement (or the start of one).
var sqlText = regexp.MustCompile(`(?is)\b(select\b.+\bfrom|insert\s+(or\s+\w+\s+)?into|update\s+\w+\s+set|delete\s+from|create\s+(unique\s+)?index|drop\s+(index|table)|pragma\s+\w+)\b`)

// sqlLiterals returns the string literals of a package's non-test files that hold SQL, as
// "file:line: text".
func sqlLiterals(t *testing.T, p pkg) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				s = lit.Value
			}
			if sqlText.MatchString(s) {
				out = append(out, fset.Position(lit.Pos()).String()+": "+s)
			}
			return true
		})
	}
	return out
}

// TestEngineHoldsNoSQL enforces the engine/store split of every plugin that has both layers:
// the engine (or worker) decides what to store and the store holds the SQL, so the engine
// has no SQL text and no database/sql import, and can be driven over an in-memory store.
// (That the store never imports the engine is TestPluginLayers' rule.)
func TestEngineHoldsNoSQL(t *testing.T) {
	pkgs := listPackages(t)
	layers := map[string]map[string]bool{} // plugin → layers found
	for _, p := range pkgs {
		if l := layerOf(p.ImportPath); l != "" {
			if layers[pluginOf(p.ImportPath)] == nil {
				layers[pluginOf(p.ImportPath)] = map[string]bool{}
			}
			layers[pluginOf(p.ImportPath)][l] = true
		}
	}
	checked := map[string]bool{}
	for _, p := range pkgs {
		plugin := pluginOf(p.ImportPath)
		if layerOf(p.ImportPath) != "engine" || !layers[plugin]["store"] {
			continue
		}
		checked[plugin] = true
		for _, dep := range p.Imports {
			if dep == "database/sql" || dep == "database/sql/driver" {
				t.Errorf("%s imports %s: queries belong to the plugin's store", p.ImportPath, dep)
			}
		}
		for _, lit := range sqlLiterals(t, p) {
			t.Errorf("%s holds SQL (move it to the plugin's store): %s", p.ImportPath, lit)
		}
	}
	// The catalog has both layers, and its store does hold SQL: if either detection broke,
	// the test would pass vacuously.
	if !checked["catalog"] {
		t.Error("plugins/catalog/engine was not checked: layer detection is broken")
	}
	i := slices.IndexFunc(pkgs, func(p pkg) bool { return p.ImportPath == module+"/plugins/catalog/store" })
	if i < 0 || len(sqlLiterals(t, pkgs[i])) == 0 {
		t.Error("no SQL found in plugins/catalog/store: SQL detection is broken")
	}
}
