package database

import (
	"fmt"
	"path/filepath"
)

// Defaults applied by [NewManager].
const (
	// DefaultPrefix is prepended to the plugin ID to name its database or file.
	DefaultPrefix = "backstage_plugin_"
	// DefaultDirectory holds the SQLite files when neither Directory, Filename
	// nor Memory is set.
	DefaultDirectory = ".portico"

	// DivisionDatabase gives each plugin its own PostgreSQL database.
	DivisionDatabase = "database"
	// DivisionSchema gives each plugin its own schema in one PostgreSQL database.
	DivisionSchema = "schema"
)

// Options configure a [Manager]. The zero value means SQLite files under
// ./.portico. The application maps backend.database onto this struct.
type Options struct {
	// Client selects the server family; "" means SQLite.
	Client Client

	// Directory holds one SQLite file per plugin, named
	// <Prefix><pluginID>.sqlite. "" means ./.portico unless Memory or
	// Filename is set. Created (0700) when missing.
	Directory string
	// Memory gives each plugin a private in-memory SQLite database, shared by
	// all connections of that plugin's pool and lost when the Manager closes.
	Memory bool
	// Filename puts every plugin in one SQLite file (relative names are
	// joined to Directory). Each plugin still gets its own *DB and its own
	// migration history, but table names are not namespaced: plugins must
	// not create tables with the same name.
	Filename string

	// ConnString is a PostgreSQL URL or key=value string in pgx syntax. In
	// "database" division mode the database it names is used only for
	// administration (CREATE DATABASE); each plugin gets <Prefix><pluginID>.
	// In "schema" mode it names the one shared database. In a PerPlugin
	// override, a ConnString that names a database is used as is.
	ConnString string

	// Prefix is prepended to the plugin ID; "" means [DefaultPrefix].
	Prefix string
	// DivisionMode is [DivisionDatabase] (default) or [DivisionSchema]; it
	// only matters for PostgreSQL.
	DivisionMode string
	// EnsureExists creates the plugin's PostgreSQL database (or schema) when
	// missing; races between replicas creating the same one are harmless.
	// SQLite files are always created.
	EnsureExists bool
	// SkipMigrations makes [DB.Migrate] a no-op.
	SkipMigrations bool
	// MaxOpenConns caps each plugin's pool; 0 means a default per backend
	// (see [Manager]).
	MaxOpenConns int

	// PerPlugin overrides fields for one plugin ID. Zero fields inherit from
	// the enclosing Options (so a bool can only be switched on). When the
	// override names a different Client, the connection fields (Directory,
	// Memory, Filename, ConnString) are not inherited.
	PerPlugin map[string]Options
}

// forPlugin returns the effective options for pluginID, with defaults applied.
// perPluginConn reports whether the ConnString comes from the plugin's
// override, so that a database it names is used as is.
func (o Options) forPlugin(pluginID string) (eff Options, perPluginConn bool) {
	eff = o
	eff.PerPlugin = nil
	if ov, ok := o.PerPlugin[pluginID]; ok {
		if ov.Client != "" && ov.Client != eff.client() {
			eff.Client = ov.Client
			eff.Directory, eff.Memory, eff.Filename, eff.ConnString = "", false, "", ""
		}
		if ov.Directory != "" {
			eff.Directory = ov.Directory
			eff.Memory = false
		}
		if ov.Memory {
			eff.Memory = true
			eff.Filename = ""
		}
		if ov.Filename != "" {
			eff.Filename = ov.Filename
			eff.Memory = false
		}
		if ov.ConnString != "" {
			eff.ConnString = ov.ConnString
			perPluginConn = true
		}
		if ov.Prefix != "" {
			eff.Prefix = ov.Prefix
		}
		if ov.DivisionMode != "" {
			eff.DivisionMode = ov.DivisionMode
		}
		eff.EnsureExists = eff.EnsureExists || ov.EnsureExists
		eff.SkipMigrations = eff.SkipMigrations || ov.SkipMigrations
		if ov.MaxOpenConns != 0 {
			eff.MaxOpenConns = ov.MaxOpenConns
		}
	}
	eff.Client = eff.client()
	if eff.Prefix == "" {
		eff.Prefix = DefaultPrefix
	}
	if eff.DivisionMode == "" {
		eff.DivisionMode = DivisionDatabase
	}
	if eff.Client == ClientSQLite && !eff.Memory && eff.Directory == "" && eff.Filename == "" {
		eff.Directory = DefaultDirectory
	}
	if eff.Client == ClientSQLite && eff.Filename != "" && eff.Directory != "" && !filepath.IsAbs(eff.Filename) {
		eff.Filename = filepath.Join(eff.Directory, eff.Filename)
	}
	return eff, perPluginConn
}

func (o Options) client() Client {
	if o.Client == "" {
		return ClientSQLite
	}
	return o.Client
}

// validate checks one level of options (the base or one override).
func (o Options) validate() error {
	switch o.Client {
	case "", ClientSQLite, ClientPostgres:
	default:
		return fmt.Errorf("unsupported database client %q", o.Client)
	}
	switch o.DivisionMode {
	case "", DivisionDatabase, DivisionSchema:
	default:
		return fmt.Errorf("unsupported plugin division mode %q (want %q or %q)", o.DivisionMode, DivisionDatabase, DivisionSchema)
	}
	if o.Memory && o.Filename != "" {
		return fmt.Errorf("sqlite memory and filename are mutually exclusive")
	}
	if o.MaxOpenConns < 0 {
		return fmt.Errorf("max open connections must not be negative, got %d", o.MaxOpenConns)
	}
	return nil
}

// validPluginID reports whether id can name a file, a database and a schema.
func validPluginID(id string) error {
	if id == "" {
		return fmt.Errorf("plugin id is empty")
	}
	for i, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '-' || r == '_' || r == '.'):
		default:
			return fmt.Errorf("plugin id %q: want letters, digits, '-', '_' or '.', starting with a letter or digit", id)
		}
	}
	return nil
}
