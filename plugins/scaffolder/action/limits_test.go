package action_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// TestSkeletonSymlinkChains fetches a skeleton whose links climb out through a chain
// (`d/up -> ..`, `esc -> d/up/..`): checking the link text as a path sees "d", inside, but the
// kernel resolves esc to the skeleton's parent. No link in the workspace may lead outside it.
func TestSkeletonSymlinkChains(t *testing.T) {
	for _, id := range []string{"fetch:plain", "fetch:template"} {
		t.Run(id, func(t *testing.T) {
			h := newHarness(t, action.BuiltinDeps{})
			root := t.TempDir()
			skel := filepath.Join(root, "skel")
			writeFile(t, filepath.Join(skel, "d", "keep.txt"), "kept")
			writeFile(t, filepath.Join(root, "outside.txt"), "server file")
			for link, target := range map[string]string{
				"d/up":     "..",         // the skeleton itself: inside
				"esc":      "d/up/..",    // the skeleton's parent
				"esc2":     "d/up/../..", // its grandparent
				"inside":   "d/up/d",     // through the chain, but inside
				"dangling": "nowhere",
			} {
				if err := os.Symlink(target, filepath.Join(skel, filepath.FromSlash(link))); err != nil {
					t.Fatal(err)
				}
			}
			h.ctx.Template.BaseURL = "file://" + root + "/template.yaml"
			if err := h.run(id, map[string]any{"url": "./skel"}); err != nil {
				t.Fatalf("%s: %v\n%s", id, err, h.log)
			}
			realWS, err := filepath.EvalSymlinks(h.ws)
			if err != nil {
				t.Fatal(err)
			}
			links := 0
			err = filepath.WalkDir(h.ws, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.Type()&fs.ModeSymlink == 0 {
					return err
				}
				links++
				real, err := filepath.EvalSymlinks(p)
				if err != nil {
					t.Errorf("%s: a dangling link was recreated: %v", p, err)
					return nil
				}
				if rel, _ := filepath.Rel(realWS, real); rel == ".." || strings.HasPrefix(rel, "../") {
					text, _ := os.Readlink(p)
					t.Errorf("%s -> %s resolves to %s, outside the workspace %s", p, text, real, realWS)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if links == 0 {
				t.Errorf("no link recreated; the links inside the skeleton (d/up, inside) should be")
			}
			if got := readFile(t, filepath.Join(h.ws, "inside", "keep.txt")); got != "kept" {
				t.Errorf("inside/keep.txt = %q", got)
			}
		})
	}
}

// TestWorkspaceQuota fills a workspace past its quota with each kind of writing action: the
// write is refused with ErrWorkspaceLimit before it reaches the disk.
func TestWorkspaceQuota(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		files    map[string]string
		input    map[string]any
		maxBytes int64
		maxFiles int
	}{
		{name: "template output", id: "fetch:template", files: map[string]string{"skel/a.txt": "{% for i in range(1000) %}0123456789{% endfor %}"}, input: map[string]any{"url": "./skel"}, maxBytes: 5000},
		{name: "plain bytes", id: "fetch:plain", files: map[string]string{"skel/a.txt": strings.Repeat("x", 6000)}, input: map[string]any{"url": "./skel"}, maxBytes: 5000},
		{name: "plain files", id: "fetch:plain", files: map[string]string{"skel/a": "1", "skel/b": "2", "skel/c": "3", "skel/d": "4"}, input: map[string]any{"url": "./skel"}, maxFiles: 3},
		{name: "template file", id: "fetch:template:file", files: map[string]string{"f.txt": "{% for i in range(1000) %}0123456789{% endfor %}"}, input: map[string]any{"url": "./f.txt", "targetPath": "out.txt"}, maxBytes: 5000},
		{name: "catalog file", id: "catalog:write", input: map[string]any{"entity": map[string]any{"kind": "Component", "description": strings.Repeat("y", 6000)}}, maxBytes: 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, action.BuiltinDeps{})
			root := t.TempDir()
			for p, c := range tc.files {
				writeFile(t, filepath.Join(root, filepath.FromSlash(p)), c)
			}
			h.ctx.Template.BaseURL = "file://" + root + "/template.yaml"
			h.ctx.Quota = action.NewQuota(tc.maxBytes, tc.maxFiles)
			err := h.run(tc.id, tc.input)
			if !errors.Is(err, action.ErrWorkspaceLimit) {
				t.Fatalf("got %v, want ErrWorkspaceLimit", err)
			}
			if err := h.ctx.Quota.Measure(h.ws); err != nil {
				t.Errorf("the workspace went past its quota: %v", err)
			}
		})
	}
}

// TestDebugLogListingBounded lists a workspace holding a large file with its contents: the
// log event stays bounded (it is stored with the task and returned by dry runs).
func TestDebugLogListingBounded(t *testing.T) {
	h := newHarness(t, action.BuiltinDeps{})
	writeFile(t, filepath.Join(h.ws, "big.txt"), strings.Repeat("z", 3<<20))
	if err := h.run("debug:log", map[string]any{"listWorkspace": "with-contents"}); err != nil {
		t.Fatal(err)
	}
	if n := len(h.log.String()); n > 2<<20 || !strings.Contains(h.log.String(), "truncated") {
		t.Fatalf("log of %d bytes, want a truncated listing under 2 MiB", n)
	}
}
