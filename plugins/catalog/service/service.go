// Package service holds the catalog's operations with their permission checks: reads
// filtered in SQL by the caller's conditional decision, location and entity mutations checked
// with the resource and audited, validation and analysis. The REST API (package api), the
// pages (package ui) and in-process callers all go through it, so each check is written once.
// The caller is read from the context (auth.FromContext); a context without credentials is
// checked as nobody.
//
// Permission definitions and rules live in permissions.go; the reads and writes themselves
// are the reader's and the engine's.
package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// Engine is the write side the service guards; *engine.Engine implements it.
type Engine interface {
	// AddLocation registers a location, or with dryRun only reads and processes it;
	// model.ErrConflict when it exists.
	AddLocation(ctx context.Context, typ, target string, dryRun bool) (wire.AddLocationResult, error)
	RemoveLocation(ctx context.Context, id string) error // model.ErrNotFound
	Refresh(ctx context.Context, entityRef string) error // model.ErrNotFound
	DeleteEntityByUID(ctx context.Context, uid string) error
	ValidateEntity(ctx context.Context, entity json.RawMessage, locationRef string) ([]model.SerializedError, error) // empty = valid
	AnalyzeLocation(ctx context.Context, req wire.AnalyzeLocationRequest) (wire.AnalyzeLocationResponse, error)
}

var _ Engine = (*engine.Engine)(nil)

// Options are what a Service is built from.
type Options struct {
	// Permissions decides; when it is not enabled every operation is allowed.
	Permissions permissions.Service
	// Reader is the catalog's unfiltered read side; the service applies the read filter.
	Reader *reader.Reader
	// Engine is the write side. Without one, the write operations are unavailable.
	Engine Engine
	Logger *slog.Logger
}

// Service is the catalog's operations with their permission checks. It is safe for
// concurrent use.
type Service struct {
	perms permissions.Service
	rules *permissions.RuleSet[Entity, *query.Expr]
	raw   *reader.Reader // unfiltered: the service filters it, and loads resources to check
	eng   Engine
	log   *slog.Logger
	// oversizeLogged is when an oversized read condition was last logged (Unix seconds).
	oversizeLogged atomic.Int64
}

// oversizeLogInterval is the shortest time between two logs of an oversized read condition.
const oversizeLogInterval = time.Minute

// logOversize logs, at most once per oversizeLogInterval, that the policy's read condition is
// too large to apply and was treated as a deny.
func (s *Service) logOversize(nodes, values int) {
	now := time.Now().Unix()
	last := s.oversizeLogged.Load()
	if now-last < int64(oversizeLogInterval/time.Second) || !s.oversizeLogged.CompareAndSwap(last, now) {
		return
	}
	s.log.Error("permission policy's read condition is too large to apply; reading nothing instead",
		"permission", PermEntityRead.Name, "conditions", nodes, "maxConditions", query.MaxPolicyConditions,
		"values", values, "maxValues", query.MaxPolicyValues)
}

// New returns the catalog service.
func New(o Options) (*Service, error) {
	rules, err := permissions.NewRuleSet(EntityResourceType, EntityRules()...)
	if err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Permissions == nil || o.Reader == nil {
		return nil, errors.New("catalog service: Permissions and Reader are required")
	}
	return &Service{perms: o.Permissions, rules: rules, raw: o.Reader, eng: o.Engine, log: o.Logger}, nil
}

// Integration is the catalog's /.well-known/backstage/permissions endpoints.
func (s *Service) Integration() *permissions.Integration {
	in := permissions.NewIntegration(s.log, PermissionSet()...)
	permissions.AddResourceType(in, permissions.ResourceType[Entity, *query.Expr]{Rules: s.rules, Load: s.loadEntities})
	return in
}

// loadEntities reads entities by ref for apply-conditions; malformed refs are left out
// (so they are denied).
func (s *Service) loadEntities(ctx context.Context, refs []string) (map[string]Entity, error) {
	var valid []string
	for _, r := range refs {
		if _, err := model.ParseEntityRef(r, model.RefContext{}); err == nil {
			valid = append(valid, r)
		}
	}
	items, err := s.raw.ByRefs(ctx, valid, nil, nil)
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

// ReadFilter returns the filter the caller's read decision puts on every entity read: nil
// when everything may be read, a filter matching nothing when nothing may.
func (s *Service) ReadFilter(ctx context.Context) (*query.Expr, error) {
	if !s.perms.Enabled() {
		return nil, nil
	}
	ds, err := s.perms.AuthorizeConditional(ctx, credentials(ctx), []permissions.Request{{Permission: PermEntityRead}})
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
		f, err := s.rules.ToQuery(*d.Conditions, exprCombinators)
		if err != nil {
			return nil, fmt.Errorf("conditions of %s: %w", PermEntityRead.Name, err)
		}
		if f != nil {
			if nodes, values := f.CompiledSize(); nodes > query.MaxPolicyConditions || values > query.MaxPolicyValues {
				// Too large for one SQL statement: a policy (configuration) problem, not the
				// caller's. Reading nothing is the safe answer; the operator is told.
				s.logOversize(nodes, values)
				return nothing(), nil
			}
		}
		return f, nil
	}
	return nothing(), nil
}

// Allowed reports whether the caller may use the catalog permission named name (on the
// entity ref, for resource permissions), so pages can hide what the user may not do; every
// operation checks again regardless. Unknown names and errors count as denied.
func (s *Service) Allowed(ctx context.Context, name, entityRef string) bool {
	for _, p := range catalogPermissionSet {
		if p.Name == name {
			ok, err := s.check(ctx, p, entityRef)
			if err != nil {
				s.log.Warn("permission check failed", "permission", p.Name, "err", err)
			}
			return ok
		}
	}
	return false
}

func (s *Service) check(ctx context.Context, p permissions.Permission, ref string) (bool, error) {
	if !s.perms.Enabled() {
		return true, nil
	}
	req := permissions.Request{Permission: p}
	if p.IsResource() {
		req.ResourceRef = ref
	}
	ds, err := s.perms.Authorize(ctx, credentials(ctx), []permissions.Request{req})
	if err != nil {
		return false, fmt.Errorf("authorize %s: %w", p.Name, err)
	}
	return ds[0].Result == permissions.Allow, nil
}

// require checks p and, for mutations, writes the audit entry.
func (s *Service) require(ctx context.Context, p permissions.Permission, ref string, audit bool) error {
	ok, err := s.check(ctx, p, ref)
	if err != nil {
		return err
	}
	if audit && s.perms.Enabled() {
		dec := permissions.Deny
		if ok {
			dec = permissions.Allow
		}
		if err := s.perms.Audit(ctx, credentials(ctx), permissions.AuditEntry{
			Permission: p.Name, Action: p.Attributes.Action, ResourceRef: ref, Decision: dec,
		}); err != nil {
			s.log.Warn("audit entry not written", "permission", p.Name, "ref", ref, "err", err)
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
	parts := strings.Split(p.Name, ".")
	if len(parts) >= 3 {
		return parts[2] + " this " + parts[1]
	}
	return "do this"
}

// canRead reports whether the entity ref passes the read filter f (non-nil).
func (s *Service) canRead(ctx context.Context, ref string, f *query.Expr) (bool, error) {
	items, err := s.raw.ByRefs(ctx, []string{ref}, f, []string{"kind"})
	if err != nil {
		var ie *query.InputError
		if errors.As(err, &ie) {
			return false, nil
		}
		return false, err
	}
	return len(items) == 1 && items[0] != nil, nil
}

// ReadScope is the caller's read restriction as JSON ("" when unrestricted): callers under
// the same conditions see the same entities and share cached counts.
func (s *Service) ReadScope(ctx context.Context) (string, error) {
	f, err := s.ReadFilter(ctx)
	if err != nil || f == nil {
		return "", err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("read scope: %w", err)
	}
	return string(b), nil
}

// ListEach streams the entities of GET /entities the caller may read.
func (s *Service) ListEach(ctx context.Context, req reader.ListRequest, fn func(json.RawMessage) error, next func(string)) error {
	f, err := s.ReadFilter(ctx)
	if err != nil {
		return err
	}
	req.Filter = query.And(req.Filter, f)
	return s.raw.ListEach(ctx, req, fn, next)
}

// Query answers a page of /entities/by-query among the entities the caller may read.
func (s *Service) Query(ctx context.Context, req reader.QueryRequest) (reader.QueryResult, error) {
	f, err := s.ReadFilter(ctx)
	if err != nil {
		return reader.QueryResult{}, err
	}
	req.Restrict = f
	return s.raw.Query(ctx, req)
}

// ByRefs returns the entities of refs, in order, nil where missing or not readable.
func (s *Service) ByRefs(ctx context.Context, refs []string, filter *query.Expr, fields []string) ([]json.RawMessage, error) {
	f, err := s.ReadFilter(ctx)
	if err != nil {
		return nil, err
	}
	return s.raw.ByRefs(ctx, refs, query.And(filter, f), fields)
}

// Facets counts the values of facets among the entities the caller may read.
func (s *Service) Facets(ctx context.Context, facets []string, filter *query.Expr) (map[string][]reader.FacetCount, error) {
	f, err := s.ReadFilter(ctx)
	if err != nil {
		return nil, err
	}
	return s.raw.Facets(ctx, facets, query.And(filter, f))
}

// visible returns an error wrapping model.ErrNotFound when the caller may not read ref:
// a denied entity looks like a missing one.
func (s *Service) visible(ctx context.Context, ref string) error {
	f, err := s.ReadFilter(ctx)
	if err != nil || f == nil {
		return err
	}
	ok, err := s.canRead(ctx, ref, f)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("entity %s: %w", ref, model.ErrNotFound)
	}
	return nil
}

// ByRef returns an entity; model.ErrNotFound when it is missing or not readable.
func (s *Service) ByRef(ctx context.Context, ref string) (json.RawMessage, error) {
	e, err := s.raw.ByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	if err := s.visible(ctx, ref); err != nil {
		return nil, err
	}
	return e, nil
}

// ByUID returns an entity; model.ErrNotFound when it is missing or not readable.
func (s *Service) ByUID(ctx context.Context, uid string) (json.RawMessage, error) {
	e, err := s.raw.ByUID(ctx, uid)
	if err != nil {
		return nil, err
	}
	if err := s.visible(ctx, entityRefOf(e)); err != nil {
		return nil, fmt.Errorf("entity with uid %s: %w", uid, model.ErrNotFound)
	}
	return e, nil
}

// Ancestry answers 404 for an entity the caller may not read, and leaves out the ancestors
// they may not read.
func (s *Service) Ancestry(ctx context.Context, ref string) (reader.Ancestry, error) {
	f, err := s.ReadFilter(ctx)
	if err != nil {
		return reader.Ancestry{}, err
	}
	a, err := s.raw.Ancestry(ctx, ref)
	if err != nil || f == nil {
		return a, err
	}
	refs := make([]string, len(a.Items))
	for i, it := range a.Items {
		refs[i] = entityRefOf(it.Entity)
	}
	readable, err := s.raw.ByRefs(ctx, refs, f, []string{"kind"})
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

// Locations lists the registered locations (catalog.location.read).
func (s *Service) Locations(ctx context.Context) ([]model.Location, error) {
	if err := s.require(ctx, PermLocationRead, "", false); err != nil {
		return nil, err
	}
	return s.raw.Locations(ctx)
}

// Location returns a registered location (catalog.location.read).
func (s *Service) Location(ctx context.Context, id string) (model.Location, error) {
	if err := s.require(ctx, PermLocationRead, "", false); err != nil {
		return model.Location{}, err
	}
	return s.raw.Location(ctx, id)
}

// LocationByEntity returns the location an entity came from (catalog.location.read).
func (s *Service) LocationByEntity(ctx context.Context, ref string) (model.Location, error) {
	if err := s.require(ctx, PermLocationRead, "", false); err != nil {
		return model.Location{}, err
	}
	// An entity the caller may not read is answered as missing: its location would tell
	// that it exists.
	if err := s.visible(ctx, ref); err != nil {
		return model.Location{}, err
	}
	return s.raw.LocationByEntity(ctx, ref)
}

// QueryLocations answers a page of POST /locations/by-query (catalog.location.read).
func (s *Service) QueryLocations(ctx context.Context, q reader.LocationQuery) (reader.LocationQueryResult, error) {
	if err := s.require(ctx, PermLocationRead, "", false); err != nil {
		return reader.LocationQueryResult{}, err
	}
	return s.raw.QueryLocations(ctx, q)
}

// entityRefOf returns the canonical ref of an entity's JSON ("" when it has none).
func entityRefOf(raw json.RawMessage) string {
	var e model.Entity
	if err := json.Unmarshal(raw, &e); err != nil {
		return ""
	}
	return e.Ref().String()
}

// errNoEngine answers write operations of a service built without an engine.
var errNoEngine = errors.New("catalog service: no engine to write with")

func (s *Service) engine() (Engine, error) {
	if s.eng == nil {
		return nil, errNoEngine
	}
	return s.eng, nil
}

// checkRefresh is the refresh check.
//
// An entity the caller may not read looks absent (404, as a missing one) before the refresh
// permission is asked: answering 200 or 403 for it would tell that it exists.
func (s *Service) checkRefresh(ctx context.Context, ref string) error {
	if r, err := model.NormalizeEntityRef(ref); err == nil {
		ref = r
	}
	f, err := s.ReadFilter(ctx)
	if err != nil {
		return err
	}
	if f != nil {
		ok, err := s.canRead(ctx, ref, f)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: Entity %s not found", model.ErrNotFound, ref)
		}
	}
	return s.require(ctx, PermEntityRefresh, ref, true)
}

func (s *Service) checkDelete(ctx context.Context, uid string) (bool, error) {
	e, err := s.raw.ByUID(ctx, uid)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil // nothing to delete; the writer answers as it does
	}
	if err != nil {
		return false, err
	}
	ref := entityRefOf(e)
	// An entity the caller may not read is absent for them: not deleted, answered as missing.
	f, err := s.ReadFilter(ctx)
	if err != nil {
		return false, err
	}
	if f != nil {
		ok, err := s.canRead(ctx, ref, f)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, fmt.Errorf("%w: Entity with uid %s not found", model.ErrNotFound, uid)
		}
	}
	return true, s.require(ctx, PermEntityDelete, ref, true)
}

// AddLocation registers a location, or with dryRun reads and processes it without storing
// (catalog.location.create, audited unless dryRun): POST /locations.
func (s *Service) AddLocation(ctx context.Context, typ, target string, dryRun bool) (wire.AddLocationResult, error) {
	eng, err := s.engine()
	if err != nil {
		return wire.AddLocationResult{}, err
	}
	if err := s.require(ctx, PermLocationCreate, "", !dryRun); err != nil {
		return wire.AddLocationResult{}, err
	}
	return eng.AddLocation(ctx, typ, target, dryRun)
}

// ImportLocation is AddLocation for the register page, which creates entities too: it
// needs catalog.entity.create besides catalog.location.create, as Backstage's
// catalog-import checks.
func (s *Service) ImportLocation(ctx context.Context, typ, target string, dryRun bool) (wire.AddLocationResult, error) {
	eng, err := s.engine()
	if err != nil {
		return wire.AddLocationResult{}, err
	}
	if err := s.require(ctx, PermLocationCreate, "", !dryRun); err != nil {
		return wire.AddLocationResult{}, err
	}
	if err := s.require(ctx, PermEntityCreate, "", !dryRun); err != nil {
		return wire.AddLocationResult{}, err
	}
	return eng.AddLocation(ctx, typ, target, dryRun)
}

// RemoveLocation unregisters a location (catalog.location.delete, audited).
func (s *Service) RemoveLocation(ctx context.Context, id string) error {
	eng, err := s.engine()
	if err != nil {
		return err
	}
	if err := s.require(ctx, PermLocationDelete, "", true); err != nil {
		return err
	}
	return eng.RemoveLocation(ctx, id)
}

// Refresh schedules an entity for processing (catalog.entity.refresh on it, audited); an
// entity the caller may not read answers model.ErrNotFound.
func (s *Service) Refresh(ctx context.Context, ref string) error {
	eng, err := s.engine()
	if err != nil {
		return err
	}
	if err := s.checkRefresh(ctx, ref); err != nil {
		return err
	}
	return eng.Refresh(ctx, ref)
}

// DeleteEntityByUID deletes an entity (catalog.entity.delete on it, audited); an entity the
// caller may not read answers model.ErrNotFound and is not deleted.
func (s *Service) DeleteEntityByUID(ctx context.Context, uid string) error {
	eng, err := s.engine()
	if err != nil {
		return err
	}
	if _, err := s.checkDelete(ctx, uid); err != nil {
		return err
	}
	return eng.DeleteEntityByUID(ctx, uid)
}

// ValidateEntity validates an entity as if read from locationRef (catalog.entity.validate).
func (s *Service) ValidateEntity(ctx context.Context, entity json.RawMessage, locationRef string) ([]model.SerializedError, error) {
	eng, err := s.engine()
	if err != nil {
		return nil, err
	}
	if err := s.require(ctx, PermEntityValidate, "", false); err != nil {
		return nil, err
	}
	return eng.ValidateEntity(ctx, entity, locationRef)
}

// AnalyzeLocation finds the catalog files of a location (catalog.location.analyze).
func (s *Service) AnalyzeLocation(ctx context.Context, req wire.AnalyzeLocationRequest) (wire.AnalyzeLocationResponse, error) {
	eng, err := s.engine()
	if err != nil {
		return wire.AnalyzeLocationResponse{}, err
	}
	if err := s.require(ctx, PermLocationAnalyze, "", false); err != nil {
		return wire.AnalyzeLocationResponse{}, err
	}
	return eng.AnalyzeLocation(ctx, req)
}
