package database

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestOptionsForPlugin(t *testing.T) {
	tests := []struct {
		name          string
		opts          Options
		plugin        string
		want          Options
		wantPerPlugin bool
	}{
		{
			name:   "zero value is sqlite files under .portico",
			plugin: "catalog",
			want:   Options{Client: ClientSQLite, Directory: DefaultDirectory, Prefix: DefaultPrefix, DivisionMode: DivisionDatabase},
		},
		{
			name:   "memory has no directory",
			opts:   Options{Memory: true},
			plugin: "catalog",
			want:   Options{Client: ClientSQLite, Memory: true, Prefix: DefaultPrefix, DivisionMode: DivisionDatabase},
		},
		{
			name:   "relative filename joins directory",
			opts:   Options{Directory: "/data", Filename: "all.sqlite"},
			plugin: "catalog",
			want:   Options{Client: ClientSQLite, Directory: "/data", Filename: filepath.Join("/data", "all.sqlite"), Prefix: DefaultPrefix, DivisionMode: DivisionDatabase},
		},
		{
			name: "override inherits zero fields",
			opts: Options{
				Client: ClientPostgres, ConnString: "host=a", Prefix: "p_", EnsureExists: true, MaxOpenConns: 3,
				PerPlugin: map[string]Options{"search": {SkipMigrations: true, MaxOpenConns: 7}},
			},
			plugin: "search",
			want:   Options{Client: ClientPostgres, ConnString: "host=a", Prefix: "p_", DivisionMode: DivisionDatabase, EnsureExists: true, SkipMigrations: true, MaxOpenConns: 7},
		},
		{
			name: "override of another plugin does not apply",
			opts: Options{
				Client: ClientPostgres, ConnString: "host=a",
				PerPlugin: map[string]Options{"search": {SkipMigrations: true}},
			},
			plugin: "catalog",
			want:   Options{Client: ClientPostgres, ConnString: "host=a", Prefix: DefaultPrefix, DivisionMode: DivisionDatabase},
		},
		{
			name: "override connection string is used as is",
			opts: Options{
				Client: ClientPostgres, ConnString: "host=a",
				PerPlugin: map[string]Options{"search": {ConnString: "host=b dbname=search"}},
			},
			plugin:        "search",
			want:          Options{Client: ClientPostgres, ConnString: "host=b dbname=search", Prefix: DefaultPrefix, DivisionMode: DivisionDatabase},
			wantPerPlugin: true,
		},
		{
			name: "override with another client drops the connection",
			opts: Options{
				Client: ClientPostgres, ConnString: "host=a", EnsureExists: true,
				PerPlugin: map[string]Options{"search": {Client: ClientSQLite, Memory: true}},
			},
			plugin: "search",
			want:   Options{Client: ClientSQLite, Memory: true, Prefix: DefaultPrefix, DivisionMode: DivisionDatabase, EnsureExists: true},
		},
		{
			name: "override directory leaves memory",
			opts: Options{
				Memory:    true,
				PerPlugin: map[string]Options{"search": {Directory: "/d"}},
			},
			plugin: "search",
			want:   Options{Client: ClientSQLite, Directory: "/d", Prefix: DefaultPrefix, DivisionMode: DivisionDatabase},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, perPlugin := tt.opts.forPlugin(tt.plugin)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("forPlugin(%q)\n got %+v\nwant %+v", tt.plugin, got, tt.want)
			}
			if perPlugin != tt.wantPerPlugin {
				t.Errorf("perPluginConn = %v, want %v", perPlugin, tt.wantPerPlugin)
			}
		})
	}
}

func TestNewManagerRejects(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "unknown client", opts: Options{Client: "mysql2"}, wantErr: "unsupported database client"},
		{name: "unknown division", opts: Options{DivisionMode: "table"}, wantErr: "division mode"},
		{name: "memory and filename", opts: Options{Memory: true, Filename: "x.sqlite"}, wantErr: "mutually exclusive"},
		{name: "negative pool", opts: Options{MaxOpenConns: -1}, wantErr: "negative"},
		{name: "bad plugin id in overrides", opts: Options{PerPlugin: map[string]Options{"../x": {}}}, wantErr: "plugin id"},
		{name: "bad override", opts: Options{PerPlugin: map[string]Options{"x": {Client: "oracle"}}}, wantErr: "plugin x"},
		{name: "accepted: override memory replaces base filename", opts: Options{Filename: "a.sqlite", PerPlugin: map[string]Options{"x": {Memory: true}}}, wantErr: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewManager(tt.opts, nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewManager: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewManager error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidPluginID(t *testing.T) {
	for _, id := range []string{"catalog", "search-backend", "a_b.c", "9lives"} {
		if err := validPluginID(id); err != nil {
			t.Errorf("validPluginID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range []string{"", "-x", "a/b", "a b", `a"b`, "..", "é"} {
		if err := validPluginID(id); err == nil {
			t.Errorf("validPluginID(%q) = nil, want error", id)
		}
	}
}
