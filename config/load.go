package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Default config file names, read from LoadOptions.Dir when no paths are given.
const (
	DefaultFile      = "app-config.yaml"
	DefaultLocalFile = "app-config.local.yaml"
)

// LoadOptions says which config files to read and what environment to resolve them with.
type LoadOptions struct {
	// Paths are the --config values in flag order. Empty means the defaults: app-config.yaml
	// (if present; absence is NOT an error, Portico runs with no config file at all) then
	// app-config.local.yaml (if present), both in Dir.
	Paths []string
	// Dir is the base for relative paths and the defaults; "" means the working directory.
	Dir string
	// Environ is an os.Environ-style list used for ${VAR}, $env and APP_CONFIG_* overrides.
	Environ []string
	// ReadFile reads a file; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
}

// Load reads, transforms and merges the config files and APP_CONFIG_* overrides. Every error a
// user can cause is a *Error.
func Load(ctx context.Context, opts LoadOptions) (*Config, error) {
	readFile := opts.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	t := &transformer{env: newEnvLookup(opts.Environ), readFile: readFile}

	type source struct {
		name     string
		optional bool
	}
	var sources []source
	if len(opts.Paths) == 0 {
		sources = []source{{DefaultFile, true}, {DefaultLocalFile, true}}
	} else {
		for _, p := range opts.Paths {
			if isRemote(p) {
				return nil, &Error{File: p, Message: "remote config sources are not supported"}
			}
			sources = append(sources, source{name: p})
		}
	}

	var merged *node
	for _, s := range sources {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("load config: %w", err)
		}
		readPath := s.name
		if !filepath.IsAbs(readPath) && opts.Dir != "" {
			readPath = filepath.Join(opts.Dir, readPath)
		}
		data, err := readFile(readPath)
		if err != nil {
			if s.optional && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, &Error{File: s.name, Message: "cannot read config file: " + describeReadError(err)}
		}
		n, err := loadFile(ctx, t, data, place{readPath: readPath, name: s.name, chain: []string{filepath.Clean(readPath)}})
		if err != nil {
			return nil, err
		}
		merged = merge(merged, n)
	}

	envNode, err := envSource(opts.Environ)
	if err != nil {
		return nil, err
	}
	merged = merge(merged, envNode)
	if merged == nil {
		merged = newObject("", 0)
	}
	return newRoot(stripNulls(merged)), nil
}

// loadFile parses one config file and applies its transforms.
func loadFile(ctx context.Context, t *transformer, data []byte, at place) (*node, error) {
	doc, err := parseYAML(data, at.name)
	if err != nil {
		return nil, err
	}
	if doc.kind == kindNull {
		return nil, nil
	}
	out, ok, err := t.apply(ctx, doc, "", at)
	if err != nil {
		return nil, err
	}
	if !ok || out.kind == kindNull {
		return nil, nil
	}
	if out.kind != kindObject {
		return nil, &Error{File: at.name, Line: doc.line, Message: fmt.Sprintf("config file must contain an object at the top level, got %s", typeName(out))}
	}
	return out, nil
}

// isRemote reports whether a --config value is a URL rather than a path.
func isRemote(p string) bool {
	u, err := url.Parse(p)
	if err != nil {
		return false
	}
	s := strings.ToLower(u.Scheme)
	return (s == "http" || s == "https") && u.Host != ""
}

// FromMap builds a Config from literal data (tests and defaults); context names it in errors.
// Keys holding nil are treated as absent; values of other Go types are formatted as strings.
func FromMap(data map[string]any, context string) *Config {
	n := fromGo(data, context)
	if n.kind != kindObject { // a nil map
		n = newObject(context, 0)
	}
	return newRoot(n)
}
