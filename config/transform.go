package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// maxIncludeDepth bounds nested $include chains.
const maxIncludeDepth = 32

// transformer applies $env, $file, $include and ${VAR} to the values of one loaded file.
type transformer struct {
	env      envLookup
	readFile func(string) ([]byte, error)
}

// place says where a file lives: readPath is what readFile gets, name is what messages show.
type place struct {
	readPath string
	name     string
	chain    []string // read paths of the files that included this one, for cycle detection
}

func (p place) dir() (readDir, nameDir string) {
	return filepath.Dir(p.readPath), filepath.Dir(p.name)
}

// resolve returns where a path referenced from p lives.
func (p place) resolve(target string) place {
	if filepath.IsAbs(target) {
		return place{readPath: target, name: target, chain: p.chain}
	}
	readDir, nameDir := p.dir()
	return place{readPath: filepath.Join(readDir, target), name: filepath.Join(nameDir, target), chain: p.chain}
}

var includeKeys = []string{"$file", "$env", "$include"}

// apply transforms n, found at key. It returns ok=false when the value is undefined (a missing
// variable), which makes its key disappear.
func (t *transformer) apply(ctx context.Context, n *node, key string, at place) (*node, bool, error) {
	switch n.kind {
	case kindString:
		s, ok := interpolate(n.str, t.env)
		if !ok {
			return nil, false, nil
		}
		return newString(s, n.file, n.line), true, nil
	case kindArray:
		out := &node{kind: kindArray, arr: make([]*node, 0, len(n.arr)), file: n.file, line: n.line}
		for i, e := range n.arr {
			v, ok, err := t.apply(ctx, e, key+"["+strconv.Itoa(i)+"]", at)
			if err != nil {
				return nil, false, err
			}
			if ok {
				out.arr = append(out.arr, v)
			}
		}
		return out, true, nil
	case kindObject:
		for _, ik := range includeKeys {
			if _, found := n.obj[ik]; found {
				return t.include(ctx, n, ik, key, at)
			}
		}
		out := newObject(n.file, n.line)
		for _, k := range slices.Sorted(maps.Keys(n.obj)) {
			v, ok, err := t.apply(ctx, n.obj[k], joinKey(key, k), at)
			if err != nil {
				return nil, false, err
			}
			if ok {
				out.obj[k] = v
			}
		}
		return out, true, nil
	default:
		return n, true, nil
	}
}

// include resolves an object whose only key is $env, $file or $include.
func (t *transformer) include(ctx context.Context, n *node, ik, key string, at place) (*node, bool, error) {
	if len(n.obj) != 1 {
		return nil, false, errAt(n, key, fmt.Sprintf("include key %s must not have sibling keys", ik))
	}
	raw := n.obj[ik]
	if raw.kind != kindString {
		return nil, false, errAt(raw, key, fmt.Sprintf("%s value must be a string, got %s", ik, typeName(raw)))
	}
	target, ok := interpolate(raw.str, t.env)
	if !ok {
		return nil, false, errAt(raw, key, fmt.Sprintf("%s value %q refers to an unset environment variable", ik, raw.str))
	}
	switch ik {
	case "$env":
		v, ok := t.env(target)
		if !ok {
			return nil, false, nil
		}
		return newString(v, n.file, n.line), true, nil
	case "$file":
		p := at.resolve(target)
		data, err := t.readFile(p.readPath)
		if err != nil {
			return nil, false, errAt(n, key, fmt.Sprintf("$file: cannot read %s: %s", p.name, describeReadError(err)))
		}
		return newString(strings.TrimRightFunc(string(data), unicode.IsSpace), n.file, n.line), true, nil
	default:
		return t.includeFile(ctx, n, target, key, at)
	}
}

func (t *transformer) includeFile(ctx context.Context, n *node, target, key string, at place) (*node, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("load config: %w", err)
	}
	filePath, fragment, hasFragment := strings.Cut(target, "#")
	ext := filepath.Ext(filePath)
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		return nil, false, errAt(n, key, fmt.Sprintf("$include: unsupported file type %q for %s (want .yaml, .yml or .json)", ext, filePath))
	}
	p := at.resolve(filePath)
	if len(at.chain) >= maxIncludeDepth {
		return nil, false, errAt(n, key, fmt.Sprintf("$include: includes nested deeper than %d levels", maxIncludeDepth))
	}
	clean := filepath.Clean(p.readPath)
	if slices.Contains(at.chain, clean) {
		return nil, false, errAt(n, key, fmt.Sprintf("$include: %s includes itself", p.name))
	}
	p.chain = append(slices.Clip(at.chain), clean)
	data, err := t.readFile(p.readPath)
	if err != nil {
		return nil, false, errAt(n, key, fmt.Sprintf("$include: cannot read %s: %s", p.name, describeReadError(err)))
	}
	var doc *node
	if ext == ".json" {
		doc, err = parseJSON(data, p.name)
	} else {
		doc, err = parseYAML(data, p.name)
	}
	if err != nil {
		return nil, false, err
	}
	if hasFragment && fragment != "" {
		walked := ""
		for _, part := range strings.Split(fragment, ".") {
			if doc.kind != kindObject {
				return nil, false, errAt(n, key, fmt.Sprintf("$include: value at %q in %s is not an object", walked, p.name))
			}
			next, found := doc.obj[part]
			walked = joinKey(walked, part)
			if !found {
				return nil, false, errAt(n, key, fmt.Sprintf("$include: key %q not found in %s", walked, p.name))
			}
			doc = next
		}
	}
	return t.apply(ctx, doc, key, p)
}

// describeReadError shortens file errors to their cause; the path is already in the message.
func describeReadError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "file does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// joinKey appends a key segment to a dot path.
func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
