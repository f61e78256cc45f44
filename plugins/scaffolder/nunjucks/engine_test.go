package nunjucks_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// TestEngineConcurrent renders from many goroutines on one engine (run with -race).
func TestEngineConcurrent(t *testing.T) {
	e := nunjucks.New(nunjucks.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				ctx := map[string]any{"parameters": map[string]any{"n": i, "name": fmt.Sprintf("svc-%d", j)}}
				v, err := e.RenderValue(t.Context(), map[string]any{"n": "${{ parameters.n }}", "s": "x-${{ parameters.name | upper }}"}, ctx)
				if err != nil {
					errs <- err
					return
				}
				m := v.(map[string]any)
				if m["n"] != float64(i) || m["s"] != fmt.Sprintf("x-SVC-%d", j) {
					errs <- fmt.Errorf("got %v for i=%d j=%d", m, i, j)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSetDoesNotLeakBetweenValues checks each string of a value renders in its own scope.
func TestSetDoesNotLeakBetweenValues(t *testing.T) {
	e := nunjucks.New(nunjucks.Options{})
	v, err := e.RenderValue(t.Context(), []any{`{% set x = "leak" %}a`, "[${{ x }}]"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.([]any); got[0] != "a" || got[1] != "[]" {
		t.Fatalf("got %v", got)
	}
}

// TestOptions covers additional filters, globals, HostType and FilterNames.
func TestOptions(t *testing.T) {
	e := nunjucks.New(nunjucks.Options{
		AdditionalFilters: map[string]nunjucks.Filter{
			"shout": func(v any, args ...any) (any, error) { return fmt.Sprint(v) + "!", nil },
		},
		Globals: map[string]any{
			"org":   "acme",
			"greet": nunjucks.Func(func(args ...any) (any, error) { return fmt.Sprint("hi ", args[0]), nil }),
		},
		HostType: func(host string) string {
			if host == "git.acme.net" {
				return "gitlab"
			}
			return ""
		},
	})
	tests := []struct {
		tpl, want string
		wantErr   bool
	}{
		{tpl: "${{ 'x' | shout }}", want: "x!"},
		{tpl: "${{ org }}/${{ greet(org) }}", want: "acme/hi acme"},
		{tpl: "${{ parameters.org }}", want: ""},
		{tpl: "${{ 'git.acme.net?owner=g/sub&repo=r' | projectSlug }}", want: "g/sub/r"},
		{tpl: "${{ 'git.acme.net?project=42' | parseRepoUrl | pick('project') }}", want: "42"}, // a GitLab project id needs no owner
		{tpl: "${{ 'github.com?owner=o&repo=r' | parseRepoUrl }}", wantErr: true},              // no integration
	}
	for _, tc := range tests {
		got, err := e.RenderString(t.Context(), tc.tpl, map[string]any{"parameters": map[string]any{}})
		if tc.wantErr {
			if err == nil {
				t.Errorf("%s: got %q, want an error", tc.tpl, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.tpl, got, err, tc.want)
		}
	}
	names := e.FilterNames()
	if len(names) < 40 {
		t.Errorf("only %d filters: %v", len(names), names)
	}
}
