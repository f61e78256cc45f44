package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/portico-dev/portico"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "-deps=false", module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// pluginOf returns the plugin ID of a package under plugins/, or "".
func pluginOf(path string) string {
	rest, ok := strings.CutPrefix(path, module+"/plugins/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// isPublic reports whether path is a package a plugin offers to other plugins: its client,
// its entityui (the contracts for putting cards and tabs on its pages) or its model (pure
// types and rules, no I/O: the catalog's entity model is what Backstage ships as
// @backstage/catalog-model for every plugin to use).
func isPublic(path string) bool {
	return strings.HasSuffix(path, "/client") || strings.HasSuffix(path, "/entityui") || strings.HasSuffix(path, "/model")
}

func TestDependencyRules(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	deps := map[string][]string{}
	for _, p := range pkgs {
		deps[p.ImportPath] = p.Deps
	}
	// publicOK reports whether p may depend on dep of another plugin: p imports only that
	// plugin's public packages directly, and reaches the rest of it only through them (its
	// entityui's model types, say). Every package's direct imports are checked in turn.
	publicOK := func(p pkg, dep string) bool {
		if slices.Contains(p.Imports, dep) {
			return isPublic(dep)
		}
		for _, via := range p.Deps {
			if isPublic(via) && pluginOf(via) == pluginOf(dep) && (via == dep || slices.Contains(deps[via], dep)) {
				return true
			}
		}
		return false
	}
	for _, p := range pkgs {
		for _, dep := range append(p.Deps, p.Imports...) {
			if !strings.HasPrefix(dep, module+"/") {
				continue
			}
			switch {
			case strings.HasPrefix(p.ImportPath, module+"/framework") || strings.HasPrefix(p.ImportPath, module+"/config"):
				if pluginOf(dep) != "" {
					t.Errorf("%s imports %s: the framework knows no plugin", p.ImportPath, dep)
				}
			case pluginOf(p.ImportPath) != "" && pluginOf(p.ImportPath) != "all":
				if other := pluginOf(dep); other != "" && other != pluginOf(p.ImportPath) && !publicOK(p, dep) {
					t.Errorf("%s imports %s: plugins talk through public clients, entityui or HTTP", p.ImportPath, dep)
				}
				if strings.HasPrefix(dep, module+"/cli") {
					t.Errorf("%s imports the cli", p.ImportPath)
				}
			}
		}
		// A public package is read by other plugins: it never reaches its plugin's tables.
		if isPublic(p.ImportPath) && pluginOf(p.ImportPath) != "" {
			for _, dep := range p.Deps {
				rest, ok := strings.CutPrefix(dep, module+"/plugins/"+pluginOf(p.ImportPath))
				for _, inner := range []string{"/store", "/reader", "/engine", "/api"} {
					if ok && (rest == inner || strings.HasPrefix(rest, inner+"/")) {
						t.Errorf("%s depends on %s: public packages never reach the plugin's storage", p.ImportPath, dep)
					}
				}
			}
		}
		// Model packages are pure: no I/O, so CLI validation and tests can reuse them.
		if strings.HasSuffix(p.ImportPath, "/model") {
			for _, dep := range p.Imports {
				switch dep {
				case "os", "net", "net/http", "database/sql", "os/exec", "io/ioutil":
					t.Errorf("%s imports %s: model packages do no I/O", p.ImportPath, dep)
				}
			}
		}
		// Infrastructure services take plain options: they know neither config nor the runtime.
		for _, infra := range []string{"/framework/database", "/framework/scheduler", "/framework/cache", "/framework/urlreader", "/framework/apierr"} {
			if strings.HasPrefix(p.ImportPath, module+infra) {
				for _, dep := range p.Imports {
					if dep == module+"/config" || dep == module+"/framework" {
						t.Errorf("%s imports %s: infrastructure packages take plain options", p.ImportPath, dep)
					}
				}
			}
		}
	}
}
