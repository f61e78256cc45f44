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

// stringLit is a string literal of a Go file, unquoted.
type stringLit struct {
	pos   token.Position
	value string
}

// stringLiterals returns the string literals of a Go file.
func stringLiterals(path string) ([]stringLit, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []stringLit
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				out = append(out, stringLit{fset.Position(lit.Pos()), s})
			}
		}
		return true
	})
	return out, nil
}

// sqlLiterals returns the string literals of a package's non-test files that hold SQL, as
// "file:line: text".
func sqlLiterals(t *testing.T, p pkg) []string {
	t.Helper()
	var out []string
	for _, name := range p.GoFiles {
		lits, err := stringLiterals(filepath.Join(p.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, lit := range lits {
			if sqlText.MatchString(lit.value) {
				out = append(out, lit.pos.String()+": "+lit.value)
			}
		}
	}
	return out
}

// TestEngineHoldsNoSQL enforces the engine/store split of every plugin that has both layers:
// the engine (or worker) decides what to store and the store holds the SQL, so the engine
// has no SQL text and no database/sql import, and can be driven over an in-memory store.
// (That the store never imports the engine is TestPluginLayers' rule.)
func TestEngineHoldsNoSQL(t *testing.T) {
	pkgs := listPackages(t)
	layers := pluginLayers(pkgs)
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
