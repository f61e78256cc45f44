package database

import "testing"

func TestParseClient(t *testing.T) {
	tests := []struct {
		in      string
		want    Client
		wantErr bool
	}{
		{in: "better-sqlite3", want: ClientSQLite},
		{in: "sqlite3", want: ClientSQLite},
		{in: "sqlite", want: ClientSQLite},
		{in: " SQLite3 ", want: ClientSQLite},
		{in: "pg", want: ClientPostgres},
		{in: "postgres", want: ClientPostgres},
		{in: "PostgreSQL", want: ClientPostgres},
		{in: "mysql2", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClient(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseClient(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseClient(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
