// Package client is the user-settings plugin's public Go client: other plugins' pages read
// and write the signed-in user's settings (starred entities, recent visits) through the
// plugin's REST API with it, on behalf of that user.
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
	"strings"

	"github.com/portico-dev/portico/framework/auth"
)

// Discovery resolves a plugin's internal base URL (framework.Discovery satisfies it).
type Discovery interface {
	BaseURL(pluginID string) string
}

// TokenFunc returns the bearer token for a call made during ctx: a token on behalf of the
// user whose request is being served.
type TokenFunc func(ctx context.Context) (string, error)

// Authority issues plugin request tokens (framework/auth.Service satisfies it).
type Authority interface {
	GetPluginRequestToken(ctx context.Context, onBehalfOf auth.Credentials, targetPluginID string) (string, error)
}

// ErrNoUser is returned when the request being served has no signed-in user.
var ErrNoUser = errors.New("user settings: no signed-in user")

// OnBehalfOfUser returns a TokenFunc that calls user-settings on behalf of the user whose
// credentials the request context carries (framework/auth.FromContext).
func OnBehalfOfUser(a Authority) TokenFunc {
	return func(ctx context.Context) (string, error) {
		creds, _ := auth.FromContext(ctx)
		if _, ok := creds.User(); !ok {
			return "", ErrNoUser
		}
		return a.GetPluginRequestToken(ctx, creds, "user-settings")
	}
}

// Client calls /api/user-settings.
type Client struct {
	discovery Discovery
	token     TokenFunc
	http      *http.Client
}

// New returns a client.
func New(discovery Discovery, token TokenFunc) *Client {
	return &Client{discovery: discovery, token: token, http: http.DefaultClient}
}

// Buckets and keys the UI uses, as Backstage's frontend names them.
const (
	StarredBucket = "starredEntities"
	StarredKey    = "entityRefs"
	VisitsBucket  = "home.visits"
	VisitsKey     = "visits"
)

// Get decodes the user's value into out; found is false when there is none.
func (c *Client) Get(ctx context.Context, bucket, key string, out any) (found bool, err error) {
	var s struct {
		Value json.RawMessage `json:"value"`
	}
	status, err := c.do(ctx, http.MethodGet, bucket, key, nil, &s)
	if status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(s.Value, out); err != nil {
		return false, fmt.Errorf("user settings %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

// Set stores value for the user.
func (c *Client) Set(ctx context.Context, bucket, key string, value any) error {
	_, err := c.do(ctx, http.MethodPut, bucket, key, map[string]any{"value": value}, nil)
	return err
}

// Delete removes the user's value.
func (c *Client) Delete(ctx context.Context, bucket, key string) error {
	_, err := c.do(ctx, http.MethodDelete, bucket, key, nil, nil)
	return err
}

func (c *Client) do(ctx context.Context, method, bucket, key string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	u := strings.TrimSuffix(c.discovery.BaseURL("user-settings"), "/") + "/buckets/" + url.PathEscape(bucket) + "/keys/" + url.PathEscape(key)
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != nil {
		tok, err := c.token(ctx)
		if err != nil {
			return 0, fmt.Errorf("user settings: token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("user settings: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("user settings: %w", err)
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("user settings: %s %s/%s: %d %s", method, bucket, key, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("user settings: %w", err)
		}
	}
	return resp.StatusCode, nil
}
