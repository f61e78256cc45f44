package scaffolder_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
	"go.yaml.in/yaml/v3"
)

// dryRunCase is one case of testdata/dryrun/golden.yaml: a template (its spec), the values
// and secrets of POST /v2/dry-run, and what Backstage's scaffolder (4.3.0) answers. The spec
// and the values are sent with their keys in the file's order, as a client sends them.
type dryRunCase struct {
	Name    string            `yaml:"name"`
	Spec    yaml.Node         `yaml:"spec"`
	Values  yaml.Node         `yaml:"values"`
	Secrets map[string]string `yaml:"secrets"`
	// As is the name of the user entity the request is signed in as (the test's service
	// token when empty).
	As string `yaml:"as"`
	// Status is the expected HTTP status (200 when unset).
	Status int `yaml:"status"`
	// Body is matched as a subset of the answer (objects: listed keys; lists: same length).
	Body any `yaml:"body"`
	// Log lists log bodies that must appear in this order (each as a subset of one body).
	Log []map[string]any `yaml:"log"`
	// NoLog lists log bodies (subsets) that must not appear.
	NoLog []map[string]any `yaml:"noLog"`
	// Absent are strings the raw answer must not hold.
	Absent []string `yaml:"absent"`
	// Files are files the run must produce, with their exact content.
	Files map[string]string `yaml:"files"`
	// DirectoryContents are the template's files (path: content), sent with the request.
	DirectoryContents map[string]string `yaml:"directoryContents"`
}

// TestDryRunGolden runs the cases where Portico's scaffolder used to differ from Backstage's on
// real-world templates (issue 14).
func TestDryRunGolden(t *testing.T) {
	raw, err := os.ReadFile("testdata/dryrun/golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []dryRunCase
	if err := yaml.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	onSQLite(t, func(t *testing.T, h *harness) {
		h.others = append(h.others, auth.Plugin())
		h.extra = map[string]any{"auth": map[string]any{"providers": map[string]any{"oauth2Proxy": map[string]any{
			"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "forwardedUserMatchingUserEntityName"}}},
		}}}}
		b := h.start(testdata(t, "catalog/org.yaml"), testdata(t, "catalog/users.yaml"))
		waitForEntity(t, b.URL, "user", "default", "ann")
		tokens := map[string]string{}
		for _, tc := range cases {
			t.Run(tc.Name, func(t *testing.T) {
				spec, values := orderedNode(t, &tc.Spec), orderedNode(t, &tc.Values)
				if values == nil {
					values = jsvalue.NewObject(0)
				}
				tpl := jsvalue.NewObject(4)
				tpl.Set("apiVersion", "scaffolder.backstage.io/v1beta3")
				tpl.Set("kind", "Template")
				tpl.Set("metadata", map[string]any{"name": "golden"})
				tpl.Set("spec", spec)
				dir := []any{}
				for _, p := range slices.Sorted(maps.Keys(tc.DirectoryContents)) {
					dir = append(dir, map[string]any{"path": p, "base64Content": base64.StdEncoding.EncodeToString([]byte(tc.DirectoryContents[p]))})
				}
				body := map[string]any{
					"template": tpl, "values": values, "secrets": tc.Secrets, "directoryContents": dir,
				}
				ctx := t.Context()
				if tc.As != "" {
					if tokens[tc.As] == "" {
						tokens[tc.As] = frameworktest.SignIn(t, b.URL, "/api/auth/oauth2Proxy/refresh", "X-Forwarded-User", tc.As)
					}
					ctx = withToken(ctx, tokens[tc.As])
				}
				status, data, err := postRaw(ctx, b.URL+"/api/scaffolder/v2/dry-run", body)
				if err != nil {
					t.Fatal(err)
				}
				want := tc.Status
				if want == 0 {
					want = 200
				}
				if status != want {
					t.Fatalf("status %d, want %d: %s", status, want, data)
				}
				var got map[string]any
				if err := json.Unmarshal(data, &got); err != nil {
					t.Fatalf("not JSON: %s", data)
				}
				if tc.Body != nil {
					if msg := subset(jsonish(tc.Body), got, "body"); msg != "" {
						t.Errorf("%s\n%s", msg, data)
					}
				}
				logs := logBodies(got)
				i := 0
				for _, w := range tc.Log {
					for i < len(logs) && subset(jsonish(w), logs[i], "") != "" {
						i++
					}
					if i == len(logs) {
						t.Errorf("log lacks %v (in order); log:\n%s", w, dumpLogs(logs))
						break
					}
					i++
				}
				for _, w := range tc.NoLog {
					for _, l := range logs {
						if subset(jsonish(w), l, "") == "" {
							t.Errorf("log holds %v; log:\n%s", l, dumpLogs(logs))
						}
					}
				}
				produced := map[string]string{}
				if list, ok := got["directoryContents"].([]any); ok {
					for _, f := range list {
						m, _ := f.(map[string]any)
						p, _ := m["path"].(string)
						c, _ := m["base64Content"].(string)
						b, _ := base64.StdEncoding.DecodeString(c)
						produced[p] = string(b)
					}
				}
				for p, want := range tc.Files {
					if produced[p] != want {
						t.Errorf("file %s:\n%s\nwant:\n%s", p, produced[p], want)
					}
				}
				for _, s := range tc.Absent {
					if strings.Contains(string(data), s) {
						t.Errorf("the answer holds %q: %s", s, data)
					}
				}
			})
		}
	})
}

// orderedNode decodes a case's YAML node with its objects in the file's key order (nil for
// an absent node).
func orderedNode(t *testing.T, n *yaml.Node) any {
	t.Helper()
	if n.Kind == 0 {
		return nil
	}
	v, err := template.OrderedValue(n)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func logBodies(res map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := res["log"].([]any)
	for _, l := range list {
		if m, ok := l.(map[string]any); ok {
			if b, ok := m["body"].(map[string]any); ok {
				out = append(out, b)
			}
		}
	}
	return out
}

func dumpLogs(logs []map[string]any) string {
	var sb strings.Builder
	for _, l := range logs {
		b, _ := json.Marshal(l)
		sb.Write(b)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// jsonish turns a YAML value into the shapes encoding/json decodes to.
func jsonish(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// subset reports ("" when it holds) whether want is a subset of got: objects compare the keys
// want lists, lists compare item by item with the same length, other values are equal.
func subset(want, got any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want an object", path, got)
		}
		for k, wv := range w {
			gv, has := g[k]
			if !has {
				return fmt.Sprintf("%s.%s: missing", path, k)
			}
			if msg := subset(wv, gv, path+"."+k); msg != "" {
				return msg
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
		for i := range w {
			if msg := subset(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); msg != "" {
				return msg
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s: got %#v, want %#v", path, got, want)
	}
	return ""
}

type tokenKey struct{}

// withToken makes postRaw send token instead of the test's service token.
func withToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// TestTaskKeyOrder runs a real task on each database: the submitted values, a step's each:
// object and an action's outputs keep JavaScript's key order (array-index keys first, then
// the others as written) through the catalog, the stored task spec and the worker into the
// templates, as they do in Backstage.
func TestTaskKeyOrder(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, h *harness) {
		b := h.start(testdata(t, "templates/key-order.yaml"))
		waitForEntity(t, b.URL, "template", "default", "key-order")
		_, evs := runTask(t, b.URL, json.RawMessage(`{"templateRef":"key-order","values":{"obj":{"zeta":1,"10":"ten","alpha":{"y":2,"b":3},"2":"two"}}}`))
		out, _ := evs[len(evs)-1].Body["output"].(map[string]any)
		want := map[string]string{
			"params":  `{"obj":{"2":"two","10":"ten","zeta":1,"alpha":{"y":2,"b":3}}}`,
			"keys":    "2,10,zeta,alpha",
			"literal": "2=two,10=ten,zeta=z,alpha=a",
			"outputs": `{"2":true,"10":10,"zeta":"z","alpha":{"b":1,"a":2}}`,
		}
		for k, w := range want {
			if out[k] != w {
				t.Errorf("output %s = %v, want %s", k, out[k], w)
			}
		}
	})
}
