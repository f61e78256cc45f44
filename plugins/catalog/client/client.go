// Package client is the catalog's public Go client: other plugins (auth resolvers, scaffolder
// actions) read and register entities through the catalog's REST API with it, exactly as
// Backstage plugins use @backstage/catalog-client. It never touches the catalog's tables.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// Discovery resolves a plugin's internal base URL (framework.Discovery satisfies it).
type Discovery interface {
	BaseURL(pluginID string) string
}

// TokenFunc returns the bearer token for one call ("" sends none). Backend plugins pass a
// function that asks the auth service for a service token aimed at the catalog.
type TokenFunc func(ctx context.Context) (string, error)

// Client calls the catalog REST API.
type Client struct {
	discovery Discovery
	token     TokenFunc
	http      *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client used for calls (default http.DefaultClient).
func WithHTTPClient(c *http.Client) Option { return func(cl *Client) { cl.http = c } }

// New returns a client; token may be nil for unauthenticated calls.
func New(discovery Discovery, token TokenFunc, opts ...Option) *Client {
	c := &Client{discovery: discovery, token: token, http: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Error is a non-2xx answer from the catalog, with Backstage's error body decoded.
type Error struct {
	StatusCode int
	Name       string
	Message    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("catalog: %d %s: %s", e.StatusCode, e.Name, e.Message)
}

// IsNotFound reports whether err is a 404 from the catalog.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// GetEntityByRef returns the entity with the given ref ("kind:namespace/name", namespace
// defaulting to "default"), or nil and no error when there is none.
func (c *Client) GetEntityByRef(ctx context.Context, ref string) (*model.Entity, error) {
	r, err := model.ParseEntityRef(ref, model.RefContext{DefaultNamespace: "default"})
	if err != nil {
		return nil, fmt.Errorf("catalog client: %w", err)
	}
	return getOrNil[model.Entity](ctx, c, "/entities/by-name/"+refPath(r))
}

// QueryEntities lists the entities matching filters, each in Backstage's filter syntax
// ("kind=user,spec.profile.email=a@example.com"; several filters are ORed). fields limits the
// returned fields ("metadata.name", "spec.owner"); nil returns whole entities.
func (c *Client) QueryEntities(ctx context.Context, filters []string, fields []string) ([]*model.Entity, error) {
	q := url.Values{}
	for _, f := range filters {
		q.Add("filter", f)
	}
	if len(fields) > 0 {
		q.Set("fields", strings.Join(fields, ","))
	}
	path := "/entities"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out []*model.Entity
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// byRefsChunk is how many refs one POST /entities/by-refs carries; Backstage's client splits
// requests the same way so no body grows without bound.
const byRefsChunk = 500

// GetEntitiesByRefs returns the entities with the given refs, in the order asked, with nil
// for each ref the catalog does not have. fields limits the returned fields as in
// QueryEntities ("relations", "metadata.name"); nil returns whole entities. Long lists are
// sent in several requests.
func (c *Client) GetEntitiesByRefs(ctx context.Context, refs []string, fields []string) ([]*model.Entity, error) {
	out := make([]*model.Entity, 0, len(refs))
	for chunk := range slices.Chunk(refs, byRefsChunk) {
		body := map[string]any{"entityRefs": chunk}
		if len(fields) > 0 {
			body["fields"] = fields
		}
		var res struct {
			Items []*model.Entity `json:"items"`
		}
		if err := c.do(ctx, http.MethodPost, "/entities/by-refs", body, &res); err != nil {
			return nil, err
		}
		if len(res.Items) != len(chunk) {
			return nil, fmt.Errorf("catalog client: by-refs: asked for %d entities, got %d answers", len(chunk), len(res.Items))
		}
		out = append(out, res.Items...)
	}
	return out, nil
}

// Location is a registered location.
type Location struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Target string `json:"target"`
}

// AddLocationResponse is the answer to AddLocation.
type AddLocationResponse struct {
	Location Location        `json:"location"`
	Entities []*model.Entity `json:"entities"`
	Exists   bool            `json:"exists,omitempty"`
}

// AddLocation registers a location (type "url" or "file"); dryRun reads and validates it
// without registering.
func (c *Client) AddLocation(ctx context.Context, typ, target string, dryRun bool) (*AddLocationResponse, error) {
	path := "/locations"
	if dryRun {
		path += "?dryRun=true"
	}
	var out AddLocationResponse
	if err := c.do(ctx, http.MethodPost, path, map[string]string{"type": typ, "target": target}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveLocation unregisters a location by ID; removing one that is gone is not an error.
func (c *Client) RemoveLocation(ctx context.Context, id string) error {
	err := c.do(ctx, http.MethodDelete, "/locations/"+url.PathEscape(id), nil, nil)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// GetLocationByEntity returns the location that produced the entity, or nil when unknown.
func (c *Client) GetLocationByEntity(ctx context.Context, ref string) (*Location, error) {
	r, err := model.ParseEntityRef(ref, model.RefContext{DefaultNamespace: "default"})
	if err != nil {
		return nil, fmt.Errorf("catalog client: %w", err)
	}
	return getOrNil[Location](ctx, c, "/locations/by-entity/"+refPath(r))
}

// Refresh schedules the entity for reprocessing.
func (c *Client) Refresh(ctx context.Context, ref string) error {
	return c.do(ctx, http.MethodPost, "/refresh", map[string]string{"entityRef": ref}, nil)
}

// ValidateEntity asks the catalog to validate an entity as if read from location
// ("url:https://…"); it returns the catalog's error messages, none when valid.
func (c *Client) ValidateEntity(ctx context.Context, entity any, location string) ([]string, error) {
	err := c.do(ctx, http.MethodPost, "/validate-entity", map[string]any{"entity": entity, "location": location}, nil)
	var ce *Error
	if errors.As(err, &ce) && ce.StatusCode == http.StatusBadRequest {
		return []string{ce.Message}, nil
	}
	return nil, err
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("catalog client: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.discovery.BaseURL("catalog"), "/")+path, rd)
	if err != nil {
		return fmt.Errorf("catalog client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != nil {
		tok, err := c.token(ctx)
		if err != nil {
			return fmt.Errorf("catalog client: token: %w", err)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("catalog client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("catalog client: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{StatusCode: resp.StatusCode, Name: http.StatusText(resp.StatusCode)}
		var eb struct {
			Error struct{ Name, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil && eb.Error.Name != "" {
			e.Name, e.Message = eb.Error.Name, eb.Error.Message
		} else {
			e.Message = strings.TrimSpace(string(data))
		}
		return e
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("catalog client: %s %s: decoding answer: %w", method, path, err)
	}
	return nil
}

// getOrNil GETs path into a T; a 404 gives nil and no error.
func getOrNil[T any](ctx context.Context, c *Client, path string) (*T, error) {
	var v T
	if err := c.do(ctx, http.MethodGet, path, nil, &v); err != nil {
		if IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return &v, nil
}

// refPath is an entity's kind/namespace/name as path segments.
func refPath(r model.EntityRef) string {
	return url.PathEscape(r.Kind) + "/" + url.PathEscape(r.Namespace) + "/" + url.PathEscape(r.Name)
}
