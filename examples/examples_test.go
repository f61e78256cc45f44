package examples

import (
	"os"
	"path/filepath"
	"testing"
)

func TestExtract(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "examples")
	root, err := Extract(dir)
	if err != nil {
		t.Fatal(err)
	}
	if root != filepath.Join(dir, RootFile) {
		t.Fatalf("root = %q", root)
	}
	for _, f := range []string{RootFile, "domains.yaml", "org/groups.yaml", "apis/apis.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not extracted: %v", f, err)
		}
	}
	// Extracting again replaces the old copy.
	if err := os.WriteFile(filepath.Join(dir, "stale.yaml"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Extract(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.yaml")); !os.IsNotExist(err) {
		t.Errorf("stale file survived: %v", err)
	}
}
