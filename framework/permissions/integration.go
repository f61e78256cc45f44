package permissions

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
)

// Paths of the integration endpoints, relative to a plugin's mount.
const (
	MetadataPath        = "/.well-known/backstage/permissions/metadata"
	ApplyConditionsPath = "/.well-known/backstage/permissions/apply-conditions"
)

// maxApplyConditionsBody bounds an apply-conditions request body.
const maxApplyConditionsBody = 4 << 20

// ResourceType is what a plugin tells the integration router about one of its resource
// types: its rules, and how to load resources by ref in bulk.
type ResourceType[R, Q any] struct {
	Rules *RuleSet[R, Q]
	// Load returns the resources named by refs that exist, keyed by the ref as given.
	Load func(ctx context.Context, refs []string) (map[string]R, error)
}

// resourceHandler is a ResourceType with its type parameters erased.
type resourceHandler interface {
	name() string
	metadata() []RuleMetadata
	apply(ctx context.Context, items []applyItem) (map[string]Result, error)
}

func (rt ResourceType[R, Q]) name() string             { return rt.Rules.ResourceType() }
func (rt ResourceType[R, Q]) metadata() []RuleMetadata { return rt.Rules.Metadata() }

func (rt ResourceType[R, Q]) apply(ctx context.Context, items []applyItem) (map[string]Result, error) {
	conds := make([]Criteria, len(items))
	refs := make([]string, 0, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		n, err := rt.Rules.Normalize(it.Conditions)
		if err != nil {
			return nil, err
		}
		conds[i] = n
		if !seen[it.ResourceRef] {
			seen[it.ResourceRef] = true
			refs = append(refs, it.ResourceRef)
		}
	}
	found, err := rt.Load(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Result, len(items))
	for i, it := range items {
		res, ok := found[it.ResourceRef]
		// A missing resource is DENY: never reveal whether it exists.
		if ok && rt.Rules.Apply(conds[i], res) {
			out[it.ID] = Allow
		} else {
			out[it.ID] = Deny
		}
	}
	return out, nil
}

// Integration is a plugin's permission integration: the permissions it defines and the
// resource types whose conditions it can evaluate.
type Integration struct {
	Permissions []Permission
	resources   map[string]resourceHandler
	logger      *slog.Logger
}

// NewIntegration returns an integration listing perms.
func NewIntegration(logger *slog.Logger, perms ...Permission) *Integration {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Integration{Permissions: perms, resources: map[string]resourceHandler{}, logger: logger}
}

// AddResourceType makes the integration evaluate conditions on rt's resources.
func AddResourceType[R, Q any](in *Integration, rt ResourceType[R, Q]) {
	in.resources[rt.name()] = rt
}

// Router is the part of the plugin router the integration mounts on.
type Router interface {
	Handle(pattern string, h http.Handler)
}

// Mount adds GET metadata and POST apply-conditions to the plugin's router. Both use the
// router's default auth (user or service credentials).
func (in *Integration) Mount(r Router) {
	api := httpapi.New(in.logger, maxApplyConditionsBody)
	r.Handle("GET "+MetadataPath, api.Handle(in.serveMetadata))
	r.Handle("POST "+ApplyConditionsPath, api.Handle(in.serveApplyConditions))
}

// MetadataResponse is the body of the metadata endpoint.
type MetadataResponse struct {
	Permissions []Permission   `json:"permissions"`
	Rules       []RuleMetadata `json:"rules"`
}

// Metadata returns what the metadata endpoint serves.
func (in *Integration) Metadata() MetadataResponse {
	out := MetadataResponse{Permissions: append([]Permission{}, in.Permissions...), Rules: []RuleMetadata{}}
	names := slices.Sorted(maps.Keys(in.resources))
	for _, n := range names {
		out.Rules = append(out.Rules, in.resources[n].metadata()...)
	}
	return out
}

func (in *Integration) serveMetadata(*httpapi.Request) (any, error) {
	return in.Metadata(), nil
}

type applyItem struct {
	ID           string   `json:"id"`
	ResourceRef  string   `json:"resourceRef"`
	ResourceType string   `json:"resourceType"`
	Conditions   Criteria `json:"conditions"`
}

// ApplyRequest is the body of apply-conditions.
type ApplyRequest struct {
	Items []applyItem `json:"items"`
}

// ApplyResponseItem is one answer of apply-conditions.
type ApplyResponseItem struct {
	ID     string `json:"id"`
	Result Result `json:"result"`
}

func (in *Integration) serveApplyConditions(r *httpapi.Request) (any, error) {
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if body.Items == nil {
		return nil, apierr.Input("Invalid request body: items is required")
	}
	byType := map[string][]applyItem{}
	var order []string
	var unknown []string
	for i, raw := range body.Items {
		var it applyItem
		if err := json.Unmarshal(raw, &it); err != nil {
			return nil, apierr.Input("Invalid request body: items[%d]: %v", i, err)
		}
		if it.ID == "" || it.ResourceRef == "" || it.ResourceType == "" {
			return nil, apierr.Input("Invalid request body: items[%d] needs id, resourceRef, resourceType and conditions", i)
		}
		if _, ok := in.resources[it.ResourceType]; !ok {
			unknown = append(unknown, it.ResourceType)
			continue
		}
		if _, ok := byType[it.ResourceType]; !ok {
			order = append(order, it.ResourceType)
		}
		byType[it.ResourceType] = append(byType[it.ResourceType], it)
	}
	if len(unknown) > 0 {
		return nil, apierr.Input("Unexpected resource types: %s", strings.Join(unknown, ", "))
	}
	results := map[string]Result{}
	for _, t := range order {
		res, err := in.resources[t].apply(r.Context(), byType[t])
		if err != nil {
			if errors.Is(err, ErrInvalidConditions) { // the client's conditions; elsewhere a policy's (500)
				err = apierr.Input("%v", err)
			}
			return nil, err
		}
		for id, v := range res {
			results[id] = v
		}
	}
	out := struct {
		Items []ApplyResponseItem `json:"items"`
	}{Items: make([]ApplyResponseItem, 0, len(body.Items))}
	for _, t := range order {
		for _, it := range byType[t] {
			out.Items = append(out.Items, ApplyResponseItem{ID: it.ID, Result: results[it.ID]})
		}
	}
	return out, nil
}

// Registry lists the integrations of every plugin in a backend, for the permission plugin's
// admin page and /.well-known/backstage/permissions/installed. It is safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	plugins map[string]*Integration
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{plugins: map[string]*Integration{}} }

// Add records pluginID's integration.
func (r *Registry) Add(pluginID string, in *Integration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.plugins[pluginID] = in
}

// Installed returns every plugin's metadata, by plugin ID.
func (r *Registry) Installed() map[string]MetadataResponse {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]MetadataResponse, len(r.plugins))
	for id, in := range r.plugins {
		out[id] = in.Metadata()
	}
	return out
}
