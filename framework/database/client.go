package database

import (
	"fmt"
	"strings"
)

// Client names the database server family: [ClientSQLite] or [ClientPostgres].
type Client string

// The supported clients.
const (
	ClientSQLite   Client = "sqlite"
	ClientPostgres Client = "pg"
)

// ParseClient maps the client names accepted in app-config
// (backend.database.client) to a [Client]: better-sqlite3, sqlite3 and
// sqlite mean SQLite; pg, postgres and postgresql mean PostgreSQL.
func ParseClient(s string) (Client, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "better-sqlite3", "sqlite3", "sqlite":
		return ClientSQLite, nil
	case "pg", "postgres", "postgresql":
		return ClientPostgres, nil
	case "":
		return "", fmt.Errorf("database client is empty")
	default:
		return "", fmt.Errorf("unsupported database client %q (want better-sqlite3, sqlite3, sqlite or pg)", s)
	}
}
