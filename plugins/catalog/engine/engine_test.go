package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

func component(name, owner string) string {
	return fmt.Sprintf(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: %s
spec:
  type: service
  lifecycle: production
  owner: %s
`, name, owner)
}

func writeFile(t *testing.T, path string, docs ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, e *engine.Engine) {
	t.Helper()
	if err := e.ProcessUntilIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestEngine(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		t.Run("conflict: first location keeps the ref, the second gets an error", func(t *testing.T) {
			root := t.TempDir()
			a, b := filepath.Join(root, "a.yaml"), filepath.Join(root, "b.yaml")
			writeFile(t, a, component("dup", "team-a"))
			writeFile(t, b, component("DUP", "team-b"))
			clock := newClock()
			e := newEngine(t, db, clock, root, nil)
			if _, err := e.AddLocation(t.Context(), "file", a, false); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			if _, err := e.AddLocation(t.Context(), "file", b, false); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			got := finalEntities(t, db)["component:default/dup"]
			if got == nil || got["spec"].(map[string]any)["owner"] != "team-a" {
				t.Fatalf("dup = %v, want owned by team-a", got)
			}
			loser := engine.LocationEntity("file", b).Ref().String()
			if errs := processingErrors(t, db, loser); !strings.Contains(errs, "conflicting entityRef component:default/dup") {
				t.Errorf("errors of %s = %s, want a conflict", loser, errs)
			}
			if msgs := statusMessages(finalEntities(t, db)[loser]); len(msgs) != 1 || !strings.HasPrefix(msgs[0], "ConflictError: ") {
				t.Errorf("status of %s = %v", loser, msgs)
			}
			cleanup(t, e, db)
		})

		t.Run("location removal removes what only it produced", func(t *testing.T) {
			root := t.TempDir()
			a := filepath.Join(root, "a.yaml")
			writeFile(t, a, component("x1", "team"), component("x2", "team"))
			e := newEngine(t, db, newClock(), root, nil)
			res, err := e.AddLocation(t.Context(), "file", a, false)
			if err != nil {
				t.Fatal(err)
			}
			run(t, e)
			if n := len(finalEntities(t, db)); n != 3 {
				t.Fatalf("final entities = %v, want 3", refsOf(finalEntities(t, db)))
			}
			if _, err := e.AddLocation(t.Context(), "file", a, false); !errors.Is(err, model.ErrConflict) {
				t.Errorf("second AddLocation err = %v, want ErrConflict", err)
			}
			if err := e.RemoveLocation(t.Context(), res.Location.ID); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM refresh_state"); n != 0 {
				t.Errorf("refresh_state rows after removal = %d", n)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM search"); n != 0 {
				t.Errorf("search rows after removal = %d", n)
			}
			if err := e.RemoveLocation(t.Context(), res.Location.ID); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("RemoveLocation again = %v, want ErrNotFound", err)
			}
		})

		for _, strategy := range []string{engine.OrphanStrategyKeep, engine.OrphanStrategyDelete} {
			t.Run("orphans with strategy "+strategy, func(t *testing.T) {
				root := t.TempDir()
				a := filepath.Join(root, "a.yaml")
				writeFile(t, a, component("stay", "team"), component("leave", "team"))
				clock := newClock()
				e := newEngine(t, db, clock, root, func(o *engine.Options) { o.OrphanStrategy = strategy })
				if _, err := e.AddLocation(t.Context(), "file", a, false); err != nil {
					t.Fatal(err)
				}
				run(t, e)
				writeFile(t, a, component("stay", "team"))
				if err := e.Refresh(t.Context(), "component:default/stay"); err != nil {
					t.Fatal(err)
				}
				run(t, e)
				got := finalEntities(t, db)
				left := got["component:default/leave"]
				switch strategy {
				case engine.OrphanStrategyKeep:
					if left == nil || annotation(left, model.AnnotationOrphan) != "true" {
						t.Errorf("leave = %v, want orphan annotation", left)
					}
				default:
					if left != nil {
						t.Errorf("leave still present: %v", left)
					}
				}
				if annotation(got["component:default/stay"], model.AnnotationOrphan) != "" {
					t.Errorf("stay is annotated as orphan")
				}
				cleanup(t, e, db)
			})
		}

		t.Run("a bad version keeps the last good entity and shows the error", func(t *testing.T) {
			root := t.TempDir()
			a := filepath.Join(root, "a.yaml")
			writeFile(t, a, component("svc", "team"), component("neighbour", "team"))
			e := newEngine(t, db, newClock(), root, nil)
			if _, err := e.AddLocation(t.Context(), "file", a, false); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			writeFile(t, a, strings.Replace(component("svc", "team"), "  owner: team\n", "", 1), component("neighbour", "team2"))
			if err := e.Refresh(t.Context(), "component:default/svc"); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			got := finalEntities(t, db)
			svc := got["component:default/svc"]
			if svc["spec"].(map[string]any)["owner"] != "team" {
				t.Errorf("svc lost its last good spec: %v", svc["spec"])
			}
			msgs := statusMessages(svc)
			if len(msgs) != 1 || !strings.Contains(msgs[0], "must have required property 'owner'") {
				t.Errorf("svc status = %v", msgs)
			}
			if got["component:default/neighbour"]["spec"].(map[string]any)["owner"] != "team2" {
				t.Errorf("neighbour not updated: %v", got["component:default/neighbour"])
			}
			cleanup(t, e, db)
		})

		t.Run("unchanged input is skipped", func(t *testing.T) {
			root := t.TempDir()
			a := filepath.Join(root, "a.yaml")
			writeFile(t, a, component("s1", "team"), component("s2", "team"))
			clock := newClock()
			e := newEngine(t, db, clock, root, nil)
			if _, err := e.AddLocation(t.Context(), "file", a, false); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			before := finalEntities(t, db)
			st := e.Stats()
			clock.Advance(engine.DefaultProcessingInterval * 2)
			run(t, e)
			after := e.Stats()
			if claimed := after.Claimed - st.Claimed; claimed != 3 {
				t.Errorf("claimed %d entities in the second cycle, want 3", claimed)
			}
			if skipped := after.Skipped - st.Skipped; skipped != 3 {
				t.Errorf("skipped %d, want 3", skipped)
			}
			if after.Stitched != st.Stitched {
				t.Errorf("stitched %d more entities, want 0", after.Stitched-st.Stitched)
			}
			for ref, ent := range finalEntities(t, db) {
				if ent["metadata"].(map[string]any)["etag"] != before[ref]["metadata"].(map[string]any)["etag"] {
					t.Errorf("%s changed", ref)
				}
			}
			cleanup(t, e, db)
		})

		t.Run("dry run, validate, refresh, delete", func(t *testing.T) {
			root := t.TempDir()
			a := filepath.Join(root, "a.yaml")
			writeFile(t, a, component("d1", "team"))
			e := newEngine(t, db, newClock(), root, nil)
			res, err := e.AddLocation(t.Context(), "file", a, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entities) != 2 || res.Exists {
				t.Errorf("dry run = %d entities, exists %v; want 2, false", len(res.Entities), res.Exists)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM refresh_state"); n != 0 {
				t.Errorf("dry run stored %d rows", n)
			}
			if _, err := e.AddLocation(t.Context(), "file", filepath.Join(root, "nope.yaml"), true); !errors.Is(err, engine.ErrInvalid) {
				t.Errorf("dry run of a missing file: %v, want ErrInvalid", err)
			}
			errs, err := e.ValidateEntity(t.Context(), json.RawMessage(`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"v"},"spec":{"type":"service","lifecycle":"x"}}`), "url:https://example.com/a.yaml")
			if err != nil || len(errs) != 1 || !strings.Contains(errs[0].Message, "owner") {
				t.Errorf("ValidateEntity = %v, %v", errs, err)
			}
			errs, err = e.ValidateEntity(t.Context(), json.RawMessage(`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"v"},"spec":{"type":"service","lifecycle":"x","owner":"me"}}`), "url:https://example.com/a.yaml")
			if err != nil || len(errs) != 0 {
				t.Errorf("ValidateEntity(valid) = %v, %v", errs, err)
			}
			if _, err := e.AddLocation(t.Context(), "file", a, false); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			if err := e.Refresh(t.Context(), "component:default/missing"); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("Refresh(missing) = %v", err)
			}
			uid := finalEntities(t, db)["component:default/d1"]["metadata"].(map[string]any)["uid"].(string)
			if err := e.DeleteEntityByUID(t.Context(), uid); err != nil {
				t.Fatal(err)
			}
			if finalEntities(t, db)["component:default/d1"] != nil {
				t.Fatal("d1 still served after delete")
			}
			if err := e.DeleteEntityByUID(t.Context(), uid); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("delete again = %v", err)
			}
			// The parent still emits it: it comes back after the parent's next run.
			if err := e.Refresh(t.Context(), engine.LocationEntity("file", a).Ref().String()); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			if finalEntities(t, db)["component:default/d1"] == nil {
				t.Error("d1 did not come back")
			}
			cleanup(t, e, db)
		})

		t.Run("a group with many members is stitched a few times, not once per member", func(t *testing.T) {
			root := t.TempDir()
			a := filepath.Join(root, "a.yaml")
			docs := []string{"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: big\nspec:\n  type: team\n  children: []\n"}
			const members = 1200
			for i := range members {
				docs = append(docs, fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: u%d\nspec:\n  memberOf: [big]\n", i))
			}
			writeFile(t, a, docs...)
			e := newEngine(t, db, newClock(), root, nil)
			if _, err := e.AddLocation(t.Context(), "file", a, false); err != nil {
				t.Fatal(err)
			}
			run(t, e)
			big := finalEntities(t, db)["group:default/big"]
			if rels := big["relations"].([]any); len(rels) != members {
				t.Errorf("group has %d relations, want %d", len(rels), members)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM search WHERE key = 'relations.hasmember'"); n != members {
				t.Errorf("search rows for hasmember = %d", n)
			}
			if st := e.Stats(); st.StitchClaimed > members+2+10 {
				t.Errorf("stitched %d times for %d entities", st.StitchClaimed, members+2)
			}
			cleanup(t, e, db)
		})
	})
}

// cleanup removes every registered location so subtests sharing a database start empty.
func cleanup(t *testing.T, e *engine.Engine, db *database.DB) {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT id FROM locations")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := e.RemoveLocation(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.ProcessUntilIdle(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, ent := range finalEntities(t, db) { // kept orphans
		if err := e.DeleteEntityByUID(t.Context(), ent["metadata"].(map[string]any)["uid"].(string)); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM refresh_state"); n != 0 {
		t.Fatalf("cleanup left %d entities", n)
	}
}

var _ = time.Second
