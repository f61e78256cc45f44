package database

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL connection settings. The pool default matches knex's (10);
// idle connections are closed after a while because every plugin of every
// replica has its own pool and the server's max_connections is shared.
const (
	pgDefaultMaxConns    = 10
	pgMaxIdleTime        = 5 * time.Minute
	pgDefaultConnTimeout = 10 * time.Second
	pgAdminDatabase      = "postgres"
)

// openPostgres opens the plugin's PostgreSQL database (or schema) described
// by o, creating it first when o.EnsureExists.
func (m *Manager) openPostgres(ctx context.Context, pluginID string, o Options, perPluginConn bool) (*DB, error) {
	base, err := pgx.ParseConfig(o.ConnString)
	if err != nil {
		// pgx errors here may quote the connection string, which can hold a
		// password: say what failed without it.
		return nil, fmt.Errorf("plugin %s: invalid postgres connection string", pluginID)
	}
	if base.ConnectTimeout == 0 {
		base.ConnectTimeout = pgDefaultConnTimeout
	}
	// Network errors of these connections are the database's (IsUnavailable), unlike the same
	// errors of the process's other clients.
	base.DialFunc = markedDial(base.DialFunc)
	addr := net.JoinHostPort(base.Host, strconv.Itoa(int(base.Port)))
	target := base.Copy()

	switch {
	case o.DivisionMode == DivisionSchema:
		schema := pluginID
		if o.EnsureExists {
			if err := ensureSchema(ctx, base, schema); err != nil {
				return nil, fmt.Errorf("plugin %s: %w", pluginID, asConnectError(addr, err))
			}
		}
		target.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	case perPluginConn && base.Database != "":
		if o.EnsureExists {
			admin := base.Copy()
			admin.Database = pgAdminDatabase
			if err := ensureDatabase(ctx, admin, base.Database); err != nil {
				return nil, fmt.Errorf("plugin %s: %w", pluginID, asConnectError(addr, err))
			}
		}
	default:
		name := o.Prefix + pluginID
		if len(name) > 63 {
			return nil, fmt.Errorf("plugin %s: database name %q is longer than postgres allows (63 bytes)", pluginID, name)
		}
		if o.EnsureExists {
			admin := base.Copy()
			if admin.Database == "" {
				admin.Database = pgAdminDatabase
			}
			if err := ensureDatabase(ctx, admin, name); err != nil {
				return nil, fmt.Errorf("plugin %s: %w", pluginID, asConnectError(addr, err))
			}
		}
		target.Database = name
	}

	sqlDB := stdlib.OpenDB(*target)
	maxConns := o.MaxOpenConns
	if maxConns == 0 {
		maxConns = pgDefaultMaxConns
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxIdleTime(pgMaxIdleTime)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("plugin %s database %s: %w", pluginID, target.Database, asConnectError(addr, err))
	}
	db := &DB{
		DB:             sqlDB,
		Dialect:        Dialect{Name: Postgres},
		PluginID:       pluginID,
		logger:         m.logger.With("plugin", pluginID),
		skipMigrations: o.SkipMigrations,
	}
	db.logger.DebugContext(ctx, "opened database", "client", "pg", "address", addr,
		"database", target.Database, "division", o.DivisionMode)
	return db, nil
}

// ensureDatabase creates database name through the admin connection unless
// it exists. Another replica creating it at the same moment is not an error.
func ensureDatabase(ctx context.Context, admin *pgx.ConnConfig, name string) error {
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return createdOrExists(err, pgDuplicateDatabase, "create database "+name)
}

// ensureSchema creates schema in the configured database unless it exists.
func ensureSchema(ctx context.Context, cfg *pgx.ConnConfig, schema string) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	_, err = conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
	return createdOrExists(err, pgDuplicateSchema, "create schema "+schema)
}

// createdOrExists is the result of a CREATE: nil when it succeeded or when another replica
// created the object first (duplicate, the code PostgreSQL gives for the object's kind, or a
// unique violation in the catalog when both raced), else err wrapped with what.
func createdOrExists(err error, duplicate, what string) error {
	switch code := pgCode(err); {
	case err == nil, code == duplicate, code == pgUniqueViolation:
		return nil
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
