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
	Dir        string
	GoFiles    []string // non-test Go files, relative to Dir
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

// layerOf returns the layer of a package inside a plugin, read from its first path element
// below plugins/<id>/ ("" for the plugin's root package and for packages of no layer, such as
// the catalog's query language or a plugin's client). A plugin's engine may be called worker
// (the scaffolder's), and its SQL read side reader (the catalog's): they sit at the engine's
// and the store's places.
func layerOf(path string) string {
	rest, ok := strings.CutPrefix(path, module+"/plugins/")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 {
		return ""
	}
	switch parts[1] {
	case "api", "ui", "service", "engine", "store", "wire", "model":
		return parts[1]
	case "worker":
		return "engine"
	case "reader":
		return "store"
	}
	return ""
}

// pluginLayers returns the layers found in each plugin (plugin → layer → true).
func pluginLayers(pkgs []pkg) map[string]map[string]bool {
	layers := map[string]map[string]bool{}
	for _, p := range pkgs {
		if l := layerOf(p.ImportPath); l != "" {
			if layers[pluginOf(p.ImportPath)] == nil {
				layers[pluginOf(p.ImportPath)] = map[string]bool{}
			}
			layers[pluginOf(p.ImportPath)][l] = true
		}
	}
	return layers
}

// TestPluginLayers enforces the layers inside every plugin that has them:
// api, ui → service → engine → store → wire, model. api and ui never import each other; no
// layer reaches one above it, directly or through another package of the plugin.
func TestPluginLayers(t *testing.T) {
	rules := []struct {
		layer string
		never []string
		why   string
	}{
		{"api", []string{"ui"}, "the JSON API and the pages are siblings: both call the service"},
		{"ui", []string{"api"}, "the pages and the JSON API are siblings: both call the service; shared bodies live in wire"},
		{"service", []string{"api", "ui"}, "the service is called by the API and the pages, never the other way"},
		{"engine", []string{"api", "ui", "service"}, "the engine is below the service: it returns wire or model types"},
		{"store", []string{"api", "ui", "service", "engine"}, "the store is the bottom of the plugin: SQL over model types"},
		{"wire", []string{"api", "ui", "service", "engine", "store"}, "wire types sit below every layer that shares them"},
		{"model", []string{"api", "ui", "service", "engine", "store", "wire"}, "the model is pure types and rules"},
	}
	pkgs := listPackages(t)
	layers := pluginLayers(pkgs)
	// The catalog has every layer: if the detection broke, the test would pass vacuously.
	for _, l := range []string{"api", "ui", "service", "engine", "store", "wire", "model"} {
		if !layers["catalog"][l] {
			t.Errorf("no %s layer found in plugins/catalog: layer detection is broken", l)
		}
	}
	for _, rule := range rules {
		t.Run(rule.layer, func(t *testing.T) {
			for _, p := range pkgs {
				if layerOf(p.ImportPath) != rule.layer {
					continue
				}
				for _, dep := range p.Deps {
					if pluginOf(dep) != pluginOf(p.ImportPath) {
						continue
					}
					if l := layerOf(dep); slices.Contains(rule.never, l) {
						t.Errorf("%s depends on %s (%s layer): %s", p.ImportPath, dep, l, rule.why)
					}
				}
			}
		})
	}
}
