package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
)

// TemplateSource returns a template entity's JSON text exactly as the catalog serves it (the
// form needs the properties' order, which decoding into maps loses), or nil when there is none.
type TemplateSource interface {
	RawEntity(ctx context.Context, kind, namespace, name string) ([]byte, error)
}

// CatalogHTTP reads raw entities from the catalog's REST API.
type CatalogHTTP struct {
	Discovery client.Discovery
	Token     client.TokenFunc // may be nil
	HTTP      *http.Client     // nil means http.DefaultClient
}

// RawEntity implements TemplateSource.
func (c CatalogHTTP) RawEntity(ctx context.Context, kind, namespace, name string) ([]byte, error) {
	u := strings.TrimSuffix(c.Discovery.BaseURL("catalog"), "/") + "/entities/by-name/" +
		url.PathEscape(kind) + "/" + url.PathEscape(namespace) + "/" + url.PathEscape(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != nil {
		tok, err := c.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("catalog token: %w", err)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, nil
	case resp.StatusCode >= 300:
		return nil, fmt.Errorf("catalog: GET %s: %d %s", u, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// baseURLOf is the directory the template was read from, against which relative fetch URLs
// resolve: the source-location annotation, else managed-by-location.
func baseURLOf(entity map[string]any) string {
	meta, _ := entity["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	managed, _ := ann[model.AnnotationManagedByLocation].(string)
	ref, _ := ann[model.AnnotationSourceLocation].(string)
	// The catalog sets managed-by-location; source-location is the author's to write. A
	// template read from anywhere but a file location may not point its base at the disk.
	if src, err := model.ParseLocationRef(ref); err == nil && !strings.HasPrefix(managed, "file:") &&
		(src.Type != "url" || !urlreader.IsRemote(src.Target)) {
		ref = ""
	}
	if ref == "" {
		ref = managed
	}
	if ref == "" {
		return ""
	}
	loc, err := model.ParseLocationRef(ref)
	if err != nil {
		return ""
	}
	switch loc.Type {
	case "url":
		if !urlreader.IsRemote(loc.Target) {
			return "" // a url location with a local target (registered before they were refused)
		}
		if strings.HasSuffix(loc.Target, "/") {
			return loc.Target
		}
		u, err := url.Parse(loc.Target)
		if err != nil {
			return ""
		}
		return u.ResolveReference(&url.URL{Path: "./"}).String()
	case "file":
		p := loc.Target
		if !strings.HasSuffix(p, "/") {
			p = path.Dir(p) + "/"
		}
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return ""
}

// recoverOrder reads the template's own YAML from its location to learn the order of the
// form's properties and of the steps' objects: the catalog serves objects with sorted keys,
// and forms, `each:` and `| dump` must follow the author's order. Failures leave the
// catalog's order.
func (s *Service) recoverOrder(ctx context.Context, t *template.Template) {
	if s.o.RunnerReader == nil {
		return
	}
	meta, _ := t.Entity["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	ref, _ := ann[model.AnnotationManagedByLocation].(string)
	loc, err := model.ParseLocationRef(ref)
	if err != nil || (loc.Type != "url" && loc.Type != "file") {
		return
	}
	data, err := s.o.RunnerReader.ReadURL(ctx, loc.Target)
	if err != nil {
		s.o.Logger.Debug("read template source for field order", "location", ref, "err", err)
		return
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return
		}
		raw, err := yaml.Marshal(&doc)
		if err != nil {
			return
		}
		src, err := template.ParseDocument(raw)
		if err != nil || src.Name != t.Name || src.Namespace != t.Namespace {
			continue
		}
		t.AdoptOrder(src)
		return
	}
}
