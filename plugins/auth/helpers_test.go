package auth_test

import (
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/auth/store"
	"github.com/portico-dev/portico/plugins/auth/store/migrations"
)

func newStore(t *testing.T, db *database.DB) *store.Store {
	t.Helper()
	if err := db.Migrate(t.Context(), migrations.FS); err != nil {
		t.Fatal(err)
	}
	return store.New(db)
}
