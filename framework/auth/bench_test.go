package auth_test

import (
	"testing"

	"github.com/portico-dev/portico/framework/database/databasetest"
)

// BenchmarkAuthenticate measures verifying one token of each kind with warm key caches.
func BenchmarkAuthenticate(b *testing.B) {
	db := databasetest.OpenSQLite(b, "bench")
	w := newWorld(b, db, guardConfig(false))
	catalog, scaffolder := w.plugin("catalog"), w.plugin("scaffolder")
	svcTok, err := catalog.GetPluginRequestToken(b.Context(), catalog.GetOwnServiceCredentials(), "scaffolder")
	if err != nil {
		b.Fatal(err)
	}
	userTok := w.user.token(b, userTokenOpts{now: w.clock.Now()})
	for _, tc := range []struct{ name, token string }{
		{"static", "static-token-123"},
		{"service", svcTok},
		{"user", userTok},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if _, err := scaffolder.Authenticate(b.Context(), tc.token); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := scaffolder.Authenticate(b.Context(), tc.token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
