// Package createapp runs the app Backstage's @backstage/create-app generates on Portico, end to
// end from the npm package: `npm pack @backstage/create-app`, its templates/default-app rendered
// as create-app renders it (app-config.yaml unchanged, examples/ as generated), and Portico's
// `serve` command run from packages/backend, as Backstage is run, with one override file that
// sets only the port and the base URLs. The expectations are what Backstage answers for that app.
package createapp

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/cli"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
)

// createAppVersion is the create-app release the expectations below were written for (its
// examples are 6 entities in 3 files). PORTICO_CREATE_APP_VERSION overrides it ("latest" to
// try the newest release).
const createAppVersion = "0.9.2"

// appName is the app's name, as `BACKSTAGE_APP_NAME=backstage npx @backstage/create-app` names it.
const appName = "backstage"

func TestCreateAppDefaultApp(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the create-app end-to-end test in -short mode (it fetches an npm package)")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("skipping: npm is not installed (it fetches @backstage/create-app)")
	}
	tmp := t.TempDir()
	pkg := npmPack(t, tmp)
	app := filepath.Join(tmp, appName)
	renderDefaultApp(t, pkg, app)
	backend := filepath.Join(app, "packages", "backend")
	// Backstage resolves file locations against the backend's working directory (process.cwd(),
	// the real path): ../../examples/*.yaml from packages/backend.
	t.Chdir(backend)
	realApp, err := filepath.EvalSymlinks(app)
	if err != nil {
		t.Fatal(err)
	}
	want := backstageEntities(filepath.Join(realApp, "examples"))

	t.Run("as generated: starts, / is the catalog, /home the toolkit and clocks", func(t *testing.T) {
		base, args, logs := serve(t, backend, nil)
		// Backstage's default auth policy: no anonymous catalog reads.
		if status, body := frameworktest.Fetch(t, nil, base+"/api/catalog/entities"); status != http.StatusUnauthorized {
			t.Errorf("anonymous GET /api/catalog/entities = %d, want 401: %s", status, body)
		}
		// The pages need a signed-in person: the guest, the one provider create-app configures.
		guest := signInAsGuest(t, base, "/")
		// / is the catalog (create-app moves page:catalog there); with every kind and every
		// owner picked, it lists the 9 entities.
		frameworktest.WaitForPage(t, guest, base+"/", `<form class="catalog-filters`)
		var links []string
		for _, e := range want {
			links = append(links, fmt.Sprintf(`<a href="/catalog/default/%s/%s">`, strings.ToLower(e.Kind), e.Name))
		}
		frameworktest.WaitForPage(t, guest, base+"/?filters[kind]=all&filters[user]=all", append(links, fmt.Sprintf("All kinds (%d)", len(want)))...)
		checkHome(t, frameworktest.WaitForPage(t, guest, base+"/home", "<html"))

		// What serve warns about and ignores (keys of Backstage plugins Portico does not ship,
		// extensions no installed plugin provides), once each, `portico config check` lists.
		served := ignoredBy(t, logs.String())
		t.Logf("warned about and ignored: %q", served)
		if checked := configCheck(t, backend, args); !slices.Equal(checked, served) {
			t.Errorf("config check lists %q, serve warned about %q", checked, served)
		}
		if lines := logs.Lines("catalog location cannot be read"); len(lines) > 0 {
			t.Errorf("locations not read:\n%s", strings.Join(lines, "\n"))
		}
		if errs := logs.Lines(`"level":"ERROR"`); len(errs) > 0 {
			t.Errorf("errors logged:\n%s", strings.Join(errs, "\n"))
		}
	})

	t.Run("default auth policy disabled: anonymous GET /api/catalog/entities is Backstage's answer", func(t *testing.T) {
		base, _, logs := serve(t, backend, map[string]any{"auth": map[string]any{"dangerouslyDisableDefaultAuthPolicy": true}})
		var got []entity
		frameworktest.Eventually(t, func() (bool, string) {
			got = nil
			status, body := frameworktest.Fetch(t, nil, base+"/api/catalog/entities")
			if status != http.StatusOK {
				return false, fmt.Sprintf("%d %s", status, body)
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				return false, err.Error()
			}
			// Stitching runs in the background: wait until every relation is there.
			return diffEntities(got, want) == "", diffEntities(got, want)
		}, nil)
		if errs := logs.Lines(`"level":"ERROR"`); len(errs) > 0 {
			t.Errorf("errors logged:\n%s", strings.Join(errs, "\n"))
		}
	})
}

// serve runs `portico serve --config ../../app-config.yaml --config <override>` in-process from
// packages/backend and returns its URL once it is ready, the --config arguments and its logs.
// The override sets the port and the base URLs, and backend holds extra backend keys. It stops
// when the test ends.
func serve(t *testing.T, backendDir string, backend map[string]any) (string, []string, *frameworktest.LogBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := fmt.Sprintf("http://localhost:%d", port)
	be := map[string]any{"baseUrl": base, "listen": map[string]any{"port": port}}
	for k, v := range backend {
		be[k] = v
	}
	override, err := json.Marshal(map[string]any{"app": map[string]any{"baseUrl": base}, "backend": be})
	if err != nil {
		t.Fatal(err)
	}
	overridePath := filepath.Join(t.TempDir(), "app-config.override.yaml")
	if err := os.WriteFile(overridePath, override, 0o644); err != nil { // JSON is YAML
		t.Fatal(err)
	}
	logs := &frameworktest.LogBuffer{}
	env := cli.Env{Stdout: logs, Stderr: logs, Environ: environ(), Dir: backendDir}
	args := []string{"--config", "../../app-config.yaml", "--config", overridePath}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("portico's log:\n%s", tail(logs.String(), 60))
		}
	})
	frameworktest.RunUntilReady(t, base, func(ctx context.Context) error {
		return cli.Run(ctx, env, all.Features(), append([]string{"serve"}, args...))
	})
	return base, args, logs
}

// environ is the process environment without config overrides, logging warnings and errors
// (not every request) as JSON.
func environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "APP_CONFIG_") && !strings.HasPrefix(kv, "LOG_") {
			out = append(out, kv)
		}
	}
	return append(out, "LOG_LEVEL=warn")
}

// ignoredBy returns what a serve log warned about as not used: config keys and extension ids,
// sorted, failing the test when one is warned about twice.
func ignoredBy(t *testing.T, log string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(log, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["level"] != "WARN" {
			continue
		}
		msg, _ := rec["msg"].(string)
		switch {
		case strings.Contains(msg, "is not used by Portico"):
			out = append(out, fmt.Sprint(rec["key"]))
		case strings.Contains(msg, "unknown extension"):
			out = append(out, fmt.Sprint(rec["extension"]))
		}
	}
	slices.Sort(out)
	if c := slices.Compact(slices.Clone(out)); len(c) != len(out) {
		t.Errorf("serve warned more than once about one of %q", out)
	}
	return out
}

// configCheck runs `portico config check` with args from dir, fails the test unless the config
// is valid, and returns the config keys and extension ids it lists as not used, sorted.
func configCheck(t *testing.T, dir string, args []string) []string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := cli.Env{Stdout: &stdout, Stderr: &stderr, Environ: environ(), Dir: dir}
	if err := cli.Run(t.Context(), env, all.Features(), append([]string{"config", "check"}, args...)); err != nil || !strings.Contains(stdout.String(), "config ok") {
		t.Fatalf("config check: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	var out []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		w, ok := strings.CutPrefix(line, "warning: ")
		if !ok {
			continue
		}
		if entry, ok := strings.CutPrefix(w, "app.extensions["); ok {
			_, w, _ = strings.Cut(entry, "] ")
		}
		key, _, _ := strings.Cut(w, ": ")
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}

// signInAsGuest follows the guest provider's full-page sign-in flow and returns a client that
// carries the identity cookie and follows redirects, as a browser.
func signInAsGuest(t *testing.T, base, redirect string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := "/api/auth/guest/start?env=development&flow=redirect&redirectUrl=" + url.QueryEscape(redirect)
	for strings.HasPrefix(next, "/api/auth/") {
		res, err := c.Get(base + next)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode/100 != 3 {
			t.Fatalf("guest sign-in: GET %s = %s", next, res.Status)
		}
		next = res.Header.Get("Location")
	}
	if next != redirect {
		t.Fatalf("guest sign-in ends at %q, want %q", next, redirect)
	}
	c.CheckRedirect = nil
	return c
}

// The toolkit and world-clock widgets as create-app configures them (app.extensions).
var (
	toolkit = [][2]string{
		{"Docs", "https://backstage.io/docs"},
		{"GitHub", "https://github.com/backstage/backstage"},
		{"Contributing", "https://github.com/backstage/backstage/blob/master/CONTRIBUTING.md"},
		{"Plugins Directory", "https://backstage.io/plugins"},
		{"Submit New Issue", "https://github.com/backstage/backstage/issues/new/choose"},
	}
	clocks = []string{"NYC", "UTC", "STO", "TYO"}
)

var (
	anchor   = regexp.MustCompile(`(?s)<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>`)
	timeElem = regexp.MustCompile(`<time[\s>]`)
	tags     = regexp.MustCompile(`<[^>]*>`)
)

// checkHome: /home shows the toolkit's 5 links (an <a href> with the label as its text) and the
// 4 clocks (each its label and a <time> element).
func checkHome(t *testing.T, page string) {
	t.Helper()
	links := map[string]string{}
	for _, m := range anchor.FindAllStringSubmatch(page, -1) {
		links[strings.ReplaceAll(m[1], "&amp;", "&")] = strings.TrimSpace(tags.ReplaceAllString(m[2], ""))
	}
	for _, tool := range toolkit {
		if text, ok := links[tool[1]]; !ok || !strings.Contains(text, tool[0]) {
			t.Errorf("/home: no toolkit link %q to %s (link text %q)", tool[0], tool[1], text)
		}
	}
	if n := len(timeElem.FindAllString(page, -1)); n < len(clocks) {
		t.Errorf("/home: %d <time> elements, want one per clock (%d)", n, len(clocks))
	}
	text := tags.ReplaceAllString(page, "\n")
	for _, label := range clocks {
		if !slices.ContainsFunc(strings.Split(text, "\n"), func(l string) bool { return strings.TrimSpace(l) == label }) {
			t.Errorf("/home: no clock labelled %s", label)
		}
	}
}

// entity is the part of a catalog entity the comparison covers.
type entity struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Title       string            `json:"title,omitempty"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec map[string]any `json:"spec"`
	// Relations are {type, targetRef} objects.
	Relations []map[string]any `json:"relations"`
	Status    json.RawMessage  `json:"status,omitempty"`
}

func (e entity) ref() string {
	return strings.ToLower(e.Kind) + ":" + e.Metadata.Namespace + "/" + e.Metadata.Name
}

// expected is one entity as Backstage returns it for the create-app app.
type expected struct {
	APIVersion, Kind, Name, Title string
	// Location is the file the entity was read from: its managed-by-location and, as every
	// example is read from a config location, its managed-by-origin-location.
	Location  string
	Relations []string // "type targetRef", sorted
	Spec      map[string]any
}

// backstageEntities is Backstage's answer for the default app whose examples/ is at examples:
// the 6 examples with the relations Backstage's processors emit, and one generated Location
// entity per config location. Backstage names those generated-<sha1 hex of "type:target">,
// the target resolved against the backend's working directory (ConfigLocationEntityProvider,
// locationSpecToMetadataName), and annotates each with its own location as managed-by and
// origin location; entities read from a file location carry that file's location.
func backstageEntities(examples string) []expected {
	entities := filepath.Join(examples, "entities.yaml")
	template := filepath.Join(examples, "template", "template.yaml")
	org := filepath.Join(examples, "org.yaml")
	out := []expected{
		{"backstage.io/v1alpha1", "System", "examples", "", entities, []string{
			"hasPart api:default/example-grpc-api", "hasPart component:default/example-website", "ownedBy group:default/guests"}, nil},
		{"backstage.io/v1alpha1", "Component", "example-website", "", entities, []string{
			"ownedBy group:default/guests", "partOf system:default/examples", "providesApi api:default/example-grpc-api"}, nil},
		{"backstage.io/v1alpha1", "API", "example-grpc-api", "", entities, []string{
			"apiProvidedBy component:default/example-website", "ownedBy group:default/guests", "partOf system:default/examples"}, nil},
		{"backstage.io/v1alpha1", "User", "guest", "", org, []string{
			"memberOf group:default/guests", "ownerOf template:default/example-nodejs-template"}, nil},
		{"backstage.io/v1alpha1", "Group", "guests", "", org, []string{
			"hasMember user:default/guest", "ownerOf api:default/example-grpc-api", "ownerOf component:default/example-website", "ownerOf system:default/examples"}, nil},
		{"scaffolder.backstage.io/v1beta3", "Template", "example-nodejs-template", "Example Node.js Template", template, []string{
			"ownedBy user:default/guest"}, nil},
	}
	for _, target := range []string{entities, template, org} {
		sum := sha1.Sum([]byte("file:" + target))
		out = append(out, expected{"backstage.io/v1alpha1", "Location", "generated-" + hex.EncodeToString(sum[:]), "", target, nil,
			map[string]any{"type": "file", "target": target}})
	}
	return out
}

// diffEntities describes how got differs from want ("" when it does not).
func diffEntities(got []entity, want []expected) string {
	var diffs []string
	byRef := map[string]entity{}
	for _, e := range got {
		byRef[e.ref()] = e
	}
	if len(got) != len(want) {
		refs := make([]string, 0, len(got))
		for _, e := range got {
			refs = append(refs, e.ref())
		}
		diffs = append(diffs, fmt.Sprintf("%d entities, want %d: %v", len(got), len(want), refs))
	}
	for _, w := range want {
		ref := strings.ToLower(w.Kind) + ":default/" + w.Name
		g, ok := byRef[ref]
		if !ok {
			diffs = append(diffs, "missing "+ref)
			continue
		}
		var rels []string
		for _, r := range g.Relations {
			rels = append(rels, fmt.Sprint(r["type"], " ", r["targetRef"]))
		}
		slices.Sort(rels)
		if !slices.Equal(rels, w.Relations) {
			diffs = append(diffs, fmt.Sprintf("%s relations %q, want %q", ref, rels, w.Relations))
		}
		loc := "file:" + w.Location
		wantAnn := map[string]string{"backstage.io/managed-by-location": loc, "backstage.io/managed-by-origin-location": loc}
		if fmt.Sprint(g.Metadata.Annotations) != fmt.Sprint(wantAnn) {
			diffs = append(diffs, fmt.Sprintf("%s annotations %v, want %v", ref, g.Metadata.Annotations, wantAnn))
		}
		if g.APIVersion != w.APIVersion || g.Metadata.Title != w.Title {
			diffs = append(diffs, fmt.Sprintf("%s apiVersion %q title %q, want %q %q", ref, g.APIVersion, g.Metadata.Title, w.APIVersion, w.Title))
		}
		if w.Spec != nil && fmt.Sprint(g.Spec) != fmt.Sprint(w.Spec) {
			diffs = append(diffs, fmt.Sprintf("%s spec %v, want %v", ref, g.Spec, w.Spec))
		}
		if len(g.Status) > 0 {
			diffs = append(diffs, fmt.Sprintf("%s has status %s (Backstage reads every example without error)", ref, g.Status))
		}
	}
	return strings.Join(diffs, "\n")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
