package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneJSONWriter: JSON answers are written by framework/httpapi and error bodies by
// framework/apierr, nowhere else. A plugin that defines its own writeJSON, or encodes into an
// http.ResponseWriter itself, grows a second copy of the content type, the status handling
// and the error mapping; it uses httpapi.Handle (or httpapi.WriteJSON in a plain handler).
func TestOneJSONWriter(t *testing.T) {
	allowed := map[string]bool{"framework/httpapi": true, "framework/apierr": true}
	root := "../.."
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || allowed[filepath.ToSlash(filepath.Dir(rel))] {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if strings.HasSuffix(filepath.ToSlash(filepath.Dir(rel)), "test") { // test servers (authtest) fake other services
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var typ *ast.FuncType
			var body *ast.BlockStmt
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Name.Name == "writeJSON" {
					t.Errorf("%s: defines writeJSON; use framework/httpapi", fset.Position(n.Pos()))
				}
				typ, body = n.Type, n.Body
			case *ast.FuncLit:
				typ, body = n.Type, n.Body
			default:
				return true
			}
			writers := responseWriters(typ)
			if body == nil || len(writers) == 0 {
				return true
			}
			ast.Inspect(body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewEncoder" {
					if id, ok := call.Args[0].(*ast.Ident); ok && writers[id.Name] {
						t.Errorf("%s: encodes JSON into an http.ResponseWriter; use framework/httpapi", fset.Position(call.Pos()))
					}
				}
				return true
			})
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// responseWriters returns the names of a function's http.ResponseWriter parameters.
func responseWriters(ft *ast.FuncType) map[string]bool {
	out := map[string]bool{}
	if ft == nil || ft.Params == nil {
		return out
	}
	for _, f := range ft.Params.List {
		sel, ok := f.Type.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "ResponseWriter" {
			continue
		}
		for _, n := range f.Names {
			out[n.Name] = true
		}
	}
	return out
}
