package database

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// DefaultNamespace is the migration namespace of the plugin's own tables.
const DefaultNamespace = "default"

// Migration is one forward-only step read from a migrations file system.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

// Migrate applies the plugin's pending migrations: see
// [DB.MigrateNamespace] with [DefaultNamespace].
func (db *DB) Migrate(ctx context.Context, migrations fs.FS) error {
	return db.MigrateNamespace(ctx, DefaultNamespace, migrations)
}

// MigrateNamespace applies the pending migrations of one namespace. A plugin
// uses [DB.Migrate]; a framework service that keeps tables in every plugin's
// database (the scheduler) uses its own namespace so its version numbers
// never collide with the plugin's.
//
// migrations holds files named <version>_<name>.sql (e.g. 0001_init.sql) in
// "common" (one file for both dialects, see [ReadMigrations]) and in one flat
// directory per dialect, "sqlite" and "postgres"; other files are ignored. Versions are applied in order, each in one transaction together
// with its row in portico_migrations(plugin_id, namespace, version, name,
// applied_at), so a failing migration leaves nothing behind. On PostgreSQL
// each transaction holds an advisory lock keyed on the plugin, so replicas
// starting together apply each version exactly once; on SQLite the
// immediate transaction serialises them.
//
// It fails with [ErrNewerSchema] when the database has a version this binary
// does not know, and refuses a pending version lower than one already
// applied (migrations are appended, never inserted). With SkipMigrations it
// does nothing.
func (db *DB) MigrateNamespace(ctx context.Context, namespace string, migrations fs.FS) error {
	if db.skipMigrations {
		return nil
	}
	if namespace == "" {
		return fmt.Errorf("migrate plugin %s: empty namespace", db.PluginID)
	}
	list, err := ReadMigrations(migrations, db.Dialect)
	if err != nil {
		return fmt.Errorf("migrate plugin %s namespace %s: %w", db.PluginID, namespace, err)
	}
	for {
		applied, err := db.applyNext(ctx, namespace, list)
		if err != nil {
			return fmt.Errorf("migrate plugin %s namespace %s: %w", db.PluginID, namespace, err)
		}
		if applied == nil {
			return nil
		}
		db.logger.InfoContext(ctx, "applied database migration",
			"namespace", namespace, "version", applied.Version, "name", applied.Name)
	}
}

// CommonDir is the migrations directory whose files apply to every dialect.
const CommonDir = "common"

// ReadMigrations returns the migrations for dialect found in fsys, sorted by
// version: the files of CommonDir, rendered for the dialect, and those of the
// dialect's own directory, which replace a common file of the same version.
//
// A common file is a text/template executed with [MigrationDialect], so the
// few words the dialects spell differently (column types) stand in one
// statement: {{if .Postgres}}TIMESTAMPTZ{{else}}TEXT{{end}}. A migration is
// recorded by version and name only, so moving a dialect file to common/ (or
// back) is invisible to a database that has applied it.
func ReadMigrations(fsys fs.FS, d Dialect) ([]Migration, error) {
	common, errCommon := readMigrationDir(fsys, CommonDir, MigrationDialect{Postgres: d.IsPostgres(), SQLite: !d.IsPostgres()})
	own, errOwn := readMigrationDir(fsys, d.Name, nil)
	switch {
	case errCommon != nil && !errors.Is(errCommon, fs.ErrNotExist):
		return nil, errCommon
	case errOwn != nil && !errors.Is(errOwn, fs.ErrNotExist):
		return nil, errOwn
	case errCommon != nil && errOwn != nil:
		return nil, fmt.Errorf("read migrations: neither %s/ nor %s/: %w", CommonDir, d.Name, errOwn)
	}
	byVersion := make(map[int64]Migration, len(common)+len(own))
	for _, m := range common {
		byVersion[m.Version] = m
	}
	for _, m := range own {
		if c, ok := byVersion[m.Version]; ok && c.Name != m.Name {
			return nil, fmt.Errorf("migrations %s/%d_%s and %s/%d_%s share version %d under different names",
				CommonDir, c.Version, c.Name, d.Name, m.Version, m.Name, m.Version)
		}
		byVersion[m.Version] = m
	}
	return slices.SortedFunc(maps.Values(byVersion), func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) }), nil
}

// MigrationDialect is the data a common migration file is rendered with.
type MigrationDialect struct {
	Postgres, SQLite bool
}

// readMigrationDir reads the <version>_<name>.sql files of one directory,
// rendering each as a template with data unless data is nil.
func readMigrationDir(fsys fs.FS, dir string, data any) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var list []Migration
	seen := make(map[int64]string, len(entries))
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		file := path.Join(dir, name)
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		version, perr := strconv.ParseInt(num, 10, 64)
		if !ok || perr != nil || version <= 0 || rest == "" {
			return nil, fmt.Errorf("migration file %s: want <positive number>_<name>.sql", file)
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("migrations %s/%s and %s share version %d", dir, other, rest, version)
		}
		seen[version] = rest
		body, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("read migration: %w", err)
		}
		sql := string(body)
		if data != nil {
			if sql, err = renderMigration(file, sql, data); err != nil {
				return nil, err
			}
		}
		list = append(list, Migration{Version: version, Name: rest, SQL: sql})
	}
	return list, nil
}

func renderMigration(file, body string, data any) (string, error) {
	tmpl, err := template.New(file).Option("missingkey=error").Parse(body)
	if err != nil {
		return "", fmt.Errorf("migration file %s: %w", file, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("migration file %s: %w", file, err)
	}
	return b.String(), nil
}

// applyNext applies the first pending migration in its own transaction and
// returns it, or returns nil when none is pending.
func (db *DB) applyNext(ctx context.Context, namespace string, list []Migration) (_ *Migration, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if db.Dialect.IsPostgres() {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey(db.PluginID)); err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, migrationsTableDDL(db.Dialect)); err != nil {
		return nil, fmt.Errorf("create migrations table: %w", err)
	}
	applied, err := appliedVersions(ctx, tx, db.Dialect, db.PluginID, namespace)
	if err != nil {
		return nil, err
	}
	next, err := pending(list, applied)
	if err != nil {
		return nil, err
	}
	if next == nil {
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("commit: %w", err)
		}
		return nil, nil
	}
	if strings.TrimSpace(next.SQL) != "" {
		if _, err := tx.ExecContext(ctx, next.SQL); err != nil {
			return nil, fmt.Errorf("migration %d_%s: %w", next.Version, next.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, db.Dialect.Rebind(
		"INSERT INTO portico_migrations (plugin_id, namespace, version, name) VALUES (?, ?, ?, ?)"),
		db.PluginID, namespace, next.Version, next.Name); err != nil {
		return nil, fmt.Errorf("record migration %d_%s: %w", next.Version, next.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit migration %d_%s: %w", next.Version, next.Name, err)
	}
	return next, nil
}

func migrationsTableDDL(d Dialect) string {
	appliedAt := "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
	if d.IsPostgres() {
		appliedAt = "TIMESTAMPTZ NOT NULL DEFAULT now()"
	}
	return `CREATE TABLE IF NOT EXISTS portico_migrations (
	plugin_id TEXT NOT NULL,
	namespace TEXT NOT NULL,
	version BIGINT NOT NULL,
	name TEXT NOT NULL,
	applied_at ` + appliedAt + `,
	PRIMARY KEY (plugin_id, namespace, version)
)`
}

func appliedVersions(ctx context.Context, tx *sql.Tx, d Dialect, pluginID, namespace string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, d.Rebind(
		"SELECT version FROM portico_migrations WHERE plugin_id = ? AND namespace = ? ORDER BY version"),
		pluginID, namespace)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var versions []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read applied migrations: %w", err)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	return versions, nil
}

// pending returns the first known migration not yet applied, or nil, after
// checking that the applied history is one this binary can continue.
func pending(list []Migration, applied []int64) (*Migration, error) {
	known := make(map[int64]bool, len(list))
	for _, m := range list {
		known[m.Version] = true
	}
	var latest int64
	for _, v := range applied {
		if !known[v] {
			var newest int64
			if len(list) > 0 {
				newest = list[len(list)-1].Version
			}
			if v > newest {
				return nil, fmt.Errorf("%w: database has migration %d, this binary knows up to %d", ErrNewerSchema, v, newest)
			}
			return nil, fmt.Errorf("database has migration %d, which this binary does not know", v)
		}
		latest = max(latest, v)
	}
	done := make(map[int64]bool, len(applied))
	for _, v := range applied {
		done[v] = true
	}
	for i := range list {
		if done[list[i].Version] {
			continue
		}
		if list[i].Version < latest {
			return nil, fmt.Errorf("migration %d_%s is pending but %d is already applied: append new migrations after the last one",
				list[i].Version, list[i].Name, latest)
		}
		return &list[i], nil
	}
	return nil, nil
}

// migrationLockKey is the advisory lock key for a plugin's migrations;
// plugins sharing one database (schema mode) get different keys.
func migrationLockKey(pluginID string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("portico_migrations\x00" + pluginID))
	return int64(h.Sum64())
}
