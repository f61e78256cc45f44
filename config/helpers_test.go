package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// memFS is an in-memory file tree for LoadOptions.ReadFile, keyed by slash-separated clean path.
type memFS map[string]string

func (m memFS) read(name string) ([]byte, error) {
	if s, ok := m[filepath.ToSlash(filepath.Clean(name))]; ok {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// load runs Load over files with the given environment and --config paths.
func load(t *testing.T, files memFS, env []string, paths ...string) (*Config, error) {
	t.Helper()
	return Load(t.Context(), LoadOptions{Paths: paths, Environ: env, ReadFile: files.read})
}

// mustLoad is load that fails the test on error.
func mustLoad(t *testing.T, files memFS, env []string, paths ...string) *Config {
	t.Helper()
	c, err := load(t, files, env, paths...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// wantError checks that err is a *Error whose text contains want.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got error %T %q, want *config.Error", err, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("got error %q, want it to contain %q", err, want)
	}
	if strings.ContainsAny(err.Error(), "\n\r") {
		t.Fatalf("error %q spans several lines", err)
	}
}

// tree returns the whole config as plain data.
func tree(c *Config) any {
	v, _ := c.Get("")
	return v
}

// origin is where a key's value came from: a file and line (see Config.Origin).
type origin struct {
	key, file string
	line      int
}

// wantOrigins checks Config.Origin for each key of want.
func wantOrigins(t *testing.T, c *Config, want []origin) {
	t.Helper()
	for _, o := range want {
		t.Run(o.key, func(t *testing.T) {
			if f, l := c.Origin(o.key); f != o.file || l != o.line {
				t.Fatalf("Origin(%q) = %s:%d, want %s:%d", o.key, f, l, o.file, o.line)
			}
		})
	}
}
