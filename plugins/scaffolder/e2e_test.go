package scaffolder_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// gitServer is git's own smart-HTTP server (git http-backend over CGI) on loopback.
type gitServer struct {
	*httptest.Server
	root string
}

func startGitServer(t *testing.T) *gitServer {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("git not available: %v", err)
	}
	root := t.TempDir()
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &gitServer{Server: srv, root: root}
}

// newRepo creates an empty bare repository accepting pushes and returns its URL.
func (g *gitServer) newRepo(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(g.root, name+".git")
	for _, args := range [][]string{
		{"init", "--bare", "--initial-branch=main", dir},
		{"-C", dir, "config", "http.receivepack", "true"},
		// Let rollback delete the only branch, as a freshly created hosted repository allows.
		{"-C", dir, "config", "receive.denyDeleteCurrent", "ignore"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return g.URL + "/" + name + ".git"
}

// branches lists the repository's branches.
func (g *gitServer) branches(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", filepath.Join(g.root, name+".git"), "branch", "--list").CombinedOutput()
	if err != nil {
		t.Fatalf("git branch: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// failModule adds test:fail, an action that always fails.
func failModule() framework.Module {
	return framework.ExtensionModule("scaffolder", "test-fail", scaffolder.ActionsExtensionPoint, func(ctx context.Context, d *framework.Deps, reg *action.Registry) error {
		return reg.Add(fnAction{id: "test:fail", input: `{"type":"object"}`, handle: func(context.Context, *action.Context) error {
			return errors.New("the last step failed on purpose")
		}})
	})
}

// TestCreateServiceEndToEnd runs a v1beta3 template written for Backstage: fetch:template a
// skeleton, publish:git to a real git server, catalog:register the result; the component
// appears in the catalog with its owner relation. A second run failing in its last step rolls
// back: the pushed branch is deleted and the registered location removed.
func TestCreateServiceEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, h *harness) {
		git := startGitServer(t)
		h.others = append(h.others, failModule())
		h.allowHosts = []string{strings.TrimPrefix(git.URL, "http://")}
		b := h.start(testdata(t, "templates/create-service/template.yaml"), testdata(t, "catalog/org.yaml"))
		// The catalog reads the published repository over git+http from the loopback server.
		waitForEntity(t, b.URL, "template", "default", "create-service")
		api := b.URL + "/api/scaffolder"

		remote := git.newRepo(t, "payments")
		_, evs := runTask(t, b.URL, map[string]any{
			"templateRef": "template:default/create-service",
			"values":      map[string]any{"name": "payments", "description": "Takes money", "owner": "group:default/platform", "remoteUrl": remote},
		})
		out, _ := evs[len(evs)-1].Body["output"].(map[string]any)
		links, _ := out["links"].([]any)
		if len(links) != 2 || links[1].(map[string]any)["entityRef"] != "component:default/payments" {
			// The catalog answers a registration with no entities (as Backstage's does);
			// catalog:register must ask again with dryRun=true to learn the entityRef.
			t.Errorf("output links = %v: want the Open in catalog link to name component:default/payments", links)
		}
		if got := git.branches(t, "payments"); !strings.Contains(got, "main") {
			t.Errorf("branches after publish = %q", got)
		}
		waitForEntity(t, b.URL, "component", "default", "payments")
		var comp struct {
			Metadata struct {
				Description string `json:"description"`
			} `json:"metadata"`
			Relations []struct {
				Type      string `json:"type"`
				TargetRef string `json:"targetRef"`
			} `json:"relations"`
		}
		waitUntil(t, "payments to be owned by platform", func() bool {
			do(t, "GET", b.URL+"/api/catalog/entities/by-name/component/default/payments", nil, &comp)
			for _, r := range comp.Relations {
				if r.Type == "ownedBy" && r.TargetRef == "group:default/platform" {
					return true
				}
			}
			return false
		})
		if comp.Metadata.Description != "Takes money" {
			t.Errorf("description = %q", comp.Metadata.Description)
		}

		t.Run("rollback on a failing last step", func(t *testing.T) {
			remote := git.newRepo(t, "refunds")
			var created map[string]string
			do(t, "POST", api+"/v2/tasks", map[string]any{
				"templateRef": "template:default/create-service",
				"values":      map[string]any{"name": "refunds", "owner": "group:default/platform", "remoteUrl": remote, "failAtEnd": true},
			}, &created)
			task := waitForStatus(t, b.URL, created["id"], "completed", "failed")
			evs := events(t, b.URL, created["id"])
			if task.Status != "failed" {
				t.Fatalf("task %s, want failed", task.Status)
			}
			var log []string
			for _, e := range evs {
				if m, ok := e.Body["message"].(string); ok {
					log = append(log, m)
				}
			}
			all := strings.Join(log, "\n")
			for _, want := range []string{"the last step failed on purpose", "Rolling back step register", "Rolling back step publish"} {
				if !strings.Contains(all, want) {
					t.Errorf("log lacks %q:\n%s", want, all)
				}
			}
			if got := git.branches(t, "refunds"); got != "" {
				t.Errorf("branches after rollback = %q, want none", got)
			}
			// The location is gone, so the component never stays in the catalog.
			waitUntil(t, "refunds to leave the catalog", func() bool {
				return do(t, "GET", b.URL+"/api/catalog/entities/by-name/component/default/refunds", nil, nil) == http.StatusNotFound
			})
			var locs []map[string]any
			do(t, "GET", b.URL+"/api/catalog/locations", nil, &locs)
			for _, l := range locs {
				if d, _ := l["data"].(map[string]any); d != nil && strings.Contains(d["target"].(string), "refunds") {
					t.Errorf("location still registered: %v", l)
				}
			}
		})
	})
}

// TestPublishGitRefusesLocalRemotes performs issue 12's attack through a task: a template's
// remoteUrl names a repository on the server's disk (a file:// URL, a plain path). The publish
// step fails with an error naming the cause and the repository stays empty. (A configured host
// still receives the push: TestCreateServiceEndToEnd.)
func TestPublishGitRefusesLocalRemotes(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		h.others = append(h.others, failModule())
		b := h.start(testdata(t, "templates/create-service/template.yaml"), testdata(t, "catalog/org.yaml"))
		waitForEntity(t, b.URL, "template", "default", "create-service")
		bare := filepath.Join(t.TempDir(), "victim.git")
		if out, err := exec.Command("git", "init", "-q", "--bare", bare).CombinedOutput(); err != nil {
			t.Fatalf("git init: %v\n%s", err, out)
		}
		for _, remote := range []string{"file://" + bare, bare} {
			t.Run(remote, func(t *testing.T) {
				var created map[string]string
				code := do(t, "POST", b.URL+"/api/scaffolder/v2/tasks", map[string]any{
					"templateRef": "template:default/create-service",
					"values":      map[string]any{"name": "poison", "owner": "group:default/platform", "remoteUrl": remote},
				}, &created)
				if code != http.StatusCreated {
					t.Fatalf("create: %d %v", code, created)
				}
				task := waitForStatus(t, b.URL, created["id"], "completed", "failed")
				var log []string
				for _, e := range events(t, b.URL, created["id"]) {
					if m, ok := e.Body["message"].(string); ok {
						log = append(log, m)
					}
				}
				if task.Status != "failed" || !strings.Contains(strings.Join(log, "\n"), "is not an http(s) URL") {
					t.Errorf("task %s, want failed with the remote refused; log:\n%s", task.Status, strings.Join(log, "\n"))
				}
				// No ref, and no object either (a rollback deleting the branch would leave them).
				refs, err := exec.Command("git", "-C", bare, "for-each-ref").CombinedOutput()
				if err != nil || len(refs) != 0 {
					t.Fatalf("repository written to (err %v):\n%s", err, refs)
				}
				objs, err := exec.Command("git", "-C", bare, "count-objects", "-v").CombinedOutput()
				if err != nil || !strings.Contains(string(objs), "count: 0\n") || !strings.Contains(string(objs), "in-pack: 0\n") {
					t.Fatalf("objects written to the repository (err %v):\n%s", err, objs)
				}
			})
		}
	})
}
