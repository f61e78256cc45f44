package reader

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// refsChunk bounds the placeholders of one by-refs statement.
const refsChunk = 500

// ByRefs returns the entities named by refs, in the same order, with nil
// for refs that are unknown or that do not match filter. A malformed ref is
// an *query.InputError.
func (r *Reader) ByRefs(ctx context.Context, refs []string, filter *query.Expr, fields []string) ([]json.RawMessage, error) {
	// A malformed ref names no entity: its slot answers null, as in Backstage, which looks
	// the given strings up as they are.
	canonical := make([]string, len(refs))
	var valid []string
	for i, ref := range refs {
		if c, err := canonicalRef(ref); err == nil {
			canonical[i] = c
			valid = append(valid, c)
		}
	}
	found := make(map[string]json.RawMessage, len(refs))
	for chunk := range slices.Chunk(valid, refsChunk) {
		var b sqlBuilder
		b.write("SELECT fe.entity_ref, fe.final_entity FROM final_entities fe WHERE fe.entity_ref IN (")
		argList(&b, chunk, nil)
		b.write(") AND ")
		compileWhere(&b, filter, nil)
		rows, err := r.db.QueryContext(ctx, r.q(b.String()), b.args...)
		if err != nil {
			return nil, fmt.Errorf("read entities by ref: %w", err)
		}
		for rows.Next() {
			var ref, entity string
			if err := rows.Scan(&ref, &entity); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan entity: %w", err)
			}
			out, err := query.ProjectJSON(json.RawMessage(entity), fields)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("project entity %s: %w", ref, err)
			}
			found[ref] = out
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read entities by ref: %w", err)
		}
	}
	items := make([]json.RawMessage, len(refs))
	for i, c := range canonical {
		if c != "" {
			items[i] = found[c]
		}
	}
	return items, nil
}
