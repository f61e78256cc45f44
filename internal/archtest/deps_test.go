package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
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

func TestDependencyRules(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
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
				if other := pluginOf(dep); other != "" && other != pluginOf(p.ImportPath) && !strings.HasSuffix(dep, "/client") {
					t.Errorf("%s imports %s: plugins talk through public clients or HTTP", p.ImportPath, dep)
				}
				if strings.HasPrefix(dep, module+"/cli") {
					t.Errorf("%s imports the cli", p.ImportPath)
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
