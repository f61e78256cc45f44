package permissions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/portico-dev/portico/framework/auth"
)

// PluginID is the permission plugin's ID, where decisions are made.
const PluginID = "permission"

// Service is the core permissions service a plugin uses (Backstage's coreServices.permissions).
type Service interface {
	// Authorize answers each request definitively: ALLOW or DENY. Resource permissions given
	// with a ResourceRef have their conditions applied to that resource by its plugin.
	Authorize(ctx context.Context, creds auth.Credentials, reqs []Request) ([]Decision, error)
	// AuthorizeConditional answers resource permissions without a resource: ALLOW, DENY or
	// CONDITIONAL with criteria the caller turns into its own query.
	AuthorizeConditional(ctx context.Context, creds auth.Credentials, reqs []Request) ([]Decision, error)
	// Audit records a permission-checked mutation in the permission plugin's audit log.
	// It is a no-op when permissions are disabled.
	Audit(ctx context.Context, creds auth.Credentials, e AuditEntry) error
	// Enabled reports whether permission.enabled is true (false: everything is allowed).
	Enabled() bool
}

// AuditEntry is one audited mutation. Who is filled from the credentials when empty.
type AuditEntry struct {
	Who         string    `json:"who"`
	Permission  string    `json:"permission"`
	Action      string    `json:"action,omitempty"`
	ResourceRef string    `json:"resourceRef,omitempty"`
	Decision    Result    `json:"decision"`
	Plugin      string    `json:"plugin,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	At          time.Time `json:"at"`
}

// Discovery resolves a plugin's internal base URL.
type Discovery interface {
	BaseURL(pluginID string) string
}

// TokenIssuer issues the plugin-to-plugin token a call on behalf of creds carries.
type TokenIssuer interface {
	GetPluginRequestToken(ctx context.Context, onBehalfOf auth.Credentials, targetPluginID string) (string, error)
}

// ClientOptions configure NewClient.
type ClientOptions struct {
	Enabled   bool
	PluginID  string // the calling plugin, for audit entries
	Discovery Discovery
	Tokens    TokenIssuer
	HTTP      *http.Client
}

// Client is the Service that asks the permission plugin over HTTP, like Backstage's
// PermissionClient: one batched POST /authorize per call.
type Client struct {
	o ClientOptions
}

var _ Service = (*Client)(nil)

// NewClient returns the permissions service of one plugin.
func NewClient(o ClientOptions) *Client {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{o: o}
}

// Enabled reports whether permissions are enforced.
func (c *Client) Enabled() bool { return c.o.Enabled }

// Authorize implements Service.
func (c *Client) Authorize(ctx context.Context, creds auth.Credentials, reqs []Request) ([]Decision, error) {
	return c.authorize(ctx, creds, reqs, true)
}

// AuthorizeConditional implements Service.
func (c *Client) AuthorizeConditional(ctx context.Context, creds auth.Credentials, reqs []Request) ([]Decision, error) {
	plain := make([]Request, len(reqs))
	for i, r := range reqs {
		plain[i] = Request{Permission: r.Permission}
	}
	return c.authorize(ctx, creds, plain, false)
}

func (c *Client) authorize(ctx context.Context, creds auth.Credentials, reqs []Request, definitive bool) ([]Decision, error) {
	out := make([]Decision, len(reqs))
	if !c.o.Enabled {
		for i := range out {
			out[i] = Decision{Result: Allow}
		}
		return out, nil
	}
	// Services bypass the policy; external callers are limited by their access restrictions.
	if s, ok := creds.Service(); ok {
		for i, r := range reqs {
			out[i] = Decision{Result: Allow}
			if ar := s.AccessRestrictions; ar != nil && (len(ar.PermissionNames) > 0 || len(ar.PermissionAttributes) > 0) {
				if !MatchAttributes(r.Permission, ar.PermissionNames, ar.PermissionAttributes) {
					out[i] = Decision{Result: Deny}
				}
			}
		}
		return out, nil
	}
	for _, r := range reqs {
		if r.ResourceRef != "" && !r.Permission.IsResource() {
			return nil, fmt.Errorf("authorize %s: a basic permission takes no resourceRef", r.Permission.Name)
		}
	}
	items := make([]AuthorizeItem, len(reqs))
	for i, r := range reqs {
		items[i] = AuthorizeItem{ID: strconv.Itoa(i), Permission: r.Permission, ResourceRef: r.ResourceRef}
	}
	var resp AuthorizeResponse
	if err := c.post(ctx, creds, "/authorize", AuthorizeRequest{Items: items}, &resp); err != nil {
		if creds.IsNone() && errors.Is(err, errUnauthenticated) {
			// Anonymous callers reach the policy (which decides for nobody, as Backstage's
			// does) only where the default auth policy is disabled and /authorize is open;
			// elsewhere the permission plugin refuses them and they are denied.
			for i := range out {
				out[i] = Decision{Result: Deny}
			}
			return out, nil
		}
		return nil, err
	}
	byID := make(map[string]Decision, len(resp.Items))
	for _, it := range resp.Items {
		byID[it.ID] = it.Decision()
	}
	for i := range reqs {
		d, ok := byID[strconv.Itoa(i)]
		if !ok || len(resp.Items) != len(reqs) {
			return nil, errors.New("authorize: items in response do not match request")
		}
		if definitive && d.Result == Conditional {
			// Only resource permissions asked without a resource can stay conditional.
			d = Decision{Result: Deny}
		}
		out[i] = d
	}
	return out, nil
}

// Audit implements Service.
func (c *Client) Audit(ctx context.Context, creds auth.Credentials, e AuditEntry) error {
	if !c.o.Enabled {
		return nil
	}
	if e.Plugin == "" {
		e.Plugin = c.o.PluginID
	}
	if e.Who == "" {
		e.Who = Who(creds)
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	// The audit endpoint takes service tokens only: the entry says who acted.
	return c.post(ctx, auth.Credentials{Principal: auth.ServicePrincipal{Subject: "plugin:" + c.o.PluginID}}, "/audit", e, nil)
}

// Who names the principal behind creds for audit entries.
func Who(creds auth.Credentials) string {
	if u, ok := creds.User(); ok {
		return u.UserEntityRef
	}
	if s, ok := creds.Service(); ok {
		return s.Subject
	}
	return "anonymous"
}

func (c *Client) post(ctx context.Context, creds auth.Credentials, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("permission %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.Discovery.BaseURL(PluginID)+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("permission %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if !creds.IsNone() {
		tok, err := c.o.Tokens.GetPluginRequestToken(ctx, creds, PluginID)
		if err != nil {
			return fmt.Errorf("permission %s: %w", path, err)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("permission %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("permission %s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		if resp.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("permission %s: %s: %s: %w", path, resp.Status, bytes.TrimSpace(data), errUnauthenticated)
		}
		return fmt.Errorf("permission %s: %s: %s", path, resp.Status, bytes.TrimSpace(data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("permission %s: decode response: %w", path, err)
	}
	return nil
}

// errUnauthenticated marks a 401 from the permission plugin.
var errUnauthenticated = errors.New("unauthenticated")

// AuthorizeItem is one item of POST /api/permission/authorize.
type AuthorizeItem struct {
	ID          string     `json:"id"`
	Permission  Permission `json:"permission"`
	ResourceRef string     `json:"resourceRef,omitempty"`
}

// AuthorizeRequest is the body of POST /api/permission/authorize.
type AuthorizeRequest struct {
	Items []AuthorizeItem `json:"items"`
}

// AuthorizeResponseItem is one answer of /authorize.
type AuthorizeResponseItem struct {
	ID           string    `json:"id"`
	Result       Result    `json:"result"`
	PluginID     string    `json:"pluginId,omitempty"`
	ResourceType string    `json:"resourceType,omitempty"`
	Conditions   *Criteria `json:"conditions,omitempty"`
}

// Decision returns the item's decision.
func (it AuthorizeResponseItem) Decision() Decision {
	return Decision{Result: it.Result, PluginID: it.PluginID, ResourceType: it.ResourceType, Conditions: it.Conditions}
}

// AuthorizeResponse is the body /authorize answers.
type AuthorizeResponse struct {
	Items []AuthorizeResponseItem `json:"items"`
}

// AllowAll is the Service of a backend without permissions: everything is allowed.
type AllowAll struct{}

var _ Service = AllowAll{}

// Authorize implements Service.
func (AllowAll) Authorize(_ context.Context, _ auth.Credentials, reqs []Request) ([]Decision, error) {
	out := make([]Decision, len(reqs))
	for i := range out {
		out[i] = Decision{Result: Allow}
	}
	return out, nil
}

// AuthorizeConditional implements Service.
func (a AllowAll) AuthorizeConditional(ctx context.Context, creds auth.Credentials, reqs []Request) ([]Decision, error) {
	return a.Authorize(ctx, creds, reqs)
}

// Audit implements Service.
func (AllowAll) Audit(context.Context, auth.Credentials, AuditEntry) error { return nil }

// Enabled implements Service.
func (AllowAll) Enabled() bool { return false }
