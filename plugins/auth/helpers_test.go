package auth_test

import (
	"io/fs"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/auth/store"
	"github.com/portico-dev/portico/plugins/auth/store/migrations"
)

func newStore(t *testing.T, db *database.DB) *store.Store {
	t.Helper()
	sub, err := fs.Sub(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(t.Context(), sub); err != nil {
		t.Fatal(err)
	}
	return store.New(db)
}
