package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// EntitiesPerFile is how many entities each generated YAML file holds at most.
const EntitiesPerFile = 500

// RootFile is the name of the root Location file WriteDir writes.
const RootFile = "catalog-info.yaml"

// WriteDir writes the catalog under dir as multi-document YAML files of at most
// EntitiesPerFile entities each (org/, domains/, systems/, resources/, apis/, components/)
// plus a root Location file, RootFile, whose targets list every file. It returns the root
// file's absolute path. Entities are streamed: memory does not grow with the catalog.
func (c *Catalog) WriteDir(ctx context.Context, dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("write catalog: %w", err)
	}
	var targets []any
	for _, s := range c.sections() {
		for start := 0; start < s.count; start += EntitiesPerFile {
			if err := ctx.Err(); err != nil {
				return "", fmt.Errorf("write catalog: %w", err)
			}
			rel := filepath.ToSlash(filepath.Join(s.dir, fmt.Sprintf("%s-%04d.yaml", s.file, start/EntitiesPerFile+1)))
			end := min(start+EntitiesPerFile, s.count)
			if err := writeEntities(filepath.Join(dir, rel), func(yield func(*model.Entity) bool) {
				for i := start; i < end; i++ {
					if !yield(s.entity(i)) {
						return
					}
				}
			}); err != nil {
				return "", err
			}
			targets = append(targets, "./"+rel)
		}
	}
	root := &model.Entity{
		APIVersion: model.APIVersionV1alpha1,
		Kind:       model.KindLocation,
		Metadata: model.Metadata{
			Name:        "bench-root",
			Description: fmt.Sprintf("Generated catalog of %d entities (seed %d).", c.counts.Total(), c.seed),
		},
		Spec: map[string]any{"targets": targets},
	}
	path := filepath.Join(dir, RootFile)
	if err := writeEntities(path, func(yield func(*model.Entity) bool) { yield(root) }); err != nil {
		return "", err
	}
	return path, nil
}

func writeEntities(path string, entities func(yield func(*model.Entity) bool)) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write catalog: %w", cerr)
		}
	}()
	w := bufio.NewWriter(f)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	for e := range entities {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteFile writes every entity of the catalog to one multi-document YAML file at path, as a
// large hand-maintained or exported catalog file would be, and returns its absolute path.
// Entities are streamed: memory does not grow with the catalog.
func (c *Catalog) WriteFile(ctx context.Context, path string) (string, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("write catalog: %w", err)
	}
	if err := writeEntities(path, func(yield func(*model.Entity) bool) {
		for e := range c.Entities() {
			if ctx.Err() != nil || !yield(e) {
				return
			}
		}
	}); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("write catalog: %w", err)
	}
	return path, nil
}
