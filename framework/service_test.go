package framework

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type greeter struct{ name string }

func TestServiceResolution(t *testing.T) {
	rootRef := NewServiceRef[*greeter]("test.root", ScopeRoot)
	pluginRef := NewServiceRef[*greeter]("test.plugin", ScopePlugin)
	missingRef := NewServiceRef[*greeter]("test.missing", ScopePlugin)
	cycleA := NewServiceRef[*greeter]("test.a", ScopePlugin)
	cycleB := NewServiceRef[*greeter]("test.b", ScopePlugin)

	rootCalls := 0
	c := newContainer()
	c.add(NewServiceFactory(rootRef, func(context.Context, *Deps) (*greeter, error) {
		rootCalls++
		return &greeter{name: "root"}, nil
	}))
	c.add(NewServiceFactory(pluginRef, func(ctx context.Context, d *Deps) (*greeter, error) {
		r, err := Use(ctx, d, rootRef)
		if err != nil {
			return nil, err
		}
		return &greeter{name: r.name + "/" + d.PluginID()}, nil
	}))
	c.add(NewServiceFactory(cycleA, func(ctx context.Context, d *Deps) (*greeter, error) { return Use(ctx, d, cycleB) }))
	c.add(NewServiceFactory(cycleB, func(ctx context.Context, d *Deps) (*greeter, error) { return Use(ctx, d, cycleA) }))

	ctx := t.Context()
	catalog := &Deps{c: c, pluginID: "catalog"}
	search := &Deps{c: c, pluginID: "search"}

	t.Run("plugin scoped instances are per plugin and cached", func(t *testing.T) {
		g1, err := Use(ctx, catalog, pluginRef)
		if err != nil {
			t.Fatal(err)
		}
		g2, _ := Use(ctx, catalog, pluginRef)
		g3, _ := Use(ctx, search, pluginRef)
		if g1 != g2 || g1 == g3 {
			t.Fatalf("instances: catalog %p %p, search %p", g1, g2, g3)
		}
		if g1.name != "root/catalog" || g3.name != "root/search" {
			t.Errorf("names %q %q", g1.name, g3.name)
		}
		if rootCalls != 1 {
			t.Errorf("root factory ran %d times, want 1", rootCalls)
		}
	})
	t.Run("missing service names plugin and service", func(t *testing.T) {
		_, err := Use(ctx, catalog, missingRef)
		if err == nil || !strings.Contains(err.Error(), `plugin "catalog"`) || !strings.Contains(err.Error(), `"test.missing"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cycle is reported", func(t *testing.T) {
		_, err := Use(ctx, catalog, cycleA)
		if err == nil || !strings.Contains(err.Error(), "cycle: test.a -> test.b -> test.a") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("root cannot use plugin service", func(t *testing.T) {
		_, err := Use(ctx, &Deps{c: c}, pluginRef)
		if err == nil || !strings.Contains(err.Error(), "root service cannot depend on plugin service") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("factory errors are wrapped", func(t *testing.T) {
		boom := errors.New("boom")
		ref := NewServiceRef[int]("test.failing", ScopeRoot)
		c.add(NewServiceFactory(ref, func(context.Context, *Deps) (int, error) { return 0, boom }))
		_, err := Use(ctx, catalog, ref)
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), `create service "test.failing"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("later factory overrides", func(t *testing.T) {
		ref := NewServiceRef[string]("test.override", ScopeRoot)
		c.add(ServiceValue(ref, "first"))
		c.add(ServiceValue(ref, "second"))
		got, err := Use(ctx, catalog, ref)
		if err != nil || got != "second" {
			t.Fatalf("got %q, %v", got, err)
		}
	})
}

func TestUseOptional(t *testing.T) {
	absent := NewServiceRef[*greeter]("test.absent", ScopeRoot)
	working := NewServiceRef[*greeter]("test.working", ScopeRoot)
	failing := NewServiceRef[*greeter]("test.failing", ScopeRoot)
	needsAbsent := NewServiceRef[*greeter]("test.needsAbsent", ScopeRoot)
	c := newContainer()
	c.add(ServiceValue(working, &greeter{name: "w"}))
	c.add(NewServiceFactory(failing, func(context.Context, *Deps) (*greeter, error) {
		return nil, errors.New("bad config")
	}))
	c.add(NewServiceFactory(needsAbsent, func(ctx context.Context, d *Deps) (*greeter, error) { return Use(ctx, d, absent) }))
	d := &Deps{c: c, pluginID: "p"}
	tests := []struct {
		name    string
		ref     ServiceRef[*greeter]
		wantOK  bool
		wantErr string
	}{
		{"absent is skipped", absent, false, ""},
		{"registered is used", working, true, ""},
		{"a failing factory is an error", failing, false, `plugin "p": create service "test.failing": bad config`},
		// Its own dependency is missing: the optional service is there but cannot be built.
		{"a factory missing a dependency is an error", needsAbsent, false, `service "test.absent" has no factory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok, err := UseOptional(t.Context(), d, tt.ref)
			if ok != tt.wantOK || (ok && v == nil) {
				t.Fatalf("ok = %v (%v), want %v", ok, v, tt.wantOK)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	t.Run("Use's error for an absent service wraps ErrNotRegistered", func(t *testing.T) {
		if _, err := Use(t.Context(), d, absent); !errors.Is(err, ErrNotRegistered) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestResolver shows Need keeping the first error and resolving nothing after it.
func TestResolver(t *testing.T) {
	c := newContainer()
	working := NewServiceRef[*greeter]("test.working", ScopePlugin)
	absent := NewServiceRef[*greeter]("test.absent", ScopePlugin)
	built := 0
	later := NewServiceRef[*greeter]("test.later", ScopePlugin)
	c.add(ServiceValue(working, &greeter{name: "w"}))
	c.add(NewServiceFactory(later, func(context.Context, *Deps) (*greeter, error) {
		built++
		return &greeter{name: "l"}, nil
	}))
	d := &Deps{c: c, pluginID: "p"}

	r := Resolve(t.Context(), d)
	if w := Need(r, working); w == nil || w.name != "w" || r.Err() != nil {
		t.Fatalf("Need(working) = %v, err %v", w, r.Err())
	}
	if a := Need(r, absent); a != nil || !errors.Is(r.Err(), ErrNotRegistered) {
		t.Fatalf("Need(absent) = %v, err %v", a, r.Err())
	}
	first := r.Err()
	if l := Need(r, later); l != nil || built != 0 || r.Err() != first {
		t.Fatalf("after a failure Need(later) = %v, built %d, err %v", l, built, r.Err())
	}
}
