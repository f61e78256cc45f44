package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/plugins/catalog/api"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/ui"
)

// EntityResourceType is the resource type of catalog entities; resource refs are entity refs.
const EntityResourceType = "catalog-entity"

// The catalog's permissions, as Backstage's catalog-common defines them.
var (
	PermEntityRead       = permissions.Resource("catalog.entity.read", permissions.ActionRead, EntityResourceType)
	PermEntityCreate     = permissions.Basic("catalog.entity.create", permissions.ActionCreate)
	PermEntityRefresh    = permissions.Resource("catalog.entity.refresh", permissions.ActionUpdate, EntityResourceType)
	PermEntityDelete     = permissions.Resource("catalog.entity.delete", permissions.ActionDelete, EntityResourceType)
	PermEntityValidate   = permissions.Basic("catalog.entity.validate", "")
	PermLocationRead     = permissions.Basic("catalog.location.read", permissions.ActionRead)
	PermLocationCreate   = permissions.Basic("catalog.location.create", permissions.ActionCreate)
	PermLocationDelete   = permissions.Basic("catalog.location.delete", permissions.ActionDelete)
	PermLocationAnalyze  = permissions.Basic("catalog.location.analyze", "")
	catalogPermissionSet = []permissions.Permission{
		PermEntityRead, PermEntityCreate, PermEntityRefresh, PermEntityDelete, PermEntityValidate,
		PermLocationRead, PermLocationCreate, PermLocationDelete, PermLocationAnalyze,
	}
)

// Entity is the resource the catalog's rules apply to: a decoded final entity.
type Entity = map[string]any

// EntityRule is a catalog permission rule.
type EntityRule = permissions.Rule[Entity, *query.Expr]

var stringArray = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
var stringSchema = map[string]any{"type": "string"}

// EntityRules returns the catalog's rules: IS_ENTITY_KIND, IS_ENTITY_OWNER, HAS_ANNOTATION,
// HAS_LABEL, HAS_METADATA, HAS_SPEC. Each ToQuery matches exactly the entities its Apply
// accepts, over the search table (keys and values lower-cased).
func EntityRules() []EntityRule {
	keyValue := func(name, desc, keyParam, prefix string) EntityRule {
		return permissions.NewRule(permissions.RuleSpec[Entity, *query.Expr]{
			Name: name, Description: desc, ResourceType: EntityResourceType,
			Params: []permissions.ParamSpec{
				{Name: keyParam, Schema: stringSchema, Required: true},
				{Name: "value", Schema: stringSchema},
			},
			Apply: func(e Entity, p map[string]any) bool {
				key, _ := p[keyParam].(string)
				value, hasValue := p["value"].(string)
				v, ok := lookupPath(e, prefix+key)
				if !ok {
					return false
				}
				return !hasValue || valueMatches(v, value)
			},
			ToQuery: func(p map[string]any) *query.Expr {
				key, _ := p[keyParam].(string)
				if value, ok := p["value"].(string); ok {
					e := query.In(prefix+key, value)
					return &e
				}
				e := query.Exists(prefix + key)
				return &e
			},
		})
	}
	return []EntityRule{
		permissions.NewRule(permissions.RuleSpec[Entity, *query.Expr]{
			Name: "IS_ENTITY_KIND", Description: "Allow entities matching a specified kind",
			ResourceType: EntityResourceType,
			Params:       []permissions.ParamSpec{{Name: "kinds", Schema: stringArray, Required: true}},
			Apply: func(e Entity, p map[string]any) bool {
				kind, _ := e["kind"].(string)
				for _, k := range stringList(p["kinds"]) {
					if equalFold(k, kind) {
						return true
					}
				}
				return false
			},
			ToQuery: func(p map[string]any) *query.Expr {
				e := query.In("kind", stringList(p["kinds"])...)
				return &e
			},
		}),
		permissions.NewRule(permissions.RuleSpec[Entity, *query.Expr]{
			Name: "IS_ENTITY_OWNER", Description: "Allow entities owned by a specified claim",
			ResourceType: EntityResourceType,
			Params:       []permissions.ParamSpec{{Name: "claims", Schema: stringArray, Required: true}},
			Apply: func(e Entity, p map[string]any) bool {
				claims := stringList(p["claims"])
				rels, _ := e["relations"].([]any)
				for _, r := range rels {
					rel, _ := r.(map[string]any)
					if t, _ := rel["type"].(string); t != model.RelationOwnedBy {
						continue
					}
					target, _ := rel["targetRef"].(string)
					for _, c := range claims {
						if equalFold(c, target) {
							return true
						}
					}
				}
				return false
			},
			ToQuery: func(p map[string]any) *query.Expr {
				e := query.In("relations."+model.RelationOwnedBy, stringList(p["claims"])...)
				return &e
			},
		}),
		keyValue("HAS_ANNOTATION", "Allow entities with the specified annotation", "annotation", "metadata.annotations."),
		keyValue("HAS_LABEL", "Allow entities with the specified label", "label", "metadata.labels."),
		keyValue("HAS_METADATA", "Allow entities with the specified metadata subfield", "key", "metadata."),
		keyValue("HAS_SPEC", "Allow entities with the specified spec subfield", "key", "spec."),
	}
}

// stringList reads a decoded JSON string array.
func stringList(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func equalFold(a, b string) bool { return query.Lower(a) == query.Lower(b) }

// lookupPath follows a dotted path into e. Keys with dots (annotations such as
// backstage.io/source-location) are matched by trying the longest key first at each level.
func lookupPath(v any, path string) (any, bool) {
	if path == "" {
		return v, v != nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	for i := len(path); i > 0; i-- {
		if i < len(path) && path[i] != '.' {
			continue
		}
		if child, ok := m[path[:i]]; ok {
			rest := ""
			if i < len(path) {
				rest = path[i+1:]
			}
			if r, ok := lookupPath(child, rest); ok {
				return r, true
			}
		}
	}
	return nil, false
}

// valueMatches compares like the search table: lower-cased strings; arrays match when an
// element does; numbers and booleans by their JSON text.
func valueMatches(v any, want string) bool {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if valueMatches(e, want) {
				return true
			}
		}
		return false
	case string:
		return equalFold(t, want)
	case nil:
		return false
	}
	b, err := json.Marshal(v)
	return err == nil && equalFold(string(b), want)
}

// exprCombinators build catalog filters from criteria.
var exprCombinators = permissions.Combinators[*query.Expr]{
	All: func(qs ...*query.Expr) *query.Expr { e := query.All(deref(qs)...); return &e },
	Any: func(qs ...*query.Expr) *query.Expr { e := query.Any(deref(qs)...); return &e },
	Not: func(q *query.Expr) *query.Expr { e := query.Not(*q); return &e },
}

func deref(qs []*query.Expr) []query.Expr {
	out := make([]query.Expr, len(qs))
	for i, q := range qs {
		out[i] = *q
	}
	return out
}

// guard enforces the catalog's permissions around its reader and writer, for the API and
// the pages alike: reads are filtered in SQL by the caller's conditional decision, mutations
// are checked with the resource and audited.
type guard struct {
	perms permissions.Service
	rules *permissions.RuleSet[Entity, *query.Expr]
	raw   *reader.Reader // unfiltered, for loading resources to check
	log   *slog.Logger
	// oversizeLogged is when an oversized read condition was last logged (Unix seconds).
	oversizeLogged atomic.Int64
}

// oversizeLogInterval is the shortest time between two logs of an oversized read condition.
const oversizeLogInterval = time.Minute

// logOversize logs, at most once per oversizeLogInterval, that the policy's read condition is
// too large to apply and was treated as a deny.
func (g *guard) logOversize(nodes, values int) {
	now := time.Now().Unix()
	last := g.oversizeLogged.Load()
	if now-last < int64(oversizeLogInterval/time.Second) || !g.oversizeLogged.CompareAndSwap(last, now) {
		return
	}
	g.log.Error("permission policy's read condition is too large to apply; reading nothing instead",
		"permission", PermEntityRead.Name, "conditions", nodes, "maxConditions", query.MaxPolicyConditions,
		"values", values, "maxValues", query.MaxPolicyValues)
}

func newGuard(perms permissions.Service, raw *reader.Reader, log *slog.Logger) (*guard, error) {
	rules, err := permissions.NewRuleSet(EntityResourceType, EntityRules()...)
	if err != nil {
		return nil, err
	}
	return &guard{perms: perms, rules: rules, raw: raw, log: log}, nil
}

// integration is the catalog's /.well-known/backstage/permissions endpoints.
func (g *guard) integration() *permissions.Integration {
	in := permissions.NewIntegration(g.log, catalogPermissionSet...)
	permissions.AddResourceType(in, permissions.ResourceType[Entity, *query.Expr]{Rules: g.rules, Load: g.loadEntities})
	return in
}

// loadEntities reads entities by ref for apply-conditions; malformed refs are left out
// (so they are denied).
func (g *guard) loadEntities(ctx context.Context, refs []string) (map[string]Entity, error) {
	var valid []string
	for _, r := range refs {
		if _, err := model.ParseEntityRef(r, model.RefContext{}); err == nil {
			valid = append(valid, r)
		}
	}
	items, err := g.raw.ByRefs(ctx, valid, nil, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Entity, len(items))
	for i, raw := range items {
		if raw == nil {
			continue
		}
		var e Entity
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("decode entity %s: %w", valid[i], err)
		}
		out[valid[i]] = e
	}
	return out, nil
}

func credentials(ctx context.Context) auth.Credentials {
	if c, ok := auth.FromContext(ctx); ok {
		return c
	}
	return auth.None()
}

// nothing matches no entity.
func nothing() *query.Expr { e := query.Any(); return &e }

// ReadFilter returns the filter the caller's read decision puts on every entity read: nil
// when everything may be read, a filter matching nothing when nothing may.
func (g *guard) ReadFilter(ctx context.Context) (*query.Expr, error) {
	if !g.perms.Enabled() {
		return nil, nil
	}
	ds, err := g.perms.AuthorizeConditional(ctx, credentials(ctx), []permissions.Request{{Permission: PermEntityRead}})
	if err != nil {
		return nil, fmt.Errorf("authorize %s: %w", PermEntityRead.Name, err)
	}
	switch d := ds[0]; d.Result {
	case permissions.Allow:
		return nil, nil
	case permissions.Conditional:
		if d.Conditions == nil {
			return nothing(), nil
		}
		f, err := g.rules.ToQuery(*d.Conditions, exprCombinators)
		if err != nil {
			return nil, fmt.Errorf("conditions of %s: %w", PermEntityRead.Name, err)
		}
		if f != nil {
			if nodes, values := f.Size(); nodes > query.MaxPolicyConditions || values > query.MaxPolicyValues {
				// Too large for one SQL statement: a policy (configuration) problem, not the
				// caller's. Reading nothing is the safe answer; the operator is told.
				g.logOversize(nodes, values)
				return nothing(), nil
			}
		}
		return f, nil
	}
	return nothing(), nil
}

// Allowed reports whether the caller may use permission p (on the entity ref, for resource
// permissions). Errors count as denied.
func (g *guard) Allowed(ctx context.Context, p permissions.Permission, ref string) bool {
	ok, err := g.check(ctx, p, ref)
	if err != nil {
		g.log.Warn("permission check failed", "permission", p.Name, "err", err)
	}
	return ok
}

func (g *guard) check(ctx context.Context, p permissions.Permission, ref string) (bool, error) {
	if !g.perms.Enabled() {
		return true, nil
	}
	req := permissions.Request{Permission: p}
	if p.IsResource() {
		req.ResourceRef = ref
	}
	ds, err := g.perms.Authorize(ctx, credentials(ctx), []permissions.Request{req})
	if err != nil {
		return false, fmt.Errorf("authorize %s: %w", p.Name, err)
	}
	return ds[0].Result == permissions.Allow, nil
}

// require checks p and, for mutations, writes the audit entry.
func (g *guard) require(ctx context.Context, p permissions.Permission, ref string, audit bool) error {
	ok, err := g.check(ctx, p, ref)
	if err != nil {
		return err
	}
	if audit && g.perms.Enabled() {
		dec := permissions.Deny
		if ok {
			dec = permissions.Allow
		}
		if err := g.perms.Audit(ctx, credentials(ctx), permissions.AuditEntry{
			Permission: p.Name, Action: p.Attributes.Action, ResourceRef: ref, Decision: dec,
		}); err != nil {
			g.log.Warn("audit entry not written", "permission", p.Name, "ref", ref, "err", err)
		}
	}
	if !ok {
		if ref != "" {
			return apierr.NotAllowed("You are not allowed to %s (%s on %s)", verb(p), p.Name, ref)
		}
		return apierr.NotAllowed("You are not allowed to %s (%s)", verb(p), p.Name)
	}
	return nil
}

func verb(p permissions.Permission) string {
	parts := splitDots(p.Name)
	if len(parts) >= 3 {
		return parts[2] + " this " + parts[1]
	}
	return "do this"
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// canRead reports whether the entity ref passes the read filter f (non-nil).
func (g *guard) canRead(ctx context.Context, ref string, f *query.Expr) (bool, error) {
	items, err := g.raw.ByRefs(ctx, []string{ref}, f, []string{"kind"})
	if err != nil {
		var ie *query.InputError
		if errors.As(err, &ie) {
			return false, nil
		}
		return false, err
	}
	return len(items) == 1 && items[0] != nil, nil
}

// readGuard is the catalog reader with the caller's read permission applied.
type readGuard struct {
	*reader.Reader
	g *guard
}

var (
	_ api.Reader        = readGuard{}
	_ ui.Reader         = readGuard{}
	_ ui.LocationReader = readGuard{}
	_ ui.ReadScoper     = readGuard{}
)

// ReadScope is the caller's read restriction as JSON ("" when unrestricted): callers under
// the same conditions see the same entities and share cached counts.
func (r readGuard) ReadScope(ctx context.Context) (string, error) {
	f, err := r.g.ReadFilter(ctx)
	if err != nil || f == nil {
		return "", err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("read scope: %w", err)
	}
	return string(b), nil
}

func (r readGuard) ListEach(ctx context.Context, req reader.ListRequest, fn func(json.RawMessage) error, next func(string)) error {
	f, err := r.g.ReadFilter(ctx)
	if err != nil {
		return err
	}
	req.Filter = query.And(req.Filter, f)
	return r.Reader.ListEach(ctx, req, fn, next)
}

func (r readGuard) Query(ctx context.Context, req reader.QueryRequest) (reader.QueryResult, error) {
	f, err := r.g.ReadFilter(ctx)
	if err != nil {
		return reader.QueryResult{}, err
	}
	req.Restrict = f
	return r.Reader.Query(ctx, req)
}

func (r readGuard) ByRefs(ctx context.Context, refs []string, filter *query.Expr, fields []string) ([]json.RawMessage, error) {
	f, err := r.g.ReadFilter(ctx)
	if err != nil {
		return nil, err
	}
	return r.Reader.ByRefs(ctx, refs, query.And(filter, f), fields)
}

func (r readGuard) Facets(ctx context.Context, facets []string, filter *query.Expr) (map[string][]reader.FacetCount, error) {
	f, err := r.g.ReadFilter(ctx)
	if err != nil {
		return nil, err
	}
	return r.Reader.Facets(ctx, facets, query.And(filter, f))
}

// visible returns an error wrapping model.ErrNotFound when the caller may not read ref:
// a denied entity looks like a missing one.
func (r readGuard) visible(ctx context.Context, ref string) error {
	f, err := r.g.ReadFilter(ctx)
	if err != nil || f == nil {
		return err
	}
	ok, err := r.g.canRead(ctx, ref, f)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("entity %s: %w", ref, model.ErrNotFound)
	}
	return nil
}

func (r readGuard) ByRef(ctx context.Context, ref string) (json.RawMessage, error) {
	e, err := r.Reader.ByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := r.visible(ctx, ref); err != nil {
		return nil, err
	}
	return e, nil
}

func (r readGuard) ByUID(ctx context.Context, uid string) (json.RawMessage, error) {
	e, err := r.Reader.ByUID(ctx, uid)
	if err != nil {
		return nil, err
	}
	if err := r.visible(ctx, entityRefOf(e)); err != nil {
		return nil, fmt.Errorf("entity with uid %s: %w", uid, model.ErrNotFound)
	}
	return e, nil
}

// Ancestry answers 404 for an entity the caller may not read, and leaves out the ancestors
// they may not read.
func (r readGuard) Ancestry(ctx context.Context, ref string) (reader.Ancestry, error) {
	f, err := r.g.ReadFilter(ctx)
	if err != nil {
		return reader.Ancestry{}, err
	}
	a, err := r.Reader.Ancestry(ctx, ref)
	if err != nil || f == nil {
		return a, err
	}
	refs := make([]string, len(a.Items))
	for i, it := range a.Items {
		refs[i] = entityRefOf(it.Entity)
	}
	readable, err := r.Reader.ByRefs(ctx, refs, f, []string{"kind"})
	if err != nil {
		return reader.Ancestry{}, err
	}
	kept := a.Items[:0]
	for i, it := range a.Items {
		if readable[i] != nil {
			kept = append(kept, it)
		} else if refs[i] == a.RootEntityRef {
			return reader.Ancestry{}, fmt.Errorf("entity %s: %w", ref, model.ErrNotFound)
		}
	}
	a.Items = kept
	return a, nil
}

func (r readGuard) Locations(ctx context.Context) ([]model.Location, error) {
	if err := r.g.require(ctx, PermLocationRead, "", false); err != nil {
		return nil, err
	}
	return r.Reader.Locations(ctx)
}

func (r readGuard) Location(ctx context.Context, id string) (model.Location, error) {
	if err := r.g.require(ctx, PermLocationRead, "", false); err != nil {
		return model.Location{}, err
	}
	return r.Reader.Location(ctx, id)
}

// LocationByEntity answers an entity the caller may not read as missing: a location for it
// would tell that it exists.
func (r readGuard) LocationByEntity(ctx context.Context, ref string) (model.Location, error) {
	if err := r.g.require(ctx, PermLocationRead, "", false); err != nil {
		return model.Location{}, err
	}
	if err := r.visible(ctx, ref); err != nil {
		return model.Location{}, err
	}
	return r.Reader.LocationByEntity(ctx, ref)
}

func (r readGuard) QueryLocations(ctx context.Context, q reader.LocationQuery) (reader.LocationQueryResult, error) {
	if err := r.g.require(ctx, PermLocationRead, "", false); err != nil {
		return reader.LocationQueryResult{}, err
	}
	return r.Reader.QueryLocations(ctx, q)
}

// entityRefOf returns the canonical ref of an entity's JSON ("" when it has none).
func entityRefOf(raw json.RawMessage) string {
	var e model.Entity
	if err := json.Unmarshal(raw, &e); err != nil {
		return ""
	}
	return e.Ref().String()
}

// writerCore is what both write surfaces share.
type writerCore interface {
	RemoveLocation(ctx context.Context, id string) error
	Refresh(ctx context.Context, entityRef string) error
	DeleteEntityByUID(ctx context.Context, uid string) error
}

// checkRefresh, checkDelete… are the write checks, shared by the API and the pages.
//
// An entity the caller may not read looks absent (404, as a missing one) before the refresh
// permission is asked: answering 200 or 403 for it would tell that it exists.
func (g *guard) checkRefresh(ctx context.Context, ref string) error {
	if r, err := model.NormalizeEntityRef(ref); err == nil {
		ref = r
	}
	f, err := g.ReadFilter(ctx)
	if err != nil {
		return err
	}
	if f != nil {
		ok, err := g.canRead(ctx, ref, f)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: Entity %s not found", model.ErrNotFound, ref)
		}
	}
	return g.require(ctx, PermEntityRefresh, ref, true)
}

func (g *guard) checkDelete(ctx context.Context, uid string) (bool, error) {
	e, err := g.raw.ByUID(ctx, uid)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil // nothing to delete; the writer answers as it does
	}
	if err != nil {
		return false, err
	}
	ref := entityRefOf(e)
	// An entity the caller may not read is absent for them: not deleted, answered as missing.
	f, err := g.ReadFilter(ctx)
	if err != nil {
		return false, err
	}
	if f != nil {
		ok, err := g.canRead(ctx, ref, f)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, fmt.Errorf("%w: Entity with uid %s not found", model.ErrNotFound, uid)
		}
	}
	return true, g.require(ctx, PermEntityDelete, ref, true)
}

// apiWriter is the catalog API's writer with permissions applied.
type apiWriter struct {
	api.Writer
	g *guard
}

func (w apiWriter) AddLocation(ctx context.Context, typ, target string, dryRun bool) (api.AddLocationResult, error) {
	if err := w.g.require(ctx, PermLocationCreate, "", !dryRun); err != nil {
		return api.AddLocationResult{}, err
	}
	return w.Writer.AddLocation(ctx, typ, target, dryRun)
}

func (w apiWriter) RemoveLocation(ctx context.Context, id string) error {
	if err := w.g.require(ctx, PermLocationDelete, "", true); err != nil {
		return err
	}
	return w.Writer.RemoveLocation(ctx, id)
}

func (w apiWriter) Refresh(ctx context.Context, ref string) error {
	if err := w.g.checkRefresh(ctx, ref); err != nil {
		return err
	}
	return w.Writer.Refresh(ctx, ref)
}

func (w apiWriter) DeleteEntityByUID(ctx context.Context, uid string) error {
	if _, err := w.g.checkDelete(ctx, uid); err != nil {
		return err
	}
	return w.Writer.DeleteEntityByUID(ctx, uid)
}

func (w apiWriter) ValidateEntity(ctx context.Context, entity json.RawMessage, locationRef string) ([]model.SerializedError, error) {
	if err := w.g.require(ctx, PermEntityValidate, "", false); err != nil {
		return nil, err
	}
	return w.Writer.ValidateEntity(ctx, entity, locationRef)
}

func (w apiWriter) AnalyzeLocation(ctx context.Context, req api.AnalyzeLocationRequest) (api.AnalyzeLocationResponse, error) {
	if err := w.g.require(ctx, PermLocationAnalyze, "", false); err != nil {
		return api.AnalyzeLocationResponse{}, err
	}
	return w.Writer.AnalyzeLocation(ctx, req)
}

// uiGuardWriter is the pages' writer with permissions applied.
type uiGuardWriter struct {
	ui.Writer
	g *guard
}

func (w uiGuardWriter) AddLocation(ctx context.Context, typ, target string, dryRun bool) (ui.Registration, error) {
	if err := w.g.require(ctx, PermLocationCreate, "", !dryRun); err != nil {
		return ui.Registration{}, err
	}
	// The register page creates entities too, as Backstage's catalog-import checks.
	if err := w.g.require(ctx, PermEntityCreate, "", !dryRun); err != nil {
		return ui.Registration{}, err
	}
	return w.Writer.AddLocation(ctx, typ, target, dryRun)
}

func (w uiGuardWriter) RemoveLocation(ctx context.Context, id string) error {
	if err := w.g.require(ctx, PermLocationDelete, "", true); err != nil {
		return err
	}
	return w.Writer.RemoveLocation(ctx, id)
}

func (w uiGuardWriter) Refresh(ctx context.Context, ref string) error {
	if err := w.g.checkRefresh(ctx, ref); err != nil {
		return err
	}
	return w.Writer.Refresh(ctx, ref)
}

func (w uiGuardWriter) DeleteEntityByUID(ctx context.Context, uid string) error {
	if _, err := w.g.checkDelete(ctx, uid); err != nil {
		return err
	}
	return w.Writer.DeleteEntityByUID(ctx, uid)
}

var (
	_ writerCore = apiWriter{}
	_ writerCore = uiGuardWriter{}
)

// uiPermissions answers the pages' questions (which actions to show).
type uiPermissions struct{ g *guard }

// Allowed implements ui.Permissions.
func (u uiPermissions) Allowed(ctx context.Context, name, entityRef string) bool {
	for _, p := range catalogPermissionSet {
		if p.Name == name {
			return u.g.Allowed(ctx, p, entityRef)
		}
	}
	return false
}

// guardCatalog builds the permission guard of the catalog and mounts its permission
// integration endpoints.
func guardCatalog(ctx context.Context, d *framework.Deps, rd *reader.Reader, log *slog.Logger) (*guard, error) {
	perms, err := framework.Use(ctx, d, framework.PermissionsService)
	if err != nil {
		return nil, err
	}
	g, err := newGuard(perms, rd, log)
	if err != nil {
		return nil, err
	}
	if err := framework.MountPermissions(ctx, d, g.integration()); err != nil {
		return nil, err
	}
	return g, nil
}
