package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

type stubAction struct{ id string }

func (s stubAction) ID() string                                    { return s.id }
func (s stubAction) Description() string                           { return "stub" }
func (s stubAction) Schema() action.Schema                         { return action.Schema{} }
func (s stubAction) Handle(context.Context, *action.Context) error { return nil }

func TestRegistry(t *testing.T) {
	r, err := action.NewRegistry(stubAction{"b:x"}, stubAction{"a:y"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Add(stubAction{"a:y"}); !errors.Is(err, action.ErrDuplicate) {
		t.Fatalf("duplicate Add: got %v, want ErrDuplicate", err)
	}
	if err := r.Add(stubAction{" "}); err == nil {
		t.Fatal("empty id accepted")
	}
	if _, ok := r.Get("b:x"); !ok {
		t.Fatal("Get(b:x) missing")
	}
	if _, ok := r.Get("nope"); ok {
		t.Fatal("Get(nope) found")
	}
	var ids []string
	for _, a := range r.List() {
		ids = append(ids, a.ID())
	}
	if want := []string{"a:y", "b:x"}; !slices.Equal(ids, want) {
		t.Fatalf("List ids = %v, want %v", ids, want)
	}
}

// TestBuiltinsSchemas checks every built-in is registered once and has input and output
// schemas that compile as JSON Schema, so /v2/actions lists them and the runner validates
// inputs with them.
func TestBuiltinsSchemas(t *testing.T) {
	builtins := action.Builtins(action.BuiltinDeps{})
	reg, err := action.NewRegistry(builtins...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"catalog:fetch", "catalog:register", "catalog:write", "debug:log", "debug:wait",
		"fetch:plain", "fetch:plain:file", "fetch:template", "fetch:template:file",
		"fs:delete", "fs:readdir", "fs:rename", "github:repo:create", "github:repo:push", "publish:file", "publish:git", "publish:github", "publish:github:pull-request", "publish:gitlab", "publish:gitlab:merge-request",
	}
	var got []string
	for _, a := range reg.List() {
		got = append(got, a.ID())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("built-in ids = %v, want %v", got, want)
	}
	undoers := map[string]bool{"catalog:register": true, "publish:file": true, "github:repo:create": true, "github:repo:push": true, "publish:github:pull-request": true, "publish:gitlab:merge-request": true, "publish:git": true, "publish:github": true, "publish:gitlab": true}
	for _, a := range builtins {
		t.Run(a.ID(), func(t *testing.T) {
			if a.Description() == "" {
				t.Error("empty description")
			}
			_, isUndoer := a.(action.Undoer)
			if isUndoer != undoers[a.ID()] {
				t.Errorf("Undoer = %v, want %v", isUndoer, undoers[a.ID()])
			}
			if _, ok := a.(action.DryRunner); !ok {
				t.Error("built-in does not say whether it supports dry run")
			}
			s := a.Schema()
			for name, raw := range map[string]json.RawMessage{"input": s.Input, "output": s.Output} {
				doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
				if err != nil {
					t.Fatalf("%s schema is not JSON: %v", name, err)
				}
				c := jsonschema.NewCompiler()
				if err := c.AddResource("mem://"+name, doc); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Compile("mem://" + name); err != nil {
					t.Fatalf("%s schema does not compile: %v", name, err)
				}
			}
		})
	}
}
