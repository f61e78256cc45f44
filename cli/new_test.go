package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewPluginBuildsVetsAndPasses runs `portico new plugin` into a folder inside this module,
// then go build, go vet and go test on what it wrote: the scaffold compiles, is clean, and its
// own test (a real backend serving the route and the page) passes.
func TestNewPluginBuildsVetsAndPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a generated plugin")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// testdata keeps the folder out of ./... while the test runs.
	parent, err := os.MkdirTemp(filepath.Join(root, "cli", "testdata"), "newplugin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	dir := filepath.Join(parent, "releasenotes")

	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Dir: root}
	if err := Run(t.Context(), env, nil, []string{"new", "plugin", "release-notes", "--dir", dir}); err != nil {
		t.Fatalf("new plugin: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "releasenotes.Plugin()") {
		t.Errorf("no next steps printed: %s", out.String())
	}
	for _, f := range []string{"plugin.go", "config.go", "schema.json", "plugin_test.go", "api/api.go", "service/service.go", "ui/ui.go", "ui/templates/page.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	src, _ := os.ReadFile(filepath.Join(dir, "config.go"))
	if !strings.Contains(string(src), `"releaseNotes.greeting"`) {
		t.Errorf("config key is not the camel-case ID:\n%s", src)
	}

	pkgs := "./" + filepath.ToSlash(mustRel(t, root, dir)) + "/..."
	for _, args := range [][]string{{"build", pkgs}, {"vet", pkgs}, {"test", "-count=1", pkgs}} {
		cmd := exec.CommandContext(t.Context(), goBin, args...)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}

	// A second run refuses to overwrite the plugin.
	if err := Run(t.Context(), env, nil, []string{"new", "plugin", "release-notes", "--dir", dir}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second run: %v, want a refusal", err)
	}
}

// TestNewPluginRefuses: invalid IDs and folders outside a Go module are refused before
// anything is written.
func TestNewPluginRefuses(t *testing.T) {
	outside := t.TempDir()
	tests := []struct {
		name, id, dir, want string
	}{
		{"upper case", "Hello", "", "not a plugin ID"},
		{"underscore", "my_plugin", "", "not a plugin ID"},
		{"path", "../evil", "", "not a plugin ID"},
		{"no go.mod", "hello", filepath.Join(outside, "hello"), "not inside a Go module"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errOut bytes.Buffer
			args := []string{"new", "plugin", tc.id}
			if tc.dir != "" {
				args = append(args, "--dir", tc.dir)
			}
			err := Run(t.Context(), Env{Stdout: &errOut, Stderr: &errOut, Dir: outside}, nil, args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Fatalf("wrote %v", entries)
			}
		})
	}
}

func mustRel(t *testing.T, base, target string) string {
	t.Helper()
	rel, err := filepath.Rel(base, target)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
