// Package resolvers maps what a sign-in provider says about a person (email, username) to a
// User entity in the catalog and the ownership refs of the identity token, as Backstage's
// sign-in resolvers do. Resolvers are tried in the configured order; one that finds no user
// passes to the next, any other failure stops sign-in.
package resolvers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ErrNotFound means a resolver found no matching user; the next resolver is tried.
var ErrNotFound = errors.New("user not found in the catalog")

// ErrRefused means sign-in is refused (no resolver matched, a domain is not allowed, the
// match is ambiguous). Its message is shown to the person signing in.
var ErrRefused = errors.New("sign-in refused")

// Catalog is what resolvers read; FromClient adapts the catalog's client.
type Catalog interface {
	// EntityByRef returns the entity, or nil and no error when there is none.
	EntityByRef(ctx context.Context, ref string) (*Entity, error)
	// QueryEntities returns the entities matching a Backstage filter ("kind=user,a.b=c").
	QueryEntities(ctx context.Context, filter string) ([]*Entity, error)
}

// Entity is what resolvers need of a catalog entity: its canonical ref and the targets of its
// memberOf and childOf relations.
type Entity struct {
	Ref      string
	MemberOf []string
	ChildOf  []string
}

// Profile is what the provider told about the person.
type Profile struct {
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	Picture     string `json:"picture,omitempty"`
}

// Info is the input of a resolver.
type Info struct {
	// ProviderID is the provider's config key ("github", "oidc", "google").
	ProviderID string
	Profile    Profile
	// Username is the provider's login name (GitHub login, GitLab username, the proxy's
	// forwarded user), when it has one.
	Username string
}

// Identity is a resolved sign-in.
type Identity struct {
	UserEntityRef       string
	OwnershipEntityRefs []string
}

// Config is one entry of signIn.resolvers.
type Config struct {
	Resolver string
	// AllowedDomains limits emailLocalPartMatchingUserEntityName to these email domains.
	AllowedDomains []string
	// DangerouslyAllowSignInWithoutUserInCatalog signs in as user:default/<name> when the
	// catalog has no such user.
	DangerouslyAllowSignInWithoutUserInCatalog bool
	// Options is the whole config entry, for resolvers a module adds (nil for the built-ins'
	// tests).
	Options map[string]any
}

// Names of the built-in resolvers.
const (
	EmailMatchingUserEntityProfileEmail        = "emailMatchingUserEntityProfileEmail"
	EmailLocalPartMatchingUserEntityName       = "emailLocalPartMatchingUserEntityName"
	EmailMatchingUserEntityAnnotation          = "emailMatchingUserEntityAnnotation"
	UsernameMatchingUserEntityName             = "usernameMatchingUserEntityName"
	ForwardedUserMatchingUserEntityName        = "forwardedUserMatchingUserEntityName"
	DangerouslyAllowSignInWithoutUserInCatalog = "dangerouslyAllowSignInWithoutUserInCatalog"
	SignInWithoutCatalogUser                   = "signInWithoutCatalogUser"
)

// Known lists every resolver name Resolve accepts.
var Known = []string{
	EmailMatchingUserEntityProfileEmail, EmailLocalPartMatchingUserEntityName,
	EmailMatchingUserEntityAnnotation, UsernameMatchingUserEntityName,
	ForwardedUserMatchingUserEntityName, DangerouslyAllowSignInWithoutUserInCatalog,
	SignInWithoutCatalogUser,
}

// Resolver runs a list of resolver configs against the catalog.
type Resolver struct {
	Catalog Catalog
	// TransitiveGroups adds the parents of the user's groups (childOf, transitively) to the
	// ownership refs.
	TransitiveGroups bool
	// Custom holds the resolvers modules added (nil: the built-ins only).
	Custom *Registry
}

// Resolve tries each config in order and returns the first identity found.
func (r Resolver) Resolve(ctx context.Context, configs []Config, info Info) (Identity, error) {
	if len(configs) == 0 {
		return Identity{}, fmt.Errorf("%w: the %s provider has no sign-in resolver configured", ErrRefused, info.ProviderID)
	}
	var tried []string
	for _, c := range configs {
		id, err := r.resolveOne(ctx, c, info)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Identity{}, err
		}
		tried = append(tried, c.Resolver)
	}
	var who []string
	if info.Profile.Email != "" {
		who = append(who, fmt.Sprintf("email %q", info.Profile.Email))
	}
	if info.Username != "" {
		who = append(who, fmt.Sprintf("username %q", info.Username))
	}
	return Identity{}, fmt.Errorf("%w: no user in the catalog matches the %s identity with %s (tried %s)", ErrRefused, info.ProviderID, strings.Join(who, " and "), strings.Join(tried, ", "))
}

func (r Resolver) resolveOne(ctx context.Context, c Config, info Info) (Identity, error) {
	email := strings.TrimSpace(info.Profile.Email)
	switch c.Resolver {
	case EmailMatchingUserEntityProfileEmail:
		if email == "" {
			return Identity{}, fmt.Errorf("%w: the %s profile has no email", ErrNotFound, info.ProviderID)
		}
		id, err := r.findOne(ctx, "spec.profile.email="+email)
		if errors.Is(err, ErrNotFound) {
			if stripped := stripPlus(email); stripped != email {
				id, err = r.findOne(ctx, "spec.profile.email="+stripped)
			}
		}
		return r.orWithout(ctx, c, localPart(email), id, err)
	case EmailLocalPartMatchingUserEntityName:
		if email == "" {
			return Identity{}, fmt.Errorf("%w: the %s profile has no email", ErrNotFound, info.ProviderID)
		}
		local, domain, _ := strings.Cut(email, "@")
		if len(c.AllowedDomains) > 0 && !slices.ContainsFunc(c.AllowedDomains, func(d string) bool { return strings.EqualFold(d, domain) }) {
			return Identity{}, fmt.Errorf("%w: the email domain %q is not allowed", ErrRefused, domain)
		}
		id, err := r.byName(ctx, local)
		return r.orWithout(ctx, c, local, id, err)
	case EmailMatchingUserEntityAnnotation:
		if email == "" {
			return Identity{}, fmt.Errorf("%w: the %s profile has no email", ErrNotFound, info.ProviderID)
		}
		id, err := r.findOne(ctx, "metadata.annotations."+annotationFor(info.ProviderID)+"="+email)
		return r.orWithout(ctx, c, localPart(email), id, err)
	case UsernameMatchingUserEntityName, ForwardedUserMatchingUserEntityName:
		if info.Username == "" {
			return Identity{}, fmt.Errorf("%w: the %s profile has no username", ErrNotFound, info.ProviderID)
		}
		id, err := r.byName(ctx, info.Username)
		return r.orWithout(ctx, c, info.Username, id, err)
	case DangerouslyAllowSignInWithoutUserInCatalog, SignInWithoutCatalogUser:
		name := info.Username
		if name == "" {
			name = localPart(email)
		}
		if name == "" {
			return Identity{}, fmt.Errorf("%w: the %s profile has neither username nor email", ErrRefused, info.ProviderID)
		}
		id, err := r.byName(ctx, name)
		c.DangerouslyAllowSignInWithoutUserInCatalog = true
		return r.orWithout(ctx, c, name, id, err)
	default:
		if f, ok := r.Custom.Lookup(c.Resolver); ok {
			return f(ctx, info, c, r)
		}
		return Identity{}, fmt.Errorf("%w: unknown sign-in resolver %q", ErrRefused, c.Resolver)
	}
}

// annotationFor is the annotation emailMatchingUserEntityAnnotation reads: <provider>.com/email
// (google.com/email, microsoft.com/email, okta.com/email…).
func annotationFor(providerID string) string {
	return strings.TrimSuffix(providerID, ".com") + ".com/email"
}

func localPart(email string) string {
	l, _, _ := strings.Cut(email, "@")
	return l
}

// stripPlus removes plus-addressing: joe+x@a.com → joe@a.com.
func stripPlus(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return email
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		return local[:i] + "@" + domain
	}
	return email
}

// orWithout turns "not found" into an identity without a catalog user when the config allows it.
func (r Resolver) orWithout(_ context.Context, c Config, name string, id Identity, err error) (Identity, error) {
	if err == nil || !errors.Is(err, ErrNotFound) || !c.DangerouslyAllowSignInWithoutUserInCatalog {
		return id, err
	}
	ref, ok := userRef(name)
	if !ok {
		return Identity{}, fmt.Errorf("%w: %q is not a valid user name", ErrRefused, name)
	}
	return Identity{UserEntityRef: ref, OwnershipEntityRefs: []string{ref}}, nil
}

func (r Resolver) byName(ctx context.Context, name string) (Identity, error) {
	ref, ok := userRef(name)
	if !ok {
		return Identity{}, fmt.Errorf("%w: %q is not a user name", ErrNotFound, name)
	}
	e, err := r.Catalog.EntityByRef(ctx, ref)
	if err != nil {
		return Identity{}, fmt.Errorf("sign-in: catalog lookup of %s: %w", ref, err)
	}
	if e == nil {
		return Identity{}, fmt.Errorf("%w: %s", ErrNotFound, ref)
	}
	return r.identityOf(ctx, e)
}

func (r Resolver) findOne(ctx context.Context, filter string) (Identity, error) {
	es, err := r.Catalog.QueryEntities(ctx, "kind=user,"+filter)
	if err != nil {
		return Identity{}, fmt.Errorf("sign-in: catalog query %s: %w", filter, err)
	}
	switch len(es) {
	case 0:
		return Identity{}, fmt.Errorf("%w: %s", ErrNotFound, filter)
	case 1:
		return r.identityOf(ctx, es[0])
	default:
		return Identity{}, fmt.Errorf("%w: %d users in the catalog match %s", ErrRefused, len(es), filter)
	}
}

// identityOf builds the identity of a User entity: its ref plus the groups it is a member of,
// and their ancestors when TransitiveGroups is set.
func (r Resolver) identityOf(ctx context.Context, e *Entity) (Identity, error) {
	ent := []string{e.Ref}
	seen := map[string]bool{e.Ref: true}
	var queue []string
	for _, g := range e.MemberOf {
		if !seen[g] {
			seen[g] = true
			ent = append(ent, g)
			queue = append(queue, g)
		}
	}
	for r.TransitiveGroups && len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		ge, err := r.Catalog.EntityByRef(ctx, g)
		if err != nil {
			return Identity{}, fmt.Errorf("sign-in: catalog lookup of %s: %w", g, err)
		}
		if ge == nil {
			continue
		}
		for _, parent := range ge.ChildOf {
			if !seen[parent] {
				seen[parent] = true
				ent = append(ent, parent)
				queue = append(queue, parent)
			}
		}
	}
	return Identity{UserEntityRef: e.Ref, OwnershipEntityRefs: ent}, nil
}

// entityName is Backstage's rule for metadata.name and namespaces.
var entityName = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$`)

// userRef turns a name ("jane", "dev/jane", "user:dev/jane") into the canonical, lower-case
// user ref, the form the catalog writes refs in.
func userRef(s string) (string, bool) {
	kind, rest, hasKind := strings.Cut(s, ":")
	if !hasKind {
		kind, rest = "user", s
	}
	ns, name, hasNS := strings.Cut(rest, "/")
	if !hasNS {
		ns, name = "default", rest
	}
	if !strings.EqualFold(kind, "user") || !entityName.MatchString(ns) || !entityName.MatchString(name) {
		return "", false
	}
	return strings.ToLower("user:" + ns + "/" + name), true
}
