package action_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// seedRepo pushes a first commit (a README.md) to the main branch of the bare repository.
func seedRepo(t *testing.T, bare string) {
	t.Helper()
	seed := t.TempDir()
	gitCmd(t, seed, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(seed, "README.md"), "app\n")
	gitCmd(t, seed, "add", "-A")
	gitCmd(t, seed, "commit", "-q", "-m", "init")
	gitCmd(t, seed, "push", "-q", bare, "main")
}

// jsonBody is the JSON object a fake API's request carries (nil when it carries none).
func jsonBody(r *http.Request) map[string]any {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	return body
}

func seedWorkspace(t *testing.T, ws string) {
	t.Helper()
	writeFile(t, filepath.Join(ws, "README.md"), "# svc\n")
	writeFile(t, filepath.Join(ws, "sub", "catalog-info.yaml"), "kind: Component\n")
	must(t, os.WriteFile(filepath.Join(ws, "run.sh"), []byte("#!/bin/sh\n"), 0o755))
}

func checkClone(t *testing.T, dir, hash string) {
	t.Helper()
	if got := readFile(t, filepath.Join(dir, "README.md")); got != "# svc\n" {
		t.Errorf("README.md = %q", got)
	}
	if got := gitCmd(t, dir, "rev-parse", "HEAD"); got != hash {
		t.Errorf("HEAD = %s, want output commitHash %s", got, hash)
	}
	fi, err := os.Stat(filepath.Join(dir, "run.sh"))
	must(t, err)
	if fi.Mode()&0o100 == 0 {
		t.Error("run.sh lost its executable bit")
	}
}

func TestPublishGit(t *testing.T) {
	root, srv, u := servedRepo(t, "team/svc.git", "git-user", "s3cret")
	remote := srv.URL + "/team/svc.git"
	authed := "http://git-user:s3cret@" + u.Host + "/team/svc.git"
	// The operator configured the host (integrations.git): publish:git may push there.
	hosts := newURLReaderWith(t, urlreader.Options{Integrations: urlreader.Integrations{Git: []urlreader.GitIntegration{{Host: u.Host}}}})

	t.Run("anonymous push is refused by the server", func(t *testing.T) {
		h := newHarness(t, action.BuiltinDeps{})
		h.ctx.Reader = hosts
		seedWorkspace(t, h.ws)
		if err := h.run("publish:git", map[string]any{"remoteUrl": remote}); err == nil {
			t.Fatal("push without credentials succeeded")
		}
	})

	h := newHarness(t, action.BuiltinDeps{})
	seedWorkspace(t, h.ws)
	h.ctx.Reader = hosts
	h.ctx.Integrations = action.Integrations{Git: []urlreader.GitIntegration{{Host: u.Host, Username: "git-user", Token: "s3cret"}}}
	must(t, h.run("publish:git", map[string]any{
		"remoteUrl": remote, "defaultBranch": "trunk",
		"gitAuthorName": "Ann Author", "gitAuthorEmail": "ann@example.com", "gitCommitMessage": "scaffold svc",
	}))
	hash, _ := h.outputs["commitHash"].(string)
	if len(hash) != 40 || h.outputs["remoteUrl"] != remote {
		t.Fatalf("outputs = %v", h.outputs)
	}
	dir := cloneRepo(t, authed, "trunk")
	checkClone(t, dir, hash)
	if got := gitCmd(t, dir, "log", "-1", "--format=%an <%ae>|%s|%cI"); got != "Ann Author <ann@example.com>|scaffold svc|2026-01-02T03:04:05+00:00" {
		t.Errorf("commit = %q", got)
	}
	if strings.Contains(h.log.String(), "s3cret") {
		t.Error("the token appears in the task log")
	}

	// Undo removes the branch it pushed.
	must(t, h.undo("publish:git"))
	if refs := gitCmd(t, root, "ls-remote", authed); strings.Contains(refs, "refs/heads/trunk") {
		t.Fatalf("branch still there after undo:\n%s", refs)
	}

	t.Run("token input overrides the integration", func(t *testing.T) {
		h := newHarness(t, action.BuiltinDeps{})
		seedWorkspace(t, h.ws)
		h.ctx.Integrations = action.Integrations{Git: []urlreader.GitIntegration{{Host: u.Host, Username: "git-user", Token: "wrong"}}}
		h.ctx.Reader = hosts
		err := h.run("publish:git", map[string]any{"remoteUrl": remote, "token": "s3cret", "sourcePath": "sub", "defaultBranch": "only-sub"})
		must(t, err)
		dir := cloneRepo(t, authed, "only-sub")
		if got := readFile(t, filepath.Join(dir, "catalog-info.yaml")); got != "kind: Component\n" {
			t.Errorf("catalog-info.yaml = %q", got)
		}
	})

	t.Run("sourcePath escape refused", func(t *testing.T) {
		h := newHarness(t, action.BuiltinDeps{})
		h.ctx.Reader = hosts
		if err := h.run("publish:git", map[string]any{"remoteUrl": remote, "sourcePath": "../"}); err == nil || !strings.Contains(err.Error(), "outside its parent") {
			t.Fatalf("got %v", err)
		}
	})
}

// fakeGitHub speaks the parts of GitHub's REST API publish:github uses, and serves the
// created repositories with git http-backend.
type fakeGitHub struct {
	t      *testing.T
	root   string
	token  string
	srv    *httptest.Server
	mu     sync.Mutex
	topics map[string][]string
	bodies []map[string]any
	// grants records "PUT path permission" of collaborator and team calls; protection the
	// branch protection bodies by "owner/repo/branch".
	grants     []string
	protection map[string]map[string]any
	pulls      []map[string]any // created pull requests, with "state" and "requested"
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{t: t, root: t.TempDir(), token: "ghp_test", topics: map[string][]string{}, protection: map[string]map[string]any{}}
	mux := http.NewServeMux()
	auth := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+f.token {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"message":"Bad credentials"}`))
				return
			}
			next(w, r)
		}
	}
	mux.HandleFunc("GET /api/v3/users/{owner}", auth(func(w http.ResponseWriter, r *http.Request) {
		typ := "User"
		if r.PathValue("owner") == "acme" {
			typ = "Organization"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"login": r.PathValue("owner"), "type": typ})
	}))
	create := func(owner string, w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		f.mu.Unlock()
		name, _ := body["name"].(string)
		rel := owner + "/" + name + ".git"
		if _, err := os.Stat(filepath.Join(f.root, rel)); err == nil {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"message":"Repository creation failed.","errors":[{"resource":"Repository","code":"custom","field":"name","message":"name already exists on this account"}]}`))
			return
		}
		bareRepo(t, f.root, rel)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"name": name, "full_name": owner + "/" + name,
			"html_url": f.srv.URL + "/" + owner + "/" + name, "clone_url": f.srv.URL + "/git/" + rel,
		})
	}
	mux.HandleFunc("POST /api/v3/orgs/{org}/repos", auth(func(w http.ResponseWriter, r *http.Request) { create(r.PathValue("org"), w, r) }))
	mux.HandleFunc("POST /api/v3/user/repos", auth(func(w http.ResponseWriter, r *http.Request) { create("jdoe", w, r) }))
	mux.HandleFunc("PUT /api/v3/repos/{owner}/{repo}/topics", auth(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Names []string `json:"names"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.topics[r.PathValue("owner")+"/"+r.PathValue("repo")] = body.Names
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"names": body.Names})
	}))
	grant := func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		if strings.HasSuffix(r.URL.Path, "/ghost") {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Not Found"}`))
			return
		}
		f.mu.Lock()
		f.grants = append(f.grants, strings.TrimPrefix(r.URL.Path, "/api/v3")+" "+body["permission"].(string))
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
	mux.HandleFunc("PUT /api/v3/repos/{owner}/{repo}/collaborators/{user}", auth(grant))
	mux.HandleFunc("PUT /api/v3/orgs/{org}/teams/{team}/repos/{owner}/{repo}", auth(grant))
	mux.HandleFunc("PUT /api/v3/repos/{owner}/{repo}/branches/{branch}/protection", auth(func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		f.mu.Lock()
		f.protection[r.PathValue("owner")+"/"+r.PathValue("repo")+"/"+r.PathValue("branch")] = body
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(body)
	}))
	mux.HandleFunc("POST /api/v3/repos/{owner}/{repo}/pulls", auth(func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		f.mu.Lock()
		body["state"] = "open"
		f.pulls = append(f.pulls, body)
		n := len(f.pulls)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"number": n, "html_url": fmt.Sprintf("%s/%s/%s/pull/%d", f.srv.URL, r.PathValue("owner"), r.PathValue("repo"), n)})
	}))
	mux.HandleFunc("PATCH /api/v3/repos/{owner}/{repo}/pulls/{n}", auth(func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		n, _ := strconv.Atoi(r.PathValue("n"))
		f.mu.Lock()
		defer f.mu.Unlock()
		if n < 1 || n > len(f.pulls) {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		f.pulls[n-1]["state"] = body["state"]
		_ = json.NewEncoder(w).Encode(map[string]any{"number": n, "state": body["state"]})
	}))
	mux.HandleFunc("POST /api/v3/repos/{owner}/{repo}/pulls/{n}/requested_reviewers", auth(func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		n, _ := strconv.Atoi(r.PathValue("n"))
		f.mu.Lock()
		f.pulls[n-1]["requested"] = body
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{}`))
	}))
	mux.HandleFunc("GET /api/v3/repos/{owner}/{repo}", auth(func(w http.ResponseWriter, r *http.Request) {
		owner, name := r.PathValue("owner"), r.PathValue("repo")
		if _, err := os.Stat(filepath.Join(f.root, owner, name+".git")); err != nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Not Found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"html_url": f.srv.URL + "/" + owner + "/" + name, "clone_url": f.srv.URL + "/git/" + owner + "/" + name + ".git",
			"default_branch": "main",
		})
	}))
	mux.HandleFunc("DELETE /api/v3/repos/{owner}/{repo}", auth(func(w http.ResponseWriter, r *http.Request) {
		dir := filepath.Join(f.root, r.PathValue("owner"), r.PathValue("repo")+".git")
		if _, err := os.Stat(dir); err != nil {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Not Found"}`))
			return
		}
		_ = os.RemoveAll(dir)
		w.WriteHeader(http.StatusNoContent)
	}))
	mux.Handle("/git/", http.StripPrefix("/git", gitServer(t, f.root, "x-access-token", f.token)))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGitHub) host() string { u, _ := url.Parse(f.srv.URL); return u.Host }

func (f *fakeGitHub) integrations() action.Integrations {
	return action.Integrations{GitHub: []urlreader.GitHubIntegration{{Host: f.host(), APIBaseURL: f.srv.URL + "/api/v3", Token: f.token}}}
}

func TestPublishGitHub(t *testing.T) {
	gh := newFakeGitHub(t)
	h := newHarness(t, action.BuiltinDeps{})
	seedWorkspace(t, h.ws)
	h.ctx.Integrations = gh.integrations()
	must(t, h.run("publish:github", map[string]any{
		"repoUrl": gh.host() + "?owner=acme&repo=svc", "description": "A service",
		"defaultBranch": "main", "repoVisibility": "public", "topics": []any{"Go", "svc"},
		"access": "acme/platform", "requireCodeOwnerReviews": true,
		"collaborators": []any{
			map[string]any{"user": "user:default/ann", "access": "push"},
			map[string]any{"team": "group:default/readers", "access": "pull"},
			map[string]any{"user": "ghost", "access": "push"},
		},
	}))
	wantRemote := gh.srv.URL + "/acme/svc"
	if h.outputs["remoteUrl"] != wantRemote || h.outputs["repoContentsUrl"] != wantRemote+"/blob/main" {
		t.Fatalf("outputs = %v", h.outputs)
	}
	if b := gh.bodies[0]; b["name"] != "svc" || b["private"] != false || b["description"] != "A service" {
		t.Errorf("create body = %v", b)
	}
	if got := gh.topics["acme/svc"]; strings.Join(got, ",") != "go,svc" {
		t.Errorf("topics = %v", got)
	}
	wantGrants := []string{
		"/orgs/acme/teams/platform/repos/acme/svc admin",
		"/repos/acme/svc/collaborators/ann push",
		"/orgs/acme/teams/readers/repos/acme/svc pull",
	}
	if strings.Join(gh.grants, "|") != strings.Join(wantGrants, "|") {
		t.Errorf("grants = %q, want %q", gh.grants, wantGrants)
	}
	if !strings.Contains(h.log.String(), "Skipping collaborator access") {
		t.Errorf("failing collaborator not logged:\n%s", h.log)
	}
	prot := gh.protection["acme/svc/main"]
	reviews, _ := prot["required_pull_request_reviews"].(map[string]any)
	if prot["enforce_admins"] != true || reviews["require_code_owner_reviews"] != true || reviews["required_approving_review_count"] != float64(1) {
		t.Errorf("branch protection = %v", prot)
	}
	u, _ := url.Parse(gh.srv.URL)
	cloneURL := "http://x-access-token:" + gh.token + "@" + u.Host + "/git/acme/svc.git"
	checkClone(t, cloneRepo(t, cloneURL, "main"), h.outputs["commitHash"].(string))
	if got := gitCmd(t, cloneRepo(t, cloneURL, "main"), "log", "-1", "--format=%an <%ae>|%s"); got != "Scaffolder <scaffolder@backstage.io>|initial commit" {
		t.Errorf("default author/message = %q", got)
	}

	// A second run for the same repository fails with GitHub's message.
	h2 := newHarness(t, action.BuiltinDeps{})
	seedWorkspace(t, h2.ws)
	h2.ctx.Integrations = gh.integrations()
	err := h2.run("publish:github", map[string]any{"repoUrl": gh.host() + "?owner=acme&repo=svc"})
	if err == nil || !strings.Contains(err.Error(), "422") {
		t.Fatalf("duplicate repository: got %v", err)
	}

	// Undo deletes the repository; a second undo finds nothing and succeeds.
	must(t, h.undo("publish:github"))
	if _, err := os.Stat(filepath.Join(gh.root, "acme", "svc.git")); !os.IsNotExist(err) {
		t.Fatalf("repository still exists after undo: %v", err)
	}
	must(t, h.undo("publish:github"))

	t.Run("user owner uses /user/repos and master by default", func(t *testing.T) {
		h := newHarness(t, action.BuiltinDeps{})
		seedWorkspace(t, h.ws)
		h.ctx.Integrations = gh.integrations()
		must(t, h.run("publish:github", map[string]any{"repoUrl": gh.host() + "?owner=jdoe&repo=mine", "protectDefaultBranch": false}))
		if _, ok := gh.protection["jdoe/mine/master"]; ok {
			t.Error("branch protected although protectDefaultBranch is false")
		}
		if b := gh.bodies[len(gh.bodies)-1]; b["private"] != true || b["visibility"] != nil {
			t.Errorf("user repo body = %v", b)
		}
		if h.outputs["repoContentsUrl"] != gh.srv.URL+"/jdoe/mine/blob/master" {
			t.Fatalf("outputs = %v", h.outputs)
		}
		if _, err := os.Stat(filepath.Join(gh.root, "jdoe", "mine.git")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for name, tc := range map[string]struct {
			input map[string]any
			integ action.Integrations
			want  string
		}{
			"unknown host":  {map[string]any{"repoUrl": "nowhere.example?owner=a&repo=b"}, gh.integrations(), "no matching integration"},
			"missing owner": {map[string]any{"repoUrl": gh.host() + "?repo=b"}, gh.integrations(), "missing owner"},
			"no token": {map[string]any{"repoUrl": gh.host() + "?owner=a&repo=b"},
				action.Integrations{GitHub: []urlreader.GitHubIntegration{{Host: gh.host(), APIBaseURL: gh.srv.URL + "/api/v3"}}}, "no token"},
			"bad token": {map[string]any{"repoUrl": gh.host() + "?owner=acme&repo=b", "token": "nope"}, gh.integrations(), "Bad credentials"},
		} {
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, action.BuiltinDeps{})
				h.ctx.Integrations = tc.integ
				if err := h.run("publish:github", tc.input); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want %q", err, tc.want)
				}
			})
		}
	})
}

// fakeGitLab speaks the parts of GitLab's REST API publish:gitlab uses.
type fakeGitLab struct {
	root, token string
	srv         *httptest.Server
	mu          sync.Mutex
	projects    map[string]string // id → repo dir
	bodies      []map[string]any
	mrs         []map[string]any // created merge requests, with "state"
}

func newFakeGitLab(t *testing.T) *fakeGitLab {
	f := &fakeGitLab{root: t.TempDir(), token: "glpat-test", projects: map[string]string{}}
	mux := http.NewServeMux()
	auth := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Private-Token") != f.token {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"message":"401 Unauthorized"}`))
				return
			}
			next(w, r)
		}
	}
	mux.HandleFunc("GET /api/v4/namespaces/{ns...}", auth(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("ns") != "acme/platform" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"404 Namespace Not Found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": 42, "full_path": "acme/platform", "kind": "group"})
	}))
	mux.HandleFunc("POST /api/v4/projects", auth(func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.bodies = append(f.bodies, body)
		if body["namespace_id"] != float64(42) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"message":{"namespace":["is not valid"]}}`))
			return
		}
		rel := "acme/platform/" + body["path"].(string) + ".git"
		bareRepo(t, f.root, rel)
		f.projects["7"] = filepath.Join(f.root, rel)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": 7, "web_url": f.srv.URL + "/acme/platform/" + body["path"].(string),
			"http_url_to_repo": f.srv.URL + "/git/" + rel,
		})
	}))
	mux.HandleFunc("GET /api/v4/projects/{path...}", auth(func(w http.ResponseWriter, r *http.Request) {
		path := r.PathValue("path")
		f.mu.Lock()
		defer f.mu.Unlock()
		for id, dir := range f.projects {
			if strings.TrimSuffix(strings.TrimPrefix(dir, f.root+"/"), ".git") == path || id == path {
				n, _ := strconv.Atoi(id)
				_ = json.NewEncoder(w).Encode(map[string]any{
					"id": n, "path_with_namespace": path, "default_branch": "main",
					"web_url": f.srv.URL + "/" + path, "http_url_to_repo": f.srv.URL + "/git/" + path + ".git",
				})
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"404 Project Not Found"}`))
	}))
	mux.HandleFunc("GET /api/v4/users", auth(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("username") == "ann" {
			_, _ = w.Write([]byte(`[{"id": 99, "username": "ann"}]`))
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	mux.HandleFunc("POST /api/v4/projects/{id}/merge_requests", auth(func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		f.mu.Lock()
		body["state"] = "opened"
		body["project"] = r.PathValue("id")
		f.mrs = append(f.mrs, body)
		n := len(f.mrs)
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"iid": n, "web_url": fmt.Sprintf("%s/mr/%d", f.srv.URL, n)})
	}))
	mux.HandleFunc("PUT /api/v4/projects/{id}/merge_requests/{iid}", auth(func(w http.ResponseWriter, r *http.Request) {
		body := jsonBody(r)
		n, _ := strconv.Atoi(r.PathValue("iid"))
		f.mu.Lock()
		defer f.mu.Unlock()
		if body["state_event"] == "close" && n >= 1 && n <= len(f.mrs) {
			f.mrs[n-1]["state"] = "closed"
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	mux.HandleFunc("DELETE /api/v4/projects/{id}", auth(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		dir, ok := f.projects[r.PathValue("id")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"404 Project Not Found"}`))
			return
		}
		delete(f.projects, r.PathValue("id"))
		_ = os.RemoveAll(dir)
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"message":"202 Accepted"}`))
	}))
	mux.Handle("/git/", http.StripPrefix("/git", gitServer(t, f.root, "oauth2", f.token)))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func TestPublishGitLab(t *testing.T) {
	gl := newFakeGitLab(t)
	u, _ := url.Parse(gl.srv.URL)
	integ := action.Integrations{GitLab: []urlreader.GitLabIntegration{{Host: u.Host, APIBaseURL: gl.srv.URL + "/api/v4", Token: gl.token}}}
	h := newHarness(t, action.BuiltinDeps{})
	seedWorkspace(t, h.ws)
	h.ctx.Integrations = integ
	must(t, h.run("publish:gitlab", map[string]any{
		"repoUrl": u.Host + "?owner=acme/platform&repo=svc", "defaultBranch": "main", "repoVisibility": "internal",
	}))
	web := gl.srv.URL + "/acme/platform/svc"
	if h.outputs["remoteUrl"] != web || h.outputs["repoContentsUrl"] != web+"/-/blob/main" || h.outputs["projectId"] != float64(7) {
		t.Fatalf("outputs = %v", h.outputs)
	}
	if b := gl.bodies[0]; b["visibility"] != "internal" || b["name"] != "svc" {
		t.Errorf("create body = %v", b)
	}
	checkClone(t, cloneRepo(t, "http://oauth2:"+gl.token+"@"+u.Host+"/git/acme/platform/svc.git", "main"), h.outputs["commitHash"].(string))

	must(t, h.undo("publish:gitlab"))
	if len(gl.projects) != 0 {
		t.Fatalf("project still there after undo")
	}
	must(t, h.undo("publish:gitlab"))

	h2 := newHarness(t, action.BuiltinDeps{})
	h2.ctx.Integrations = integ
	if err := h2.run("publish:gitlab", map[string]any{"repoUrl": u.Host + "?owner=nobody&repo=x"}); err == nil || !strings.Contains(err.Error(), "namespace nobody is not found") {
		t.Fatalf("unknown namespace: got %v", err)
	}
}

func TestPublishFile(t *testing.T) {
	h := newHarness(t, action.BuiltinDeps{})
	if err := h.run("publish:file", map[string]any{"path": "x"}); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("without a root: got %v", err)
	}
	root := filepath.Join(t.TempDir(), "published")
	h = newHarness(t, action.BuiltinDeps{PublishFileRoot: root})
	seedWorkspace(t, h.ws)
	must(t, h.run("publish:file", map[string]any{"path": "svc"}))
	if got := readFile(t, filepath.Join(root, "svc", "README.md")); got != "# svc\n" {
		t.Fatalf("README.md = %q", got)
	}
	if h.outputs["repoContentsUrl"] != "file://"+filepath.ToSlash(filepath.Join(root, "svc"))+"/" {
		t.Fatalf("outputs = %v", h.outputs)
	}
	if err := h.run("publish:file", map[string]any{"path": "svc"}); err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("existing target: got %v", err)
	}
	for _, p := range []string{"../escape", "/tmp/abs", ""} {
		if err := h.run("publish:file", map[string]any{"path": p}); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	h.outputs = map[string]any{"repoContentsUrl": "file:///x"}
	h.ctx.Input = map[string]any{"path": "svc"}
	a, _ := h.reg.Get("publish:file")
	must(t, a.(action.Undoer).Undo(t.Context(), h.ctx, h.outputs))
	if _, err := os.Stat(filepath.Join(root, "svc")); !os.IsNotExist(err) {
		t.Fatalf("undo left the directory: %v", err)
	}
}

// TestGitHubRepoCreateAndPush runs the split actions newer templates use.
func TestGitHubRepoCreateAndPush(t *testing.T) {
	gh := newFakeGitHub(t)
	repoURL := gh.host() + "?owner=acme&repo=split"
	h := newHarness(t, action.BuiltinDeps{})
	seedWorkspace(t, h.ws)
	h.ctx.Integrations = gh.integrations()
	must(t, h.run("github:repo:create", map[string]any{"repoUrl": repoURL, "topics": []any{"x"}}))
	clone := gh.srv.URL + "/git/acme/split.git"
	if h.outputs["remoteUrl"] != clone {
		t.Fatalf("create outputs = %v", h.outputs)
	}
	must(t, h.run("github:repo:push", map[string]any{"repoUrl": repoURL, "defaultBranch": "main", "protectDefaultBranch": false}))
	if h.outputs["remoteUrl"] != clone || h.outputs["repoContentsUrl"] != gh.srv.URL+"/acme/split/blob/main" {
		t.Fatalf("push outputs = %v", h.outputs)
	}
	u, _ := url.Parse(gh.srv.URL)
	authed := "http://x-access-token:" + gh.token + "@" + u.Host + "/git/acme/split.git"
	checkClone(t, cloneRepo(t, authed, "main"), h.outputs["commitHash"].(string))

	// Undo of the push removes the branch; undo of the create removes the repository.
	must(t, h.undo("github:repo:push"))
	if refs := gitCmd(t, t.TempDir(), "ls-remote", authed); strings.Contains(refs, "refs/heads/main") {
		t.Fatalf("branch still there after undo:\n%s", refs)
	}
	h.outputs = map[string]any{"remoteUrl": clone}
	must(t, h.undo("github:repo:create"))
	if _, err := os.Stat(filepath.Join(gh.root, "acme", "split.git")); !os.IsNotExist(err) {
		t.Fatalf("repository still exists: %v", err)
	}

	// Pushing to a repository that does not exist fails clearly.
	if err := h.run("github:repo:push", map[string]any{"repoUrl": gh.host() + "?owner=acme&repo=none"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing repository: got %v", err)
	}
}

// TestGitHubPullRequest opens a pull request against an existing repository: the workspace
// lands under targetPath on a new branch cut from the default branch.
func TestGitHubPullRequest(t *testing.T) {
	gh := newFakeGitHub(t)
	// An existing repository with one commit on main.
	bare := bareRepo(t, gh.root, "acme/app.git")
	seedRepo(t, bare)

	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Integrations = gh.integrations()
	writeFile(t, filepath.Join(h.ws, "out", "docs", "index.md"), "# Docs\n")
	input := map[string]any{
		"repoUrl": gh.host() + "?owner=acme&repo=app", "branchName": "add-docs", "title": "Add docs",
		"description": "Generated by Portico", "sourcePath": "out", "targetPath": "services/app",
		"reviewers": []any{"ann"},
	}
	must(t, h.run("publish:github:pull-request", input))
	if h.outputs["pullRequestNumber"] != float64(1) || h.outputs["targetBranchName"] != "main" || h.outputs["remoteUrl"] != gh.srv.URL+"/acme/app/pull/1" {
		t.Fatalf("outputs = %v", h.outputs)
	}
	pr := gh.pulls[0]
	if pr["head"] != "add-docs" || pr["base"] != "main" || pr["body"] != "Generated by Portico" || pr["title"] != "Add docs" {
		t.Errorf("pull request = %v", pr)
	}
	if req, _ := pr["requested"].(map[string]any); fmt.Sprint(req["reviewers"]) != "[ann]" {
		t.Errorf("requested reviewers = %v", pr["requested"])
	}
	u, _ := url.Parse(gh.srv.URL)
	authed := "http://x-access-token:" + gh.token + "@" + u.Host + "/git/acme/app.git"
	dir := cloneRepo(t, authed, "add-docs")
	if readFile(t, filepath.Join(dir, "README.md")) != "app\n" || readFile(t, filepath.Join(dir, "services", "app", "docs", "index.md")) != "# Docs\n" {
		t.Error("branch does not hold the base files plus the workspace under targetPath")
	}
	if got := gitCmd(t, dir, "log", "-1", "--format=%s"); got != "Add docs" {
		t.Errorf("commit message = %q", got)
	}

	// The same branch again is refused.
	if err := h.run("publish:github:pull-request", input); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("existing branch: got %v", err)
	}
	// Undo closes the pull request and deletes the branch.
	h.outputs = map[string]any{"pullRequestNumber": float64(1), "commitHash": gitCmd(t, dir, "rev-parse", "HEAD")}
	h.ctx.Input = input
	must(t, h.undo("publish:github:pull-request"))
	if gh.pulls[0]["state"] != "closed" {
		t.Errorf("pull request state = %v", gh.pulls[0]["state"])
	}
	if refs := gitCmd(t, t.TempDir(), "ls-remote", authed); strings.Contains(refs, "add-docs") {
		t.Errorf("branch still there:\n%s", refs)
	}

	// Nothing to commit with createWhenEmpty false: no pull request.
	h2 := newHarness(t, action.BuiltinDeps{})
	h2.ctx.Integrations = gh.integrations()
	must(t, h2.run("publish:github:pull-request", map[string]any{
		"repoUrl": gh.host() + "?owner=acme&repo=app", "branchName": "noop", "title": "t", "description": "d", "createWhenEmpty": false,
	}))
	if len(gh.pulls) != 1 || len(h2.outputs) != 0 {
		t.Errorf("empty change created a pull request: %v %v", gh.pulls, h2.outputs)
	}
}

func TestGitLabMergeRequest(t *testing.T) {
	gl := newFakeGitLab(t)
	bare := bareRepo(t, gl.root, "acme/platform/app.git")
	gl.projects["8"] = bare
	seedRepo(t, bare)

	u, _ := url.Parse(gl.srv.URL)
	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Integrations = action.Integrations{GitLab: []urlreader.GitLabIntegration{{Host: u.Host, APIBaseURL: gl.srv.URL + "/api/v4", Token: gl.token}}}
	writeFile(t, filepath.Join(h.ws, "catalog-info.yaml"), "kind: Component\n")
	input := map[string]any{
		"repoUrl": u.Host + "?owner=acme/platform&repo=app", "branchName": "register", "title": "Register app",
		"description": "Adds catalog-info.yaml", "assignee": "ann", "removeSourceBranch": true,
	}
	must(t, h.run("publish:gitlab:merge-request", input))
	if h.outputs["mergeRequestUrl"] != gl.srv.URL+"/mr/1" || h.outputs["projectid"] != float64(8) ||
		h.outputs["targetBranchName"] != "main" || h.outputs["projectPath"] != "acme/platform/app" {
		t.Fatalf("outputs = %v", h.outputs)
	}
	mr := gl.mrs[0]
	if mr["source_branch"] != "register" || mr["target_branch"] != "main" || mr["assignee_id"] != float64(99) || mr["remove_source_branch"] != true || mr["project"] != "8" {
		t.Errorf("merge request = %v", mr)
	}
	authed := "http://oauth2:" + gl.token + "@" + u.Host + "/git/acme/platform/app.git"
	dir := cloneRepo(t, authed, "register")
	if readFile(t, filepath.Join(dir, "catalog-info.yaml")) != "kind: Component\n" || readFile(t, filepath.Join(dir, "README.md")) != "app\n" {
		t.Error("branch content wrong")
	}
	must(t, h.undo("publish:gitlab:merge-request"))
	if gl.mrs[0]["state"] != "closed" {
		t.Errorf("merge request state = %v", gl.mrs[0]["state"])
	}
	if refs := gitCmd(t, t.TempDir(), "ls-remote", authed); strings.Contains(refs, "register") {
		t.Errorf("branch still there:\n%s", refs)
	}
	if err := h.run("publish:gitlab:merge-request", map[string]any{"repoUrl": u.Host + "?owner=acme&repo=nope", "branchName": "b", "title": "t", "description": "d"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing project: got %v", err)
	}
}

// TestPublishGitRefusesUnconfiguredRemotes performs the attack of issue 12's class on
// publish:git: a template (written by anyone who can register a url location) pushes the
// workspace into a repository on the server's own disk (file://, a plain path, git+file) or to a
// host the operator did not configure. Every push is refused before git runs, with an error
// naming the cause, and the target repositories are left as they were. A configured host
// (integrations.git or backend.reading.allow) still receives the push.
func TestPublishGitRefusesUnconfiguredRemotes(t *testing.T) {
	local := t.TempDir()
	bare := bareRepo(t, local, "victim.git")
	// A loopback git server that accepts anonymous pushes but is configured nowhere.
	strayRoot := t.TempDir()
	stray := bareRepo(t, strayRoot, "team/svc.git")
	straySrv := httptest.NewServer(gitServer(t, strayRoot, "", ""))
	defer straySrv.Close()
	// The configured one, listed in backend.reading.allow.
	okRoot := t.TempDir()
	bareRepo(t, okRoot, "team/svc.git")
	okSrv := httptest.NewServer(gitServer(t, okRoot, "", ""))
	defer okSrv.Close()
	okURL, _ := url.Parse(okSrv.URL)

	reader, err := urlreader.New(urlreader.Options{
		Allow:      []urlreader.AllowRule{{Host: okURL.Host}},
		LocalRoots: []string{"/"}, // the most permissive reader: pushing is still remote only
		CacheDir:   t.TempDir(),
	})
	must(t, err)
	defer reader.Close()

	wd, err := os.Getwd()
	must(t, err)
	rel, err := filepath.Rel(wd, bare)
	must(t, err)
	tests := []struct {
		name, remote, wantErr string
		repo                  string // bare repository that must stay empty
	}{
		{"file url", "file://" + bare, "not an http(s) URL", bare},
		{"absolute path", bare, "not an http(s) URL", bare},
		{"relative path", rel, "not an http(s) URL", bare},
		{"git+file url", "git+file://" + bare, "not an http(s) URL", bare},
		{"ssh", "ssh://git@" + okURL.Host + "/team/svc.git", "not an http(s) URL", ""},
		{"scp-like", "git@" + okURL.Hostname() + ":team/svc.git", "not an http(s) URL", ""},
		{"host not configured", straySrv.URL + "/team/svc.git", "no matching integration configuration for host " + strings.TrimPrefix(straySrv.URL, "http://"), stray},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := seededHarness(t, action.NewURLReader(reader))
			err := h.run("publish:git", map[string]any{"remoteUrl": tc.remote})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("publish:git remoteUrl %q: got error %v, want %q", tc.remote, err, tc.wantErr)
			}
			if h.outputs["commitHash"] != nil {
				t.Errorf("outputs = %v, want none", h.outputs)
			}
			if tc.repo != "" {
				if refs := gitCmd(t, tc.repo, "for-each-ref"); refs != "" {
					t.Fatalf("repository %s was written to:\n%s", tc.repo, refs)
				}
			}
			// Undo with a forged output must not reach the target either.
			h.outputs = map[string]any{"commitHash": strings.Repeat("a", 40)}
			if err := h.undo("publish:git"); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("undo: got %v, want %q", err, tc.wantErr)
			}
		})
	}

	t.Run("no reader to check the host", func(t *testing.T) {
		h := newHarness(t, action.BuiltinDeps{})
		seedWorkspace(t, h.ws)
		if err := h.run("publish:git", map[string]any{"remoteUrl": okSrv.URL + "/team/svc.git"}); err == nil || !strings.Contains(err.Error(), "no URL reader") {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("configured host", func(t *testing.T) {
		h := seededHarness(t, action.NewURLReader(reader))
		must(t, h.run("publish:git", map[string]any{"remoteUrl": okSrv.URL + "/team/svc.git"}))
		hash, _ := h.outputs["commitHash"].(string)
		checkClone(t, cloneRepo(t, okSrv.URL+"/team/svc.git", "main"), hash)
	})
}
