// Package authtest runs real identity providers on loopback for the auth plugin's tests and the
// browser tests: a certified OpenID provider (zitadel's op with its in-memory storage) and a
// server speaking GitHub's OAuth and REST wire format.
package authtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/auth/store"
	"github.com/portico-dev/portico/plugins/auth/store/migrations"
)

// User is a person the test providers know.
type User struct {
	ID, Username, Password, Email, FirstName, LastName string
}

// OP is a running OpenID provider.
type OP struct {
	// Issuer is its URL; the metadata is at Issuer + "/.well-known/openid-configuration".
	Issuer string
	store  *opStorage
}

// StartOP runs an OpenID provider knowing users until the test ends.
func StartOP(t testing.TB, users ...User) *OP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	us := userStore{}
	for _, u := range users {
		us[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, Email: u.Email, EmailVerified: true, FirstName: u.FirstName, LastName: u.LastName, PreferredLanguage: language.English}
	}
	st := &opStorage{Storage: storage.NewStorageWithClients(us, map[string]*storage.Client{}), clients: map[string]*storage.Client{}}
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, st, nil, false))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &OP{Issuer: issuer, store: st}
}

// MetadataURL is the OpenID discovery document's URL.
func (o *OP) MetadataURL() string { return o.Issuer + "/.well-known/openid-configuration" }

// AddClient registers a confidential web client (client_secret_basic, code flow with refresh
// tokens) allowed to redirect to redirectURIs.
func (o *OP) AddClient(id, secret string, redirectURIs ...string) {
	o.store.mu.Lock()
	defer o.store.mu.Unlock()
	o.store.clients[id] = storage.WebClient(id, secret, redirectURIs...)
}

// opStorage is the example in-memory storage with clients registered after start (the portal's
// redirect URI is known only once it listens).
type opStorage struct {
	*storage.Storage
	mu      sync.Mutex
	clients map[string]*storage.Client
}

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, fmt.Errorf("client not found")
	}
	return c, nil
}

func (s *opStorage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	s.mu.Lock()
	c, ok := s.clients[id]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("client not found")
	}
	// The secret lives in an unexported field: compare through a throw-away client check.
	if !sameSecret(c, id, secret) {
		return fmt.Errorf("invalid secret")
	}
	return nil
}

// sameSecret asks the example storage's own check, on a storage holding just this client.
func sameSecret(c *storage.Client, id, secret string) bool {
	s := storage.NewStorageWithClients(userStore{}, map[string]*storage.Client{id: c})
	return s.AuthorizeClientIDSecret(context.Background(), id, secret) == nil
}

type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }
func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u userStore) ExampleClientID() string { return "service" }

// GitHub is a loopback server speaking GitHub's OAuth (authorize, access_token) and REST
// (/api/v3/user, /api/v3/user/emails) wire format, as GitHub Enterprise serves them.
type GitHub struct {
	URL string

	mu     sync.Mutex
	codes  map[string]User // code -> user, single use
	tokens map[string]User // access token -> user
	// Login is who the authorize endpoint signs in (the test sets it).
	Login User
	// Calls counts requests per path, for assertions.
	Calls map[string]int
}

// StartGitHub runs the server until the test ends.
func StartGitHub(t testing.TB, clientID, clientSecret string) *GitHub {
	t.Helper()
	g := &GitHub{codes: map[string]User{}, tokens: map[string]User{}, Calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		g.count(r)
		q := r.URL.Query()
		if q.Get("client_id") != clientID {
			http.Error(w, "unknown client", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		code := fmt.Sprintf("code-%d", len(g.codes)+1)
		g.codes[code] = g.Login
		g.mu.Unlock()
		sep := "?"
		if strings.Contains(q.Get("redirect_uri"), "?") {
			sep = "&"
		}
		http.Redirect(w, r, q.Get("redirect_uri")+sep+"code="+code+"&state="+q.Get("state"), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		g.count(r)
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("client_id") != clientID || r.PostForm.Get("client_secret") != clientSecret {
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "incorrect_client_credentials"})
			return
		}
		g.mu.Lock()
		u, ok := g.codes[r.PostForm.Get("code")]
		delete(g.codes, r.PostForm.Get("code"))
		tok := fmt.Sprintf("gho_%d", len(g.tokens)+1)
		if ok {
			g.tokens[tok] = u
		}
		g.mu.Unlock()
		if !ok {
			// GitHub answers a bad code with 200 and an error body.
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": tok, "token_type": "bearer", "scope": "read:user"})
	})
	user := func(r *http.Request) (User, bool) {
		g.mu.Lock()
		defer g.mu.Unlock()
		u, ok := g.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		return u, ok
	}
	mux.HandleFunc("GET /api/v3/user", func(w http.ResponseWriter, r *http.Request) {
		g.count(r)
		u, ok := user(r)
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Bad credentials"}`))
			return
		}
		// The public email is hidden, as it often is: the client must ask /user/emails.
		_ = json.NewEncoder(w).Encode(map[string]any{"login": u.Username, "id": 1, "name": u.FirstName + " " + u.LastName, "email": nil, "avatar_url": "https://avatars.example/u/1"})
	})
	mux.HandleFunc("GET /api/v3/user/emails", func(w http.ResponseWriter, r *http.Request) {
		g.count(r)
		u, ok := user(r)
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode([]map[string]any{
			{"email": "old@example.com", "primary": false, "verified": true},
			{"email": u.Email, "primary": true, "verified": true, "visibility": "private"},
		})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

func (g *GitHub) count(r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Calls[r.URL.Path]++
}

// SetLogin chooses who the next authorization signs in.
func (g *GitHub) SetLogin(u User) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Login = u
}

// NewStore returns the auth plugin's store over db, with its tables created.
func NewStore(t testing.TB, db *database.DB) *store.Store {
	t.Helper()
	if err := db.Migrate(t.Context(), migrations.FS); err != nil {
		t.Fatal(err)
	}
	return store.New(db)
}
