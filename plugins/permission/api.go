package permission

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/framework/permissions"
)

// AdminPermission guards the admin page and reading the audit log.
var AdminPermission = permissions.Basic("permission.admin", permissions.ActionRead)

// Request body limits: a batch of authorize items, and one audit entry.
const (
	maxAuthorizeBody = 4 << 20
	maxAuditBody     = 64 << 10
)

// api serves /api/permission.
type api struct {
	d       *decider
	disc    framework.Discovery
	authSvc auth.Service
	store   *AuditStore
	log     *slog.Logger
	client  *http.Client
}

func (a *api) mount(r framework.HTTPRouter) {
	authorize, audit := httpapi.New(a.log, maxAuthorizeBody), httpapi.New(a.log, maxAuditBody)
	r.HandleFunc("POST /authorize", authorize.Handle(a.authorize))
	r.HandleFunc("GET /health", audit.Handle(func(*httpapi.Request) (any, error) {
		return map[string]string{"status": "ok"}, nil
	}))
	r.HandleFunc("POST /audit", audit.Handle(a.appendAudit))
	r.HandleFunc("GET /audit", audit.Handle(a.listAudit))
	r.AddAuthPolicy(framework.AuthPolicy{Path: "/health", Allow: "unauthenticated"})
}

func credsOf(r *http.Request) auth.Credentials {
	c, ok := auth.FromContext(r.Context())
	if !ok {
		return auth.None()
	}
	return c
}

// authorize is POST /authorize: a batch of {id, permission, resourceRef?}.
func (a *api) authorize(r *httpapi.Request) (any, error) {
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if body.Items == nil {
		return nil, apierr.Input("Invalid request body: items is required")
	}
	items := make([]permissions.AuthorizeItem, len(body.Items))
	ids := map[string]bool{}
	for i, raw := range body.Items {
		if err := json.Unmarshal(raw, &items[i]); err != nil {
			return nil, apierr.Input("Invalid request body: items[%d]: %v", i, err)
		}
		it := items[i]
		if it.ID == "" {
			return nil, apierr.Input("Invalid request body: items[%d].id is required", i)
		}
		if ids[it.ID] {
			return nil, apierr.Input("Invalid request body: items[%d].id %q is not unique", i, it.ID)
		}
		ids[it.ID] = true
		if err := it.Permission.Validate(); err != nil {
			return nil, apierr.Input("Invalid request body: items[%d].permission: %v", i, err)
		}
		if it.ResourceRef != "" && !it.Permission.IsResource() {
			return nil, apierr.Input("Invalid request body: items[%d]: resourceRef given for basic permission %s", i, it.Permission.Name)
		}
	}
	out, err := a.authorizeItems(r.Context(), credsOf(r.Request), items)
	if err != nil {
		return nil, err
	}
	return permissions.AuthorizeResponse{Items: out}, nil
}

// authorizeItems decides every item; conditional answers for items with a resourceRef are
// settled by the owning plugin's apply-conditions, one batched call per plugin.
func (a *api) authorizeItems(ctx context.Context, creds auth.Credentials, items []permissions.AuthorizeItem) ([]permissions.AuthorizeResponseItem, error) {
	out := make([]permissions.AuthorizeResponseItem, len(items))
	type pending struct {
		index int
		item  applyItem
	}
	byPlugin := map[string][]pending{}
	var plugins []string
	for i, it := range items {
		dec, err := a.d.decide(ctx, creds, it.Permission)
		if err != nil {
			return nil, err
		}
		out[i] = permissions.AuthorizeResponseItem{ID: it.ID, Result: dec.Result, PluginID: dec.PluginID, ResourceType: dec.ResourceType, Conditions: dec.Conditions}
		if dec.Result == permissions.Conditional && it.ResourceRef != "" {
			if _, ok := byPlugin[dec.PluginID]; !ok {
				plugins = append(plugins, dec.PluginID)
			}
			byPlugin[dec.PluginID] = append(byPlugin[dec.PluginID], pending{i, applyItem{
				ID: it.ID, ResourceRef: it.ResourceRef, ResourceType: dec.ResourceType, Conditions: *dec.Conditions,
			}})
		}
	}
	for _, pid := range plugins {
		ps := byPlugin[pid]
		req := make([]applyItem, len(ps))
		for i, p := range ps {
			req[i] = p.item
		}
		res, err := a.applyConditions(ctx, pid, req)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			r, ok := res[p.item.ID]
			if !ok {
				return nil, fmt.Errorf("apply-conditions at %s: no answer for item %s", pid, p.item.ID)
			}
			out[p.index] = permissions.AuthorizeResponseItem{ID: p.item.ID, Result: r}
		}
	}
	return out, nil
}

type applyItem struct {
	ID           string               `json:"id"`
	ResourceRef  string               `json:"resourceRef"`
	ResourceType string               `json:"resourceType"`
	Conditions   permissions.Criteria `json:"conditions"`
}

// applyConditions asks pluginID to evaluate conditions on its resources, with the
// permission plugin's own service credentials.
func (a *api) applyConditions(ctx context.Context, pluginID string, items []applyItem) (map[string]permissions.Result, error) {
	body, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		return nil, err
	}
	url := a.disc.BaseURL(pluginID) + permissions.ApplyConditionsPath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	tok, err := a.authSvc.GetPluginRequestToken(ctx, a.authSvc.GetOwnServiceCredentials(), pluginID)
	if err != nil {
		return nil, fmt.Errorf("apply-conditions at %s: %w", pluginID, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("apply-conditions at %s: %w", pluginID, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("apply-conditions at %s: %w", pluginID, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("apply-conditions at %s: %s: %s", pluginID, resp.Status, bytes.TrimSpace(data))
	}
	var res struct {
		Items []permissions.ApplyResponseItem `json:"items"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("apply-conditions at %s: decode: %w", pluginID, err)
	}
	out := make(map[string]permissions.Result, len(res.Items))
	for _, it := range res.Items {
		if it.Result != permissions.Allow && it.Result != permissions.Deny {
			return nil, fmt.Errorf("apply-conditions at %s: item %s: unexpected result %q", pluginID, it.ID, it.Result)
		}
		out[it.ID] = it.Result
	}
	return out, nil
}

// appendAudit is POST /audit: plugins (service tokens only) record a checked mutation.
func (a *api) appendAudit(r *httpapi.Request) (any, error) {
	creds := credsOf(r.Request)
	s, ok := creds.Service()
	if !ok || !strings.HasPrefix(s.Subject, "plugin:") {
		return nil, apierr.NotAllowed("Only plugins may write the audit log")
	}
	var e permissions.AuditEntry
	if err := r.DecodeJSON(&e); err != nil {
		return nil, err
	}
	if e.Who == "" || e.Permission == "" || e.Decision == "" {
		return nil, apierr.Input("Invalid audit entry: who, permission and decision are required")
	}
	if e.Plugin == "" {
		e.Plugin = strings.TrimPrefix(s.Subject, "plugin:")
	}
	if err := a.store.Append(r.Context(), e); err != nil {
		return nil, err
	}
	return httpapi.Empty(http.StatusCreated), nil
}

// canAdmin reports whether creds may use the admin page and read the audit log.
func (a *api) canAdmin(ctx context.Context, creds auth.Credentials) (bool, error) {
	dec, err := a.d.decide(ctx, creds, AdminPermission)
	if err != nil {
		return false, err
	}
	return dec.Result == permissions.Allow, nil
}

// listAudit is GET /audit?who=&permission=&resourceRef=&decision=&plugin=&limit=&cursor=.
func (a *api) listAudit(r *httpapi.Request) (any, error) {
	ok, err := a.canAdmin(r.Context(), credsOf(r.Request))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apierr.NotAllowed("Reading the audit log needs %s", AdminPermission.Name)
	}
	q, err := auditQuery(r.Request)
	if err != nil {
		return nil, err
	}
	return a.store.List(r.Context(), q) // ErrInput is an InputError (400)
}

func auditQuery(r *http.Request) (AuditQuery, error) {
	v := r.URL.Query()
	q := AuditQuery{Who: v.Get("who"), Permission: v.Get("permission"), ResourceRef: v.Get("resourceRef"),
		Decision: v.Get("decision"), Plugin: v.Get("plugin"), Cursor: v.Get("cursor")}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return q, apierr.Input("Invalid limit, must be a positive integer")
		}
		q.Limit = n
	}
	return q, nil
}
