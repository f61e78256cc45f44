package databasetest

import "testing"

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		name, base, want string
	}{
		{name: "url", base: "postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable", want: "postgres://u:p@127.0.0.1:5432/other?sslmode=disable"},
		{name: "url without database", base: "postgresql://127.0.0.1", want: "postgresql://127.0.0.1/other"},
		{name: "key value", base: "host=127.0.0.1 dbname=postgres", want: "host=127.0.0.1 dbname=postgres dbname=other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := withDatabase(t, tt.base, "other"); got != tt.want {
				t.Errorf("withDatabase(%q) = %q, want %q", tt.base, got, tt.want)
			}
		})
	}
}
