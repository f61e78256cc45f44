// Package database gives every plugin its own isolated SQL store, on SQLite
// (modernc.org/sqlite, no cgo) or PostgreSQL (pgx), and applies the plugin's
// embedded migrations.
//
// A [Manager] is built once per process from [Options] and hands each plugin
// a [DB] through [Manager.ForPlugin]: a *sql.DB plus the [Dialect] of the
// server behind it. Isolation mirrors Backstage:
//
//   - SQLite: one file per plugin (<Directory>/<Prefix><pluginID>.sqlite), or
//     one private in-memory database per plugin, or one shared file.
//   - PostgreSQL, DivisionMode "database": one database per plugin named
//     <Prefix><pluginID>, created when EnsureExists.
//   - PostgreSQL, DivisionMode "schema": one database, one schema per plugin
//     named <pluginID>; each connection's search_path points at it.
//
// Stores write ONE SQL text for both servers. Placeholders are written as
// '?' and passed through [Dialect.Rebind]; JSON lookups use
// [Dialect.JSONText]; queue claims append [Dialect.ForUpdateSkipLocked].
// The following are the same on both servers and need no help (SQLite has
// supported them since 3.35; the bundled SQLite is newer):
//
//   - upserts: INSERT ... ON CONFLICT (cols) DO UPDATE SET c = excluded.c
//   - INSERT/UPDATE/DELETE ... RETURNING cols
//   - CREATE TABLE IF NOT EXISTS, transactional DDL
//
// Timestamps: bind time.Time values (converted to UTC); scan nullable ones
// with [NullTime], which accepts what either driver returns. SQLite stores
// them as UTC text in one fixed layout, so comparisons in SQL order
// correctly.
package database
