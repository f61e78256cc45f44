// Package examples embeds Kestrel Travel, the fictional company whose catalog, API
// definitions, templates and docs a fresh `portico serve` shows when no catalog locations are
// configured, so the binary alone starts a living portal.
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed catalog-info.yaml domains.yaml apis components org systems templates
var files embed.FS

// FS returns the example files (catalog-info.yaml at the root).
func FS() fs.FS { return files }

// RootFile is the Location file that pulls in every other example.
const RootFile = "catalog-info.yaml"

// Extract writes the examples under dir (replacing what an older binary extracted there) and
// returns the path of the root Location file.
func Extract(dir string) (string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("examples: %w", err)
	}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("examples: extract to %s: %w", dir, err)
	}
	return filepath.Join(dir, RootFile), nil
}
