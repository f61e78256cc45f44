package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// AnalyzeLocation looks at a URL for the catalog-import flow: a descriptor file (or the
// catalog file at a repository's root) yields its entities and whether they are registered;
// a repository without one yields a suggested Component.
func (e *Engine) AnalyzeLocation(ctx context.Context, req wire.AnalyzeLocationRequest) (wire.AnalyzeLocationResponse, error) {
	resp := wire.AnalyzeLocationResponse{ExistingEntityFiles: []wire.AnalyzeExistingEntity{}, GenerateEntities: []wire.AnalyzeGenerateEntity{}}
	target := strings.TrimSpace(req.Location.Target)
	if target == "" {
		return resp, invalidf("Location target is required")
	}
	typ := req.Location.Type
	if typ == "" {
		typ = model.LocationTypeURL
	}
	filename := req.CatalogFilename
	if filename == "" {
		filename = "catalog-info.yaml"
	}
	candidates := []string{target}
	if !strings.HasSuffix(target, ".yaml") && !strings.HasSuffix(target, ".yml") {
		candidates = []string{strings.TrimSuffix(target, "/") + "/blob/HEAD/" + filename, strings.TrimSuffix(target, "/") + "/" + filename}
	}
	if e.opts.Reader != nil {
		// The target comes from the caller: remote sources only.
		reader := e.opts.Reader.Remote()
		for _, c := range candidates {
			r, err := reader.ReadURL(ctx, c, urlreader.ReadOptions{})
			if err != nil {
				if errors.Is(err, urlreader.ErrNotFound) || errors.Is(err, urlreader.ErrNotAllowed) {
					continue
				}
				continue
			}
			registered := e.isRegistered(ctx, typ, c)
			for _, d := range model.ParseDescriptor(r.Body, model.ParseOptions{}) {
				if len(d.Problems) > 0 || d.Entity == nil {
					continue
				}
				data, err := json.Marshal(d.Value)
				if err != nil {
					continue
				}
				resp.ExistingEntityFiles = append(resp.ExistingEntityFiles, wire.AnalyzeExistingEntity{
					Location: wire.LocationSpec{Type: typ, Target: c}, IsRegistered: registered, Entity: data,
				})
			}
			return resp, nil
		}
	}
	name := "component"
	if u, err := url.Parse(target); err == nil {
		if repo := repoName(u); repo != "" {
			name = repo
		}
	}
	ent := map[string]any{
		"apiVersion": model.APIVersionV1alpha1,
		"kind":       model.KindComponent,
		"metadata":   map[string]any{"name": name},
		"spec":       map[string]any{"type": "other", "lifecycle": "unknown"},
	}
	if u, err := url.Parse(target); err == nil && u.Host == "github.com" {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) >= 2 {
			ent["metadata"].(map[string]any)["annotations"] = map[string]any{model.AnnotationGitHubProjectSlug: parts[0] + "/" + strings.TrimSuffix(parts[1], ".git")}
		}
	}
	data, _ := json.Marshal(ent)
	resp.GenerateEntities = append(resp.GenerateEntities, wire.AnalyzeGenerateEntity{Entity: data, Fields: []wire.AnalyzeField{}})
	return resp, nil
}

// repoName is the repository a git host URL names, as Backstage's parseGitUrl reads it: the
// path up to the host's separator of a ref or file (GitHub /tree/ and /blob/, GitLab /-/,
// Bitbucket /src/ and /browse/, Azure /_git/<repo>) and its last segment without ".git".
func repoName(u *url.URL) string {
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	for i, s := range segs {
		if s == "_git" && i+1 < len(segs) {
			return strings.TrimSuffix(segs[i+1], ".git")
		}
	}
	cut := len(segs)
	for i, s := range segs {
		if i == 0 {
			continue
		}
		if s == "-" || ((s == "tree" || s == "blob" || s == "src" || s == "browse" || s == "raw") && i >= 2) {
			cut = i
			break
		}
	}
	if u.Host == "github.com" || u.Host == "bitbucket.org" {
		cut = min(cut, 2) // owner/repo; whatever follows is a ref or a file
	}
	if cut == 0 {
		return ""
	}
	return strings.TrimSuffix(segs[cut-1], ".git")
}

func (e *Engine) isRegistered(ctx context.Context, typ, target string) bool {
	ok, err := e.st.LocationRegistered(ctx, typ, target)
	return err == nil && ok
}
