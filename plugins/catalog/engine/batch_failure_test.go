package engine_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// refuseTriggers makes the database refuse one entity's processed result and another's final
// entity, as PostgreSQL refuses a NUL character or an over-long index entry: a fault only
// those rows carry.
func refuseTriggers(t *testing.T, db *database.DB, processingRef, stitchRef string) {
	t.Helper()
	var stmts []string
	if db.Dialect.IsPostgres() {
		stmts = []string{
			`CREATE FUNCTION refuse_row() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'row refused by the test'; END $$ LANGUAGE plpgsql`,
			fmt.Sprintf(`CREATE TRIGGER refuse_processed BEFORE UPDATE OF processed_entity ON refresh_state FOR EACH ROW
				WHEN (NEW.entity_ref = '%s') EXECUTE FUNCTION refuse_row()`, processingRef),
			fmt.Sprintf(`CREATE TRIGGER refuse_final BEFORE UPDATE OF final_entity ON final_entities FOR EACH ROW
				WHEN (NEW.entity_ref = '%s' AND NEW.final_entity IS NOT NULL) EXECUTE FUNCTION refuse_row()`, stitchRef),
		}
	} else {
		stmts = []string{
			fmt.Sprintf(`CREATE TRIGGER refuse_processed BEFORE UPDATE OF processed_entity ON refresh_state
				WHEN NEW.entity_ref = '%s' BEGIN SELECT RAISE(ABORT, 'row refused by the test'); END`, processingRef),
			fmt.Sprintf(`CREATE TRIGGER refuse_final BEFORE UPDATE OF final_entity ON final_entities
				WHEN NEW.entity_ref = '%s' AND NEW.final_entity IS NOT NULL BEGIN SELECT RAISE(ABORT, 'row refused by the test'); END`, stitchRef),
		}
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestOneEntityCannotFailItsBatch: an entity whose processed result, or whose final entity,
// the database refuses no longer fails the whole batch (every entity retried forever, none
// served): its neighbours are written, the refused result becomes a processing error on the
// entity, and the refused stitch is retried later instead of at once.
func TestOneEntityCannotFailItsBatch(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		const badProcessing, badStitch = "component:default/bad-processing", "component:default/bad-stitch"
		refuseTriggers(t, db, badProcessing, badStitch)
		root := t.TempDir()
		file := filepath.Join(root, "catalog.yaml")
		docs := []string{component("bad-processing", "team-a"), component("bad-stitch", "team-a")}
		for i := range 40 {
			docs = append(docs, component(fmt.Sprintf("svc-%02d", i), "team-a"))
		}
		writeFile(t, file, docs...)
		e := newEngine(t, db, newClock(), root, nil)
		if _, err := e.AddLocation(t.Context(), "file", file, false); err != nil {
			t.Fatal(err)
		}
		run(t, e)

		final := finalEntities(t, db)
		for i := range 40 {
			if ref := fmt.Sprintf("component:default/svc-%02d", i); final[ref] == nil {
				t.Errorf("%s not served: the refused entities held back their batch", ref)
			}
		}
		if final[badProcessing] != nil || final[badStitch] != nil {
			t.Errorf("refused entities served: %v", refsOf(final))
		}
		if errs := processingErrors(t, db, badProcessing); !strings.Contains(errs, "could not be stored") || !strings.Contains(errs, "row refused by the test") {
			t.Errorf("errors of %s = %s, want the refused write", badProcessing, errs)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM final_entities WHERE entity_ref = ? AND next_stitch_at IS NOT NULL", badStitch); n != 1 {
			t.Errorf("%s: %d rows waiting for a later stitch, want 1", badStitch, n)
		}
	})
}
