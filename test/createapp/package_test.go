package createapp

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// npmPack fetches the create-app package into dir with npm and returns the tarball's path. It
// skips the test when the registry cannot be reached (network error codes), and fails it on any
// other npm error.
func npmPack(t *testing.T, dir string) string {
	t.Helper()
	version := createAppVersion
	if v := os.Getenv("PORTICO_CREATE_APP_VERSION"); v != "" {
		version = v
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "pack", "@backstage/create-app@"+version, "--json", "--pack-destination", dir)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			stderr = string(ee.Stderr)
		}
		for _, code := range []string{"ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH", "EHOSTUNREACH"} {
			if strings.Contains(stderr, code) {
				t.Skipf("skipping: the npm registry cannot be reached (%s):\n%s", code, tail(stderr, 10))
			}
		}
		t.Fatalf("npm pack @backstage/create-app@%s: %v\n%s", version, err, tail(stderr, 30))
	}
	var packed []struct {
		Filename string `json:"filename"`
		Version  string `json:"version"`
	}
	if err := json.Unmarshal(out, &packed); err != nil || len(packed) != 1 {
		t.Fatalf("npm pack --json printed %q (%v)", out, err)
	}
	t.Logf("@backstage/create-app %s", packed[0].Version)
	return filepath.Join(dir, filepath.Base(packed[0].Filename))
}

// renderDefaultApp writes templates/default-app of the package tarball to dir as create-app's
// templating task does: files copied as they are, app-config.yaml.hbs rendered with
// Handlebars (the only template Portico reads). Other .hbs files (package.json, …) are left out.
func renderDefaultApp(t *testing.T, tarball, dir string) {
	t.Helper()
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "package/templates/default-app/"
	tr := tar.NewReader(gz)
	rendered := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rel, ok := strings.CutPrefix(hdr.Name, prefix)
		if !ok || hdr.Typeflag != tar.TypeReg || !filepath.IsLocal(rel) {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(rel, ".hbs") {
			if rel != "app-config.yaml.hbs" {
				continue
			}
			data = []byte(renderHandlebars(t, rel, string(data)))
			rel = strings.TrimSuffix(rel, ".hbs")
			rendered = true
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !rendered {
		t.Fatalf("%s has no %sapp-config.yaml.hbs", tarball, prefix)
	}
	if err := os.MkdirAll(filepath.Join(dir, "packages", "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// mustache is one Handlebars expression.
var mustache = regexp.MustCompile(`\\?\{\{\{?\s*([^}]*?)\s*\}?\}\}`)

// renderHandlebars renders the variables create-app passes to its templates (name, the app's
// name; defaultBranch, git's default) and fails on any other expression, so a template that
// needs more is noticed rather than rendered wrongly.
func renderHandlebars(t *testing.T, name, src string) string {
	t.Helper()
	vars := map[string]string{"name": appName, "defaultBranch": "master"}
	return mustache.ReplaceAllStringFunc(src, func(m string) string {
		expr := mustache.FindStringSubmatch(m)[1]
		v, ok := vars[expr]
		if !ok || strings.HasPrefix(m, `\`) {
			t.Fatalf("%s: Handlebars expression %q is not rendered by this test", name, m)
		}
		return v
	})
}
