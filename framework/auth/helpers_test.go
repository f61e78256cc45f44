package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/internal/fakeclock"
)

// discovery maps every plugin to <base>/api/<id>, as the framework's HostDiscovery does.
type discovery struct{ base string }

func (d discovery) BaseURL(id string) string         { return d.base + "/api/" + id }
func (d discovery) ExternalBaseURL(id string) string { return d.base + "/api/" + id }

// userIssuer plays the auth plugin: it signs user tokens with its own ES256 key and serves the
// public key at /api/auth/.well-known/jwks.json.
type userIssuer struct {
	key *ecdsa.PrivateKey
	kid string
}

func newUserIssuer(t testing.TB) *userIssuer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &userIssuer{key: k, kid: "user-key-1"}
}

func (u *userIssuer) jwks() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &u.key.PublicKey, KeyID: u.kid, Algorithm: "ES256", Use: "sig"}}}
}

type userTokenOpts struct {
	typ     string
	aud     string
	kid     string
	exp     time.Time
	now     time.Time
	sub     string
	ent     []string
	signKey any
	alg     jose.SignatureAlgorithm
}

func (u *userIssuer) token(t testing.TB, o userTokenOpts) string {
	t.Helper()
	if o.typ == "" {
		o.typ = auth.TypeUser
	}
	if o.aud == "" {
		o.aud = auth.UserAudience
	}
	if o.kid == "" {
		o.kid = u.kid
	}
	if o.sub == "" {
		o.sub = "user:default/jane"
	}
	if o.signKey == nil {
		o.signKey = u.key
	}
	if o.alg == "" {
		o.alg = jose.ES256
	}
	if o.exp.IsZero() {
		o.exp = o.now.Add(time.Hour)
	}
	typ := o.typ
	if typ == "-" { // "-": no typ header
		typ = ""
	}
	return signJWT(t, jose.SigningKey{Algorithm: o.alg, Key: jose.JSONWebKey{Key: o.signKey, KeyID: o.kid}}, typ, map[string]any{
		"iss": "http://portal.test/api/auth", "sub": o.sub, "aud": o.aud,
		"iat": o.now.Unix(), "exp": o.exp.Unix(), "ent": o.ent,
	})
}

// signJWT serializes claims as a JWT signed with key, with header typ unless typ is "".
func signJWT(t testing.TB, key jose.SigningKey, typ string, claims any) string {
	t.Helper()
	s, err := trySignJWT(key, typ, claims)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func trySignJWT(key jose.SigningKey, typ string, claims any) (string, error) {
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(key, opts)
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// world is a loopback "backend": an httptest server routing /api/<id>/.backstage/auth/v1/jwks.json
// to each plugin's service and /api/auth/.well-known/jwks.json to the user issuer.
type world struct {
	t       testing.TB
	clock   *fakeclock.Clock
	server  *httptest.Server
	root    *auth.Root
	user    *userIssuer
	db      *database.DB
	extJWKS *extIssuer

	mu       sync.Mutex
	services map[string]*auth.PluginService
	fetches  map[string]int
	// userJWKS, when set, serves the user key set instead of the user issuer.
	userJWKS http.Handler
}

func newWorld(t testing.TB, db *database.DB, cfg auth.Config) *world {
	t.Helper()
	w := &world{t: t, clock: fakeclock.New(time.Now().UTC().Truncate(time.Second)), user: newUserIssuer(t), db: db,
		services: map[string]*auth.PluginService{}, fetches: map[string]int{}, extJWKS: newExtIssuer(t)}
	w.server = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.server.Close)
	for i := range cfg.ExternalAccess {
		if cfg.ExternalAccess[i].Type == "jwks" && cfg.ExternalAccess[i].URL == "" {
			cfg.ExternalAccess[i].URL = w.server.URL + "/external/jwks.json"
		}
	}
	w.root = auth.NewRoot(auth.RootOptions{Config: cfg, Discovery: discovery{w.server.URL}, Now: w.clock.Now})
	return w
}

func (w *world) serve(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	w.fetches[r.URL.Path]++
	w.mu.Unlock()
	switch {
	case r.URL.Path == "/api/auth"+auth.UserJWKSPath:
		w.mu.Lock()
		h := w.userJWKS
		w.mu.Unlock()
		if h != nil {
			h.ServeHTTP(rw, r)
			return
		}
		_ = json.NewEncoder(rw).Encode(w.user.jwks())
		return
	case r.URL.Path == "/external/jwks.json":
		_ = json.NewEncoder(rw).Encode(w.extJWKS.jwks())
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/")
	id, path, _ := strings.Cut(rest, "/")
	w.mu.Lock()
	svc := w.services[id]
	w.mu.Unlock()
	if !ok || svc == nil || "/"+path != auth.PluginJWKSPath {
		http.NotFound(rw, r)
		return
	}
	svc.JWKSHandler().ServeHTTP(rw, r)
}

func (w *world) fetchCount(path string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fetches[path]
}

// plugin returns the auth service of id, keys in the world's database.
// serviceToken is a token plugin id issues in its own name for target.
func (w *world) serviceToken(t testing.TB, id, target string) string {
	t.Helper()
	s := w.plugin(id)
	return pluginToken(t, s, s.GetOwnServiceCredentials(), target)
}

// pluginToken is a token s issues for target on behalf of creds.
func pluginToken(t testing.TB, s *auth.PluginService, creds auth.Credentials, target string) string {
	t.Helper()
	tok, err := s.GetPluginRequestToken(t.Context(), creds, target)
	if err != nil {
		t.Fatalf("token for %s: %v", target, err)
	}
	return tok
}

// accepted returns the credentials s reads from tok, failing the test when s refuses it.
func accepted(t testing.TB, s *auth.PluginService, tok string) auth.Credentials {
	t.Helper()
	creds, err := s.Authenticate(t.Context(), tok)
	if err != nil {
		t.Fatalf("token refused: %v", err)
	}
	return creds
}

func (w *world) plugin(id string) *auth.PluginService {
	w.t.Helper()
	w.mu.Lock()
	svc := w.services[id]
	w.mu.Unlock()
	if svc != nil {
		return svc
	}
	ks, err := auth.NewKeyStore(w.t.Context(), pluginDB(w.db, id), auth.KeyStoreOptions{Now: w.clock.Now})
	if err != nil {
		w.t.Fatal(err)
	}
	svc = w.root.ForPlugin(id, ks)
	w.mu.Lock()
	w.services[id] = svc
	w.mu.Unlock()
	return svc
}

// pluginDB returns db as seen by plugin id: the key table keeps each plugin's rows apart, so
// tests can put several plugins in one database.
func pluginDB(db *database.DB, id string) *database.DB {
	c := *db
	c.PluginID = id
	return &c
}

// extIssuer is an external identity provider with an RS256 key.
type extIssuer struct {
	key *rsa.PrivateKey
}

func newExtIssuer(t testing.TB) *extIssuer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &extIssuer{key: k}
}

func (e *extIssuer) jwks() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &e.key.PublicKey, KeyID: "ext-1", Algorithm: "RS256", Use: "sig"}}}
}

func (e *extIssuer) token(t testing.TB, claims map[string]any) string {
	t.Helper()
	return signJWT(t, jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: e.key, KeyID: "ext-1"}}, "", claims)
}

// hs256 signs claims with an HMAC secret (legacy tokens, and forgeries).
func hs256(t testing.TB, secret []byte, typ string, claims map[string]any) string {
	t.Helper()
	return signJWT(t, jose.SigningKey{Algorithm: jose.HS256, Key: secret}, typ, claims)
}

// algNone builds an unsigned token with the given header typ.
func algNone(typ string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "none", "typ": typ, "kid": "x"})
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + "."
}

// forEachDB runs body on SQLite and PostgreSQL.
func forEachDB(t *testing.T, body func(t *testing.T, db *database.DB)) {
	databasetest.ForEachDialect(t, body)
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func encodeSegment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
