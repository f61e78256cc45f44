package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
)

// catalogClient reads API entities through the catalog's public HTTP API (/api/catalog),
// the way one plugin talks to another.
type catalogClient struct {
	baseURL func() string // the catalog's internal base URL, from discovery
	http    *http.Client
}

// apiEntity is the part of an API entity the explorer shows.
type apiEntity struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name        string `json:"name"`
		Namespace   string `json:"namespace"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"metadata"`
	Spec struct {
		Type      any `json:"type"`
		Lifecycle any `json:"lifecycle"`
		Owner     any `json:"owner"`
		System    any `json:"system"`
	} `json:"spec"`
	Relations []struct {
		Type      string `json:"type"`
		TargetRef string `json:"targetRef"`
	} `json:"relations"`
}

type entityPage struct {
	Items      []apiEntity `json:"items"`
	TotalItems int         `json:"totalItems"`
	PageInfo   struct {
		NextCursor string `json:"nextCursor"`
		PrevCursor string `json:"prevCursor"`
	} `json:"pageInfo"`
}

type facetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// apiQuery selects API entities: exact filters on fields, a text term, a page cursor.
type apiQuery struct {
	Filters map[string]string // field → value, e.g. spec.type → openapi
	Text    string
	Cursor  string
	Limit   int
}

func explorerFields() []string {
	return []string{"kind", "metadata.name", "metadata.namespace", "metadata.title", "metadata.description",
		"spec.type", "spec.lifecycle", "spec.owner", "spec.system", "relations"}
}

// filterParam is the catalog filter for kind=api plus exact field values.
func filterParam(filters map[string]string, fields []string) string {
	parts := []string{"kind=api"}
	for _, f := range fields {
		if v := filters[f]; v != "" {
			parts = append(parts, f+"="+v)
		}
	}
	return strings.Join(parts, ",")
}

// queryAPIs reads one page of API entities, ordered by name.
func (c catalogClient) queryAPIs(ctx context.Context, auth string, q apiQuery, filterFields []string) (entityPage, error) {
	v := url.Values{"limit": {fmt.Sprint(q.Limit)}}
	// The query goes with the cursor too: the catalog then refuses a cursor made for another
	// query (an edited link), so the page never lists other entities than its filters say.
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	}
	v.Set("filter", filterParam(q.Filters, filterFields))
	v.Set("orderField", "metadata.name,asc")
	if q.Text != "" {
		v.Set("fullTextFilterTerm", q.Text)
		// Without fields the catalog searches the order field only, as Backstage does.
		v.Set("fullTextFilterFields", "metadata.name,metadata.title,spec.profile.displayName")
	}
	v["fields"] = explorerFields()
	var page entityPage
	err := c.get(ctx, auth, "/entities/by-query?"+v.Encode(), &page)
	return page, err
}

// facets counts the values of fields over the API entities matching filters.
func (c catalogClient) facets(ctx context.Context, auth string, fields []string, filter string) (map[string][]facetCount, error) {
	v := url.Values{"facet": fields, "filter": {filter}}
	var res struct {
		Facets map[string][]facetCount `json:"facets"`
	}
	err := c.get(ctx, auth, "/entity-facets?"+v.Encode(), &res)
	return res.Facets, err
}

func (c catalogClient) get(ctx context.Context, auth, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.baseURL(), "/")+path, nil)
	if err != nil {
		return fmt.Errorf("catalog request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth) // act as the signed-in user
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("catalog request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if e := clientError(resp.StatusCode, body); e != nil {
			return fmt.Errorf("catalog request %s: %w", path, e)
		}
		return fmt.Errorf("catalog request %s: status %d: %.512s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("catalog response %s: %w", path, err)
	}
	return nil
}

// clientError is the catalog's answer to a request it refused (a 4xx with Backstage's error
// body), as the apierr.Error it was, so the page answers with that status and message: the
// page's own input was wrong (an edited cursor), not the catalog. Nil for anything else.
func clientError(status int, body []byte) *apierr.Error {
	var b struct {
		Error struct{ Name, Message string } `json:"error"`
	}
	if status < 400 || status >= 500 || json.Unmarshal(body, &b) != nil || b.Error.Name == "" {
		return nil
	}
	return &apierr.Error{Name: b.Error.Name, Status: status, Message: b.Error.Message}
}
