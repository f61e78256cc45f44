// Package readertest writes catalog fixtures for tests and benchmarks of the
// read side: final entities and their search rows (through query.Flatten,
// exactly as the stitcher writes them), processing parents and locations.
package readertest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/store/migrations"
)

// ForEachDialect runs body on a fresh, migrated catalog database per dialect.
func ForEachDialect(t *testing.T, body func(t *testing.T, db *database.DB)) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		if err := db.Migrate(t.Context(), migrations.FS); err != nil {
			t.Fatalf("migrate catalog: %v", err)
		}
		body(t, db)
	})
}

// BenchEntities is the size N of the read side's benchmarks: PORTICO_BENCH_ENTITIES, default
// 10000.
func BenchEntities(tb testing.TB) int {
	if s := os.Getenv("PORTICO_BENCH_ENTITIES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			tb.Fatalf("PORTICO_BENCH_ENTITIES: %v", err)
		}
		return n
	}
	return 10000
}

// Seeder writes fixtures in one transaction per call.
type Seeder struct {
	DB *database.DB
}

// Entities stores each entity (JSON objects) as a stitched final entity with
// its search rows. metadata.uid is generated when absent, metadata.etag set
// when absent. It returns the uids in order.
func (s Seeder) Entities(ctx context.Context, entities ...string) ([]string, error) {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	insEntity, err := tx.PrepareContext(ctx, s.DB.Dialect.Rebind(`INSERT INTO final_entities (entity_id, entity_ref, final_entity, hash, search_text) VALUES (?, ?, ?, ?, ?)`))
	if err != nil {
		return nil, err
	}
	defer insEntity.Close()
	search := searchBatch{tx: tx, db: s.DB}
	uids := make([]string, 0, len(entities))
	for _, raw := range entities {
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("decode fixture %s: %w", raw, err)
		}
		meta, _ := m["metadata"].(map[string]any)
		if meta == nil {
			return nil, fmt.Errorf("fixture without metadata: %s", raw)
		}
		uid, _ := meta["uid"].(string)
		if uid == "" {
			uid = uuid.NewString()
			meta["uid"] = uid
		}
		if _, ok := meta["etag"]; !ok {
			meta["etag"] = "etag-" + uid
		}
		kind, _ := m["kind"].(string)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		ref := model.EntityRef{Kind: kind, Namespace: ns, Name: name}
		if ref.Namespace == "" {
			ref.Namespace = "default"
		}
		final, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		rows := query.Flatten(m)
		if _, err := insEntity.ExecContext(ctx, uid, ref.String(), string(final), "h-"+uid, query.TextDocument(rows)); err != nil {
			return nil, fmt.Errorf("insert %s: %w", ref, err)
		}
		for _, r := range rows {
			if err := search.add(ctx, uid, r.Key, r.Value, r.StoredOriginal()); err != nil {
				return nil, fmt.Errorf("insert search rows of %s: %w", ref, err)
			}
		}
		uids = append(uids, uid)
	}
	if err := search.flush(ctx); err != nil {
		return nil, fmt.Errorf("insert search rows: %w", err)
	}
	return uids, tx.Commit()
}

// searchBatch inserts search rows several per statement.
type searchBatch struct {
	tx   *sql.Tx
	db   *database.DB
	args []any
}

// searchBatchRows is how many rows one INSERT carries (4 parameters each).
const searchBatchRows = 250

func (b *searchBatch) add(ctx context.Context, values ...any) error {
	b.args = append(b.args, values...)
	if len(b.args) >= 4*searchBatchRows {
		return b.flush(ctx)
	}
	return nil
}

func (b *searchBatch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO search (entity_id, key, value, original_value) VALUES ")
	for i := 0; i < len(b.args)/4; i++ {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?)")
	}
	_, err := b.tx.ExecContext(ctx, b.db.Dialect.Rebind(q.String()), b.args...)
	b.args = b.args[:0]
	return err
}

// Parent records that parent (an entity ref, or "" for a provider with key
// sourceKey) emitted child.
func (s Seeder) Parent(ctx context.Context, sourceKey, parent, child string) error {
	var sk, sr any
	if sourceKey != "" {
		sk = sourceKey
	}
	if parent != "" {
		sr = parent
	}
	_, err := s.DB.ExecContext(ctx, s.DB.Dialect.Rebind(`INSERT INTO refresh_state_references (source_key, source_entity_ref, target_entity_ref) VALUES (?, ?, ?)`), sk, sr, child)
	return err
}

// Location registers a location row.
func (s Seeder) Location(ctx context.Context, id, typ, target string) error {
	_, err := s.DB.ExecContext(ctx, s.DB.Dialect.Rebind(`INSERT INTO locations (id, type, target) VALUES (?, ?, ?)`), id, typ, target)
	return err
}

// Unstitched stores an entity row whose final_entity is still NULL.
func (s Seeder) Unstitched(ctx context.Context, uid, ref string) error {
	_, err := s.DB.ExecContext(ctx, s.DB.Dialect.Rebind(`INSERT INTO final_entities (entity_id, entity_ref) VALUES (?, ?)`), uid, ref)
	return err
}
