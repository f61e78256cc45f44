package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// goldenResult is what a golden case resolves to: the merged config and where every value came
// from, or the load error.
type goldenResult struct {
	Config  any               `json:"config,omitempty"`
	Origins map[string]string `json:"origins,omitempty"`
	Error   string            `json:"error,omitempty"`
}

// TestGolden loads each directory under testdata/golden with its optional "args" (one --config
// path per line) and "env" (KEY=VALUE lines) files and compares the result with resolved.json.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			opts := LoadOptions{Dir: dir, Paths: readLines(t, filepath.Join(dir, "args")), Environ: readLines(t, filepath.Join(dir, "env"))}
			var res goldenResult
			c, err := Load(t.Context(), opts)
			if err != nil {
				res.Error = err.Error()
			} else {
				res.Config = tree(c)
				res.Origins = map[string]string{}
				collectOrigins(c.root, "", res.Origins)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join(dir, "resolved.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("resolved config differs from %s (run with -update after checking):\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// readLines returns the non-empty lines of an optional file.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// collectOrigins records "file:line" for every scalar and empty container under n.
func collectOrigins(n *node, key string, out map[string]string) {
	switch {
	case n.kind == kindObject && len(n.obj) > 0:
		for k, v := range n.obj {
			collectOrigins(v, joinKey(key, k), out)
		}
	case n.kind == kindArray && len(n.arr) > 0:
		for i, v := range n.arr {
			collectOrigins(v, indexKey(key, i), out)
		}
	default:
		out[key] = n.file + ":" + strconv.Itoa(n.line)
	}
}
