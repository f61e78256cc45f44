package auth_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// TestStolenDatabaseCannotSignServiceTokens performs issue 12's attack: whoever reads the auth
// plugin's database (here every row of every table, and on SQLite the raw files) looks for a
// private key to mint {typ: vnd.backstage.plugin, sub: auth, aud: catalog}. There must be none.
func TestStolenDatabaseCannotSignServiceTokens(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		ctx := t.Context()
		db := databasetest.OpenWith(t, opts, auth.AuthPluginID)
		w := newWorld(t, db, auth.Config{})
		authSvc, catalog := w.plugin(auth.AuthPluginID), w.plugin("catalog")
		accepted(t, catalog, pluginToken(t, authSvc, authSvc.GetOwnServiceCredentials(), "catalog")) // a genuine token
		set, err := authSvc.Keys().PublicKeys(ctx)
		if err != nil || len(set.Keys) == 0 {
			t.Fatalf("published keys: %v, %v", set.Keys, err)
		}

		stolen := privateKeysIn(t, dumpTables(t, db))
		for _, key := range stolen {
			for _, pub := range set.Keys {
				forged := mintPluginToken(t, key, pub.KeyID, w.clock.Now())
				if _, err := catalog.Authenticate(ctx, forged); err == nil {
					t.Errorf("a token signed with a key read from the database is accepted (kid %s)", pub.KeyID)
				}
			}
		}
		if len(stolen) > 0 {
			t.Errorf("the database holds %d private key(s)", len(stolen))
		}
		if opts.Directory != "" {
			files, _ := filepath.Glob(filepath.Join(opts.Directory, "*"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, needle := range []string{"PRIVATE KEY", `"d":"`} {
					if bytes.Contains(b, []byte(needle)) {
						t.Errorf("%s contains %q", filepath.Base(f), needle)
					}
				}
			}
		}
	})
}

// TestKeyStoreMigrationDropsStoredPrivateKeys: a database written by the previous version, with
// a private key stored beside its public key, loses the private key on upgrade while tokens the
// old key signed keep verifying (through the public key) until they expire.
func TestKeyStoreMigrationDropsStoredPrivateKeys(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := t.Context()
		w := newWorld(t, db, auth.Config{})
		authDB := pluginDB(db, auth.AuthPluginID)
		old, err := os.ReadFile(filepath.Join("migrations", database.CommonDir, "0001_plugin_keys.sql"))
		if err != nil {
			t.Fatal(err)
		}
		v1 := fstest.MapFS{database.CommonDir + "/0001_plugin_keys.sql": {Data: old}}
		if err := authDB.MigrateNamespace(ctx, "auth-keys", v1); err != nil {
			t.Fatal(err)
		}
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := json.Marshal(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: "old-kid", Algorithm: "ES256", Use: "sig"})
		der, _ := x509.MarshalPKCS8PrivateKey(priv)
		privPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		now := w.clock.Now()
		if _, err := db.ExecContext(ctx, db.Dialect.Rebind(
			`INSERT INTO portico_plugin_keys (plugin_id, kid, public_jwk, private_key, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`),
			auth.AuthPluginID, "old-kid", string(pub), string(privPEM), database.NewNullTime(now), database.NewNullTime(now.Add(2*time.Hour))); err != nil {
			t.Fatal(err)
		}
		oldToken := mintPluginToken(t, priv, "old-kid", now)

		// The upgrade: the key store migrates the table when the plugins start.
		catalog := w.plugin("catalog")
		authSvc := w.plugin(auth.AuthPluginID)
		if n := len(privateKeysIn(t, dumpTables(t, db))); n != 0 {
			t.Fatalf("%d private key(s) left in the database after the upgrade", n)
		}
		creds, err := catalog.Authenticate(ctx, oldToken)
		if sp, _ := creds.Service(); err != nil || sp.Subject != "plugin:auth" {
			t.Fatalf("token signed before the upgrade: %+v, %v; want it to verify until it expires", creds, err)
		}
		// New tokens come from a new key held in memory (made after catalog cached the key
		// set: let its refetch cooldown pass).
		w.clock.Advance(auth.DefaultJWKSCooldown)
		accepted(t, catalog, pluginToken(t, authSvc, authSvc.GetOwnServiceCredentials(), "catalog"))
		// Once the old key's tokens have expired, its public key goes too.
		w.clock.Advance(2 * time.Hour)
		set, _ := authSvc.Keys().PublicKeys(ctx)
		for _, k := range set.Keys {
			if k.KeyID == "old-kid" {
				t.Errorf("the migrated key is still published after it expired")
			}
		}
	})
}

// TestKeyStoreRestart: a restarted process signs with a new key, and tokens its previous
// incarnation signed still verify through the public key it left in the database.
func TestKeyStoreRestart(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := t.Context()
		w := newWorld(t, db, auth.Config{})
		catalog := w.plugin("catalog")
		before, err := auth.NewKeyStore(ctx, pluginDB(db, "scaffolder"), auth.KeyStoreOptions{Now: w.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := w.root.ForPlugin("scaffolder", before).GetPluginRequestToken(ctx, auth.Credentials{Principal: auth.ServicePrincipal{Subject: "plugin:scaffolder"}}, "catalog")
		if err != nil {
			t.Fatal(err)
		}
		// The restart: the process (and the private key it held) is gone; a new one starts.
		after := w.plugin("scaffolder")
		k1, _, _ := before.SigningKey(ctx)
		k2, _, err := after.Keys().SigningKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if k1.KeyID == k2.KeyID {
			t.Fatalf("the restarted process signs with the old key %s: it was read back from the database", k1.KeyID)
		}
		if _, err := catalog.Authenticate(ctx, tok); err != nil {
			t.Fatalf("token signed before the restart: %v", err)
		}
	})
}

// dumpTables returns every value of every table of db as text: what a reader of the database
// (or of its file) gets.
func dumpTables(t *testing.T, db *database.DB) []string {
	t.Helper()
	ctx := t.Context()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Dialect.IsPostgres() {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	var out []string
	for _, table := range databasetest.Column[string](t, db, q) {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				out = append(out, fmt.Sprint(v))
			}
		}
		rows.Close()
	}
	return out
}

// privateKeysIn returns the private keys found in values, as PEM blocks or private JWKs.
func privateKeysIn(t *testing.T, values []string) []any {
	t.Helper()
	var keys []any
	for _, v := range values {
		rest := []byte(v)
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
				keys = append(keys, k)
			} else if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
				keys = append(keys, k)
			}
		}
		var jwk jose.JSONWebKey
		if strings.HasPrefix(strings.TrimSpace(v), "{") && json.Unmarshal([]byte(v), &jwk) == nil && jwk.Valid() && !jwk.IsPublic() {
			keys = append(keys, jwk.Key)
		}
	}
	return keys
}

// mintPluginToken signs {typ: vnd.backstage.plugin, sub: auth, aud: catalog} with key.
func mintPluginToken(t *testing.T, key any, kid string, now time.Time) string {
	t.Helper()
	tok, err := trySignJWT(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, auth.TypePlugin, map[string]any{
		"sub": auth.AuthPluginID, "aud": "catalog", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	if errors.Is(err, jose.ErrUnsupportedKeyType) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestPublicKeysPruneIsThrottled: the JWKS route is open to anyone; listing keys deletes
// expired ones at most once a minute, so a flood of anonymous requests costs no writes.
func TestPublicKeysPruneIsThrottled(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		ctx := t.Context()
		w := newWorld(t, db, auth.Config{})
		ks := w.plugin("catalog").Keys()
		expired := func(kid string) {
			now := w.clock.Now()
			if _, err := db.ExecContext(ctx, db.Dialect.Rebind(
				`INSERT INTO portico_plugin_public_keys (plugin_id, kid, public_jwk, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
				"catalog", kid, `{}`, database.NewNullTime(now.Add(-2*time.Hour)), database.NewNullTime(now.Add(-time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
		rows := func() int {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM portico_plugin_public_keys`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		steps := []struct {
			name     string
			advance  time.Duration
			insert   string
			wantRows int
		}{
			{"first listing prunes", 0, "a", 0},
			{"within a minute: listed out, not deleted", 30 * time.Second, "b", 1},
			{"a minute later: pruned", 30 * time.Second, "", 0},
		}
		for _, s := range steps {
			w.clock.Advance(s.advance)
			if s.insert != "" {
				expired(s.insert)
			}
			set, err := ks.PublicKeys(ctx)
			if err != nil || len(set.Keys) != 0 {
				t.Fatalf("%s: listed %v, %v; want no key", s.name, kids(set), err)
			}
			if n := rows(); n != s.wantRows {
				t.Fatalf("%s: %d rows, want %d", s.name, n, s.wantRows)
			}
		}
	})
}
