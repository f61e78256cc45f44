package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

func (a *app) catalogCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "catalog", Short: "Work with software catalog descriptor files"}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate PATH...",
		Short: "Validate catalog-info.yaml files offline",
		Long: `Validates catalog descriptor files (catalog-info.yaml and friends) as the catalog would when
ingesting them: YAML syntax, the entity envelope, Backstage's entity policies, every built-in kind
(Component, API, Resource, System, Domain, Group, User, Location, Template) and the references
that produce relations. Multi-document files are supported.

A directory is walked for *.yaml and *.yml files that look like entities (documents with
apiVersion and kind); other YAML files (OpenAPI definitions, mkdocs.yml, ...) are skipped. Files
named explicitly are always checked. Hidden directories, node_modules and scaffolder template
skeleton/ directories are not walked.

$text, $json and $yaml placeholders are resolved against local files relative to the descriptor;
URLs are not fetched. Location targets that are local files must exist. An entity defined twice
is reported.

Each problem is printed as file:line: entity-ref: problem. The exit code is non-zero when there is
any problem, so the command can guard a repository's CI.`,
		Example: `  portico catalog validate catalog-info.yaml
  portico catalog validate examples/
  portico catalog validate ./services/*/catalog-info.yaml org.yaml`,
		Args:          cobra.MinimumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.catalogValidate(cmd.Context(), args)
		},
	})
	return cmd
}

// catalogFinding is one problem found by catalog validate.
type catalogFinding struct {
	File    string // as the user named it, or joined below a named directory
	Line    int
	Ref     string // canonical entity ref, or "document N" when the entity has none
	Message string
}

func (f catalogFinding) String() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Ref, f.Message)
	}
	return fmt.Sprintf("%s: %s: %s", f.File, f.Ref, f.Message)
}

// catalogValidation is the result of validating a set of paths.
type catalogValidation struct {
	Files    int
	Entities int
	Findings []catalogFinding
}

func (a *app) catalogValidate(ctx context.Context, paths []string) error {
	res, err := validateCatalogPaths(ctx, a.env.Dir, paths)
	if err != nil {
		return err
	}
	for _, f := range res.Findings {
		fmt.Fprintln(a.env.Stdout, f.String())
	}
	a.progress("%d files, %d entities, %d problems\n", res.Files, res.Entities, len(res.Findings))
	if n := len(res.Findings); n > 0 {
		return exitError{fmt.Sprintf("%d catalog problems", n)}
	}
	return nil
}

// validateCatalogPaths validates files and directories; dir resolves relative paths. An error
// is returned only when a named path cannot be read at all.
func validateCatalogPaths(ctx context.Context, dir string, paths []string) (catalogValidation, error) {
	var res catalogValidation
	files, err := collectDescriptorFiles(dir, paths)
	if err != nil {
		return res, err
	}
	v := model.NewValidator(model.Options{})
	seen := map[string]string{} // canonical ref → file:line of its first definition
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("validate catalog: %w", err)
		}
		data, err := os.ReadFile(f.abs)
		if err != nil {
			return res, fmt.Errorf("read descriptor: %w", err)
		}
		res.Files++
		for _, d := range model.ParseDescriptor(data, model.ParseOptions{}) {
			n, findings := checkCatalogDocument(v, f, &d, seen)
			res.Entities += n
			res.Findings = append(res.Findings, findings...)
		}
	}
	return res, nil
}

// descriptorFile is a file to validate: its absolute path and the name to print.
type descriptorFile struct {
	abs, shown string
	named      bool // named on the command line rather than found in a directory
}

func collectDescriptorFiles(dir string, paths []string) ([]descriptorFile, error) {
	var files []descriptorFile
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(abs) && dir != "" {
			abs = filepath.Join(dir, p)
		}
		info, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("validate %s: %w", p, err)
		}
		if !info.IsDir() {
			files = append(files, descriptorFile{abs: abs, shown: p, named: true})
			continue
		}
		var found []descriptorFile
		err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != abs && skipDescriptorDir(name) {
					return filepath.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(name))
			if ext != ".yaml" && ext != ".yml" {
				return nil
			}
			rel, err := filepath.Rel(abs, path)
			if err != nil {
				return err
			}
			found = append(found, descriptorFile{abs: path, shown: filepath.Join(p, rel)})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].shown < found[j].shown })
		for _, f := range found {
			ok, err := looksLikeDescriptor(f.abs)
			if err != nil {
				return nil, err
			}
			if ok {
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// looksLikeDescriptor reports whether a YAML file holds at least one document with apiVersion
// and kind, or cannot be parsed at all (a broken descriptor must not be skipped silently when
// it is named like one).
// skipDescriptorDir reports whether a directory found while walking holds no descriptors of its
// own: hidden directories, node_modules, and scaffolder template skeletons (whose
// catalog-info.yaml files are templates, not entities).
func skipDescriptorDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "skeleton"
}

func looksLikeDescriptor(path string) (bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("read descriptor: %w", err)
	}
	for _, d := range model.ParseDescriptor(data, model.ParseOptions{}) {
		if len(d.Problems) > 0 && d.Value == nil {
			return isCatalogFileName(path), nil
		}
		m, ok := d.Value.(map[string]any)
		if !ok {
			continue
		}
		_, hasAPIVersion := m["apiVersion"]
		_, hasKind := m["kind"]
		if hasAPIVersion && hasKind {
			return true, nil
		}
	}
	return false, nil
}

func isCatalogFileName(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return strings.HasPrefix(base, "catalog-info")
}

// checkCatalogDocument validates one document and returns the number of entities it holds
// (0 or 1) and its findings. seen records refs across files to report duplicates.
func checkCatalogDocument(v *model.Validator, f descriptorFile, d *model.Document, seen map[string]string) (int, []catalogFinding) {
	ref := fmt.Sprintf("document %d", d.Index+1)
	if d.Entity != nil && d.Entity.Kind != "" && d.Entity.Metadata.Name != "" {
		ref = d.Entity.Ref().String()
	}
	var findings []catalogFinding
	add := func(line int, msg string) {
		findings = append(findings, catalogFinding{File: f.shown, Line: line, Ref: ref, Message: msg})
	}
	var failed []string // pointers of placeholders that could not be resolved
	if len(d.Problems) == 0 && d.Value != nil {
		resolved, problems := resolvePlaceholders(f.abs, d.Value, "")
		for _, p := range problems {
			line, _ := d.Position(p.path)
			add(line, p.message)
			failed = append(failed, p.path)
		}
		d.Value = resolved
		if e, _ := model.DecodeEntity(resolved); e != nil {
			d.Entity = e
		}
	}
	for _, p := range v.CheckDocument(d) {
		if !underAny(p.Path, failed) {
			add(p.Line, p.Message)
		}
	}
	if d.Entity == nil || len(d.Problems) > 0 {
		return 0, findings
	}
	if d.Entity.Kind == model.KindLocation {
		for _, p := range missingLocationTargets(filepath.Dir(f.abs), d.Entity) {
			line, _ := d.Position(p.path)
			add(line, p.message)
		}
	}
	here := fmt.Sprintf("%s:%d", f.shown, d.Line)
	if first, dup := seen[ref]; dup && ref != "" && !strings.HasPrefix(ref, "document ") {
		add(d.Line, "entity defined more than once, first at "+first)
	} else {
		seen[ref] = here
	}
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].Line < findings[j].Line })
	return 1, findings
}

// underAny reports whether the JSON pointer p designates one of the unresolved placeholders or
// a value holding one: a problem there only repeats that the placeholder failed.
func underAny(p string, pointers []string) bool {
	for _, q := range pointers {
		if p != "" && (p == q || strings.HasPrefix(q, p+"/")) {
			return true
		}
	}
	return false
}

// pathProblem is a problem at a JSON pointer of the document.
type pathProblem struct {
	path, message string
}

// missingLocationTargets lists local Location targets that do not exist. Globs, URLs and
// targets of other location types are left to the catalog.
func missingLocationTargets(dir string, e *model.Entity) []pathProblem {
	if t, _ := e.Spec["type"].(string); t != "" && t != model.LocationTypeFile {
		return nil
	}
	var out []pathProblem
	check := func(ptr, target string) {
		if target == "" || strings.Contains(target, "://") || strings.ContainsAny(target, "*?[{") {
			return
		}
		if presence, _ := e.Spec["presence"].(string); presence == "optional" {
			return
		}
		p := target
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if _, err := os.Stat(p); err != nil {
			out = append(out, pathProblem{ptr, fmt.Sprintf("location target %s does not exist", target)})
		}
	}
	if t, ok := e.Spec["target"].(string); ok {
		check("/spec/target", t)
	}
	if ts, ok := e.Spec["targets"].([]any); ok {
		for i, t := range ts {
			if s, ok := t.(string); ok {
				check(fmt.Sprintf("/spec/targets/%d", i), s)
			}
		}
	}
	return out
}

// resolvePlaceholders replaces $text, $json and $yaml placeholders (objects with exactly one
// key naming a resolver and a string value) with the content of the local file they name,
// relative to the descriptor file, by the catalog's rules for file locations
// (engine.PlaceholderTarget: relative paths or remote URLs). Remote URLs are not fetched:
// $text becomes the URL itself and $json/$yaml stay as written. Resolution is not recursive,
// as in the catalog. ptr is the JSON pointer of v.
func resolvePlaceholders(descriptor string, v any, ptr string) (any, []pathProblem) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for k, raw := range v {
				target, ok := raw.(string)
				if !ok || (k != "$text" && k != "$json" && k != "$yaml") {
					break
				}
				out, err := resolvePlaceholder(descriptor, k, target)
				if err != nil {
					return v, []pathProblem{{ptr + "/" + escapePointer(k), err.Error()}}
				}
				return out, nil
			}
		}
		out := make(map[string]any, len(v))
		var problems []pathProblem
		for k, item := range v {
			r, ps := resolvePlaceholders(descriptor, item, ptr+"/"+escapePointer(k))
			out[k] = r
			problems = append(problems, ps...)
		}
		sort.Slice(problems, func(i, j int) bool { return problems[i].path < problems[j].path })
		return out, problems
	case []any:
		out := make([]any, len(v))
		var problems []pathProblem
		for i, item := range v {
			r, ps := resolvePlaceholders(descriptor, item, fmt.Sprintf("%s/%d", ptr, i))
			out[i] = r
			problems = append(problems, ps...)
		}
		return out, problems
	default:
		return v, nil
	}
}

func resolvePlaceholder(descriptor, key, target string) (any, error) {
	p, local, err := engine.PlaceholderTarget(model.LocationRef{Type: model.LocationTypeFile, Target: filepath.ToSlash(descriptor)}, target)
	if err != nil {
		return nil, fmt.Errorf("placeholder %s could not form a URL out of %s, %v", key, target, err)
	}
	if !local {
		if key == "$text" {
			return target, nil
		}
		return map[string]any{key: target}, nil
	}
	data, err := os.ReadFile(filepath.FromSlash(p))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("placeholder %s could not read location %s, file does not exist", key, target)
		}
		return nil, fmt.Errorf("placeholder %s could not read location %s, %w", key, target, err)
	}
	v, err := engine.DecodePlaceholder(strings.TrimPrefix(key, "$"), target, data)
	if err != nil {
		return nil, fmt.Errorf("placeholder %w", err)
	}
	return v, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
