package action_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

func workspaceFiles(t *testing.T, ws string) []string {
	t.Helper()
	var out []string
	for p := range readTree(t, ws) {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func TestFsDelete(t *testing.T) {
	tests := []struct {
		name    string
		files   []any
		want    []string
		wantErr error
	}{
		{name: "plain file", files: []any{"a.txt"}, want: []string{".hidden/x.md", "b.md", "docs/c.md", "docs/deep/d.md", "keep.go"}},
		{name: "glob with dotfiles", files: []any{"**/*.md"}, want: []string{"a.txt", "keep.go"}},
		{name: "directory", files: []any{"docs"}, want: []string{".hidden/x.md", "a.txt", "b.md", "keep.go"}},
		{name: "no match is fine", files: []any{"nothing*"}, want: []string{".hidden/x.md", "a.txt", "b.md", "docs/c.md", "docs/deep/d.md", "keep.go"}},
		{name: "parent escape refused", files: []any{"../outside"}, wantErr: action.ErrPathEscape},
		{name: "absolute refused", files: []any{"/etc/passwd"}, wantErr: action.ErrPathEscape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, action.BuiltinDeps{})
			for _, f := range []string{"a.txt", "b.md", "docs/c.md", "docs/deep/d.md", ".hidden/x.md", "keep.go"} {
				writeFile(t, filepath.Join(h.ws, f), f)
			}
			err := h.run("fs:delete", map[string]any{"files": tc.files})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				return
			}
			must(t, err)
			if got := workspaceFiles(t, h.ws); !slices.Equal(got, tc.want) {
				t.Fatalf("files = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFsDeleteThroughSymlinkRefused(t *testing.T) {
	h := newHarness(t, action.BuiltinDeps{})
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "precious.txt"), "keep me")
	must(t, os.Symlink(outside, filepath.Join(h.ws, "link")))
	err := h.run("fs:delete", map[string]any{"files": []any{"link/precious.txt"}})
	if !errors.Is(err, action.ErrPathEscape) {
		t.Fatalf("got %v, want ErrPathEscape", err)
	}
	if readFile(t, filepath.Join(outside, "precious.txt")) != "keep me" {
		t.Fatal("file outside the workspace was touched")
	}
}

func TestFsRename(t *testing.T) {
	tests := []struct {
		name    string
		files   []any
		want    map[string]string
		wantErr string
	}{
		{name: "file into new dir", files: []any{map[string]any{"from": "a.txt", "to": "x/y/a2.txt"}},
			want: map[string]string{"x/y/a2.txt": "A", "b.txt": "B"}},
		{name: "existing target refused", files: []any{map[string]any{"from": "a.txt", "to": "b.txt"}},
			wantErr: "already exists"},
		{name: "overwrite", files: []any{map[string]any{"from": "a.txt", "to": "b.txt", "overwrite": true}},
			want: map[string]string{"b.txt": "A"}},
		{name: "missing source", files: []any{map[string]any{"from": "nope", "to": "c"}}, wantErr: "does not exist"},
		{name: "escape", files: []any{map[string]any{"from": "a.txt", "to": "../a.txt"}}, wantErr: "outside its parent"},
		{name: "missing to", files: []any{map[string]any{"from": "a.txt"}}, wantErr: "needs from and to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, action.BuiltinDeps{})
			writeFile(t, filepath.Join(h.ws, "a.txt"), "A")
			writeFile(t, filepath.Join(h.ws, "b.txt"), "B")
			err := h.run("fs:rename", map[string]any{"files": tc.files})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			must(t, err)
			checkTree(t, h.ws, tc.want)
		})
	}
}

func TestFsReaddir(t *testing.T) {
	h := newHarness(t, action.BuiltinDeps{})
	for _, f := range []string{"src/a.go", "src/sub/b.go", "src/.env"} {
		writeFile(t, filepath.Join(h.ws, f), "x")
	}
	paths := func(v any) []string {
		var out []string
		for _, e := range v.([]any) {
			m := e.(map[string]any)
			if m["fullPath"] != filepath.Join(h.ws, filepath.FromSlash(m["path"].(string))) {
				t.Errorf("fullPath %v does not match path %v", m["fullPath"], m["path"])
			}
			out = append(out, m["path"].(string))
		}
		return out
	}
	must(t, h.run("fs:readdir", map[string]any{"paths": []any{"src"}}))
	if got := paths(h.outputs["files"]); !slices.Equal(got, []string{"src/.env", "src/a.go"}) {
		t.Errorf("files = %v", got)
	}
	if got := paths(h.outputs["folders"]); !slices.Equal(got, []string{"src/sub"}) {
		t.Errorf("folders = %v", got)
	}
	must(t, h.run("fs:readdir", map[string]any{"paths": []any{"src"}, "recursive": true}))
	if got := paths(h.outputs["files"]); !slices.Equal(got, []string{"src/.env", "src/a.go", "src/sub/b.go"}) {
		t.Errorf("recursive files = %v", got)
	}
	if err := h.run("fs:readdir", map[string]any{"paths": []any{"../"}}); !errors.Is(err, action.ErrPathEscape) {
		t.Errorf("escape: got %v", err)
	}
}

func TestDebugLog(t *testing.T) {
	h := newHarness(t, action.BuiltinDeps{})
	writeFile(t, filepath.Join(h.ws, "dir", "f.txt"), "contents here")
	must(t, h.run("debug:log", map[string]any{"message": "Hello Backstage!", "listWorkspace": "with-contents"}))
	log := h.log.String()
	for _, want := range []string{"Hello Backstage!", "dir/f.txt", "contents here"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestDebugWait(t *testing.T) {
	var slept []time.Duration
	deps := action.BuiltinDeps{MaxWait: time.Minute, Sleep: func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}}
	h := newHarness(t, deps)
	must(t, h.run("debug:wait", map[string]any{"seconds": 1.5, "milliseconds": 20}))
	if len(slept) != 1 || slept[0] != 1520*time.Millisecond {
		t.Fatalf("slept %v, want [1.52s]", slept)
	}
	err := h.run("debug:wait", map[string]any{"minutes": 2})
	if !errors.Is(err, action.ErrInput) || !strings.Contains(err.Error(), "maximum threshold") {
		t.Fatalf("over max: got %v", err)
	}
	// Cancellation ends the wait with the context's error.
	h2 := newHarness(t, action.BuiltinDeps{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	a, _ := action.NewRegistry(action.Builtins(action.BuiltinDeps{})...)
	wait, _ := a.Get("debug:wait")
	h2.ctx.Input = map[string]any{"seconds": 30}
	if err := wait.Handle(ctx, h2.ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: got %v", err)
	}
}
