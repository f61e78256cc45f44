package reader

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// refsByteOrdered reports whether entity_ref compares byte-wise, so that a
// kind's entities are one entity_ref range the index walks directly
// (writeKindRange). SQLite's default collation does; on PostgreSQL it
// depends on the collation of the column, read once per Reader.
func (r *Reader) refsByteOrdered(ctx context.Context) (bool, error) {
	if !r.db.Dialect.IsPostgres() {
		return true, nil
	}
	r.collMu.Lock()
	defer r.collMu.Unlock()
	if r.collKnown {
		return r.collBytes, nil
	}
	// The column's collation, or the database's when it has the default
	// one; to_jsonb reads the provider columns where the server has them
	// (datlocprovider since PostgreSQL 15, datlocale since 17).
	const q = `SELECT COALESCE(c.collprovider::text, ''), COALESCE(c.collcollate, ''),
		COALESCE(to_jsonb(d)->>'datlocprovider', 'c'), d.datcollate, COALESCE(to_jsonb(d)->>'datlocale', '')
		FROM pg_attribute a
		JOIN pg_collation c ON c.oid = a.attcollation
		CROSS JOIN pg_database d
		WHERE a.attrelid = to_regclass('final_entities') AND a.attname = 'entity_ref'
		AND d.datname = current_database()`
	var colProvider, colCollate, dbProvider, dbCollate, dbLocale string
	err := r.db.QueryRowContext(ctx, q).Scan(&colProvider, &colCollate, &dbProvider, &dbCollate, &dbLocale)
	if err != nil && err != sql.ErrNoRows {
		return false, fmt.Errorf("read entity_ref collation: %w", err)
	}
	bytes := false
	switch {
	case err != nil:
	case colProvider == "d": // the database default
		bytes = byteOrderLocale(dbProvider, dbCollate, dbLocale)
	default:
		bytes = byteOrderLocale(colProvider, colCollate, colCollate)
	}
	r.collKnown, r.collBytes = true, bytes
	return bytes, nil
}

// byteOrderLocale reports whether a PostgreSQL collation of provider
// ('c' libc, 'b' builtin, 'i' ICU) and locale compares strings by bytes
// (for UTF-8, code points order as bytes do).
func byteOrderLocale(provider, libcCollate, builtinLocale string) bool {
	switch provider {
	case "c":
		switch strings.ToLower(libcCollate) {
		case "c", "posix", "c.utf8", "c.utf-8":
			return true
		}
	case "b":
		switch strings.ToUpper(builtinLocale) {
		case "C", "C.UTF-8":
			return true
		}
	}
	return false
}
