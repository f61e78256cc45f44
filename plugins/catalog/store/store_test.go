package store_test

import (
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/store"
	"github.com/portico-dev/portico/plugins/catalog/store/migrations"
)

// fixture is a store over a migrated database, with its clock and the number of times it
// reported a removed reference.
type fixture struct {
	s       *store.Store
	db      *database.DB
	now     time.Time
	removed int
}

// forEachStore runs body over a fresh store on each database.
func forEachStore(t *testing.T, body func(t *testing.T, f *fixture)) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		if err := db.Migrate(t.Context(), migrations.FS); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		f := &fixture{db: db, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		f.s = store.New(db, store.Options{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return f.now }, ReferencesRemoved: func() { f.removed++ }})
		body(t, f)
	})
}

func child(ref, key string) store.Child {
	data := []byte(`{"ref":"` + ref + `"}`)
	return store.Child{Ref: ref, JSON: data, Hash: "h-" + ref, LocationKey: key}
}

func refs[T any](rows []T, ref func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = ref(r)
	}
	slices.Sort(out)
	return out
}

func claimedRef(c store.Claimed) string { return c.Ref }

// claim claims as worker w1 and checks that exactly want were due (when: what preceded).
func claim(t *testing.T, s *store.Store, when string, want ...string) []store.Claimed {
	t.Helper()
	got, err := s.Claim(t.Context(), "w1", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if r := refs(got, claimedRef); !slices.Equal(r, want) {
		t.Fatalf("%s: due %v, want %v", when, r, want)
	}
	return got
}

// TestStoreProcessingAndStitching drives the store as the engine does, on both databases:
// a provider's mutation inserts entities, a claim leases them, written outcomes insert a
// child, relations and refresh keys, stitching writes final entities, a conflicting key is
// refused, refresh keys and deletion reach the right rows.
func TestStoreProcessingAndStitching(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		ctx, s, db := t.Context(), f.s, f.db

		a, b := "component:default/a", "component:default/b"
		if err := s.ApplyMutation(ctx, "prov", true, []store.Child{child(a, "k"), child(b, "k")}, nil); err != nil {
			t.Fatal(err)
		}
		got := claim(t, s, "after the mutation", a, b)
		if again, _ := s.Claim(ctx, "w2", time.Minute, 10); len(again) != 0 {
			t.Fatalf("leased rows claimed again: %v", refs(again, claimedRef))
		}

		c := "component:default/c"
		var outs []store.Outcome
		for _, cl := range got {
			o := store.Outcome{Claimed: cl, OK: true, NextUpdate: f.now.Add(time.Hour), ResultHash: "r-" + cl.Ref,
				JSON: []byte(`{"kind":"Component"}`), InputHash: "i", Errors: "[]"}
			if cl.Ref == a {
				o.Relations = []store.RelationRow{{Source: a, Type: "dependsOn", Target: b}}
				o.Children = []store.Child{child(c, "url:a")}
				o.Keys = []string{"url:file"}
			}
			outs = append(outs, o)
		}
		if err := s.WriteOutcomes(ctx, f.now, outs); err != nil {
			t.Fatal(err)
		}
		claim(t, s, "after writing (the child)", c)

		claims, err := s.ClaimStitch(ctx, "w1/t1", time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		if r := refs(claims, func(c store.StitchClaim) string { return c.Ref }); !slices.Equal(r, []string{a, b}) {
			t.Fatalf("stitch claims %v, want %v", r, []string{a, b})
		}
		states, rels, err := s.StitchInputs(ctx, claims)
		if err != nil {
			t.Fatal(err)
		}
		for _, cl := range claims {
			if st := states[cl.ID]; st == nil || !st.Processed.Valid || st.Incoming != 1 {
				t.Errorf("state of %s = %+v, want processed and referenced once", cl.Ref, st)
			}
		}
		if want := []model.Relation{{Type: "dependsOn", TargetRef: b}}; !slices.Equal(rels[a], want) {
			t.Errorf("relations of %s = %v, want %v", a, rels[a], want)
		}
		value := "x"
		var results []store.StitchResult
		var search []store.SearchRow
		for _, cl := range claims {
			results = append(results, store.StitchResult{Claim: cl, Final: []byte(`{"metadata":{"uid":"` + cl.ID + `"}}`), Hash: "f", Text: cl.Ref})
			search = append(search, store.SearchRow{ID: cl.ID, Key: "kind", Value: &value, Original: &value})
		}
		n, err := s.WriteStitch(ctx, "w1/t1", results, search, nil)
		if err != nil || n != 2 {
			t.Fatalf("WriteStitch = %d, %v; want 2 written", n, err)
		}
		if more, _ := s.ClaimStitch(ctx, "w1/t2", time.Minute, 10); len(more) != 0 {
			t.Fatalf("stitch marks left after writing: %v", more)
		}

		// Another provider emitting a under another location key is refused: a keeps its row.
		if err := s.ApplyMutation(ctx, "other", true, []store.Child{child(a, "k2")}, nil); err != nil {
			t.Fatal(err)
		}
		var key string
		if err := db.QueryRowContext(ctx, db.Dialect.Rebind("SELECT location_key FROM refresh_state WHERE entity_ref = ?"), a).Scan(&key); err != nil || key != "k" {
			t.Fatalf("location key of %s = %q, %v; want k", a, key, err)
		}

		// A refresh key makes its entity due again (c is still leased).
		f.now = f.now.Add(30 * time.Second)
		if err := s.RefreshKeys(ctx, []string{"url:file"}, f.now); err != nil {
			t.Fatal(err)
		}
		claim(t, s, "after refreshing its key", a)

		// Deleting b removes it and queues a (whose relation pointed at it) for stitching.
		var bID string
		for _, cl := range claims {
			if cl.Ref == b {
				bID = cl.ID
			}
		}
		before := f.removed
		if found, err := s.DeleteEntity(ctx, bID); err != nil || !found {
			t.Fatalf("DeleteEntity(b) = %v, %v", found, err)
		}
		if ok, err := s.EntityExists(ctx, b); err != nil || ok {
			t.Fatalf("b exists after deletion (%v)", err)
		}
		if f.removed == before {
			t.Error("deleting an entity did not report a removed reference")
		}
		if found, err := s.DeleteEntity(ctx, bID); err != nil || found {
			t.Fatalf("DeleteEntity(b) again = %v, %v; want not found", found, err)
		}
	})
}

// TestStoreLocations covers the locations registered through the API on both databases.
func TestStoreLocations(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *fixture) {
		ctx, s := t.Context(), f.s
		loc := model.Location{ID: store.NewID(), Type: "url", Target: "https://example.com/catalog-info.yaml"}
		if err := s.InsertLocation(ctx, loc); err != nil {
			t.Fatal(err)
		}
		dup := loc
		dup.ID = store.NewID()
		if err := s.InsertLocation(ctx, dup); !errors.Is(err, store.ErrExists) {
			t.Fatalf("inserting it twice: %v, want ErrExists", err)
		}
		if id, err := s.LocationID(ctx, loc.Type, loc.Target); err != nil || id != loc.ID {
			t.Fatalf("LocationID = %q, %v; want %q", id, err, loc.ID)
		}
		if ok, err := s.LocationRegistered(ctx, loc.Type, loc.Target); err != nil || !ok {
			t.Fatalf("LocationRegistered = %v, %v", ok, err)
		}
		if all, err := s.ListLocations(ctx); err != nil || len(all) != 1 || all[0] != loc {
			t.Fatalf("ListLocations = %v, %v", all, err)
		}
		got, found, err := s.DeleteLocation(ctx, loc.ID)
		if err != nil || !found || got != loc {
			t.Fatalf("DeleteLocation = %v, %v, %v", got, found, err)
		}
		if _, found, err := s.DeleteLocation(ctx, loc.ID); err != nil || found {
			t.Fatalf("DeleteLocation again: found %v, %v", found, err)
		}
		if id, err := s.LocationID(ctx, loc.Type, loc.Target); err != nil || id != "" {
			t.Fatalf("LocationID after deletion = %q, %v", id, err)
		}
	})
}
