package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// placeholderProcessor resolves $text, $json and $yaml placeholders relative to the entity's
// location, as Backstage's PlaceholderProcessor does: an object with exactly one key naming a
// known resolver and a string value is replaced by what the resolver reads. Targets follow
// PlaceholderTarget's rules; remote ones are read through the reader's Remote view.
type placeholderProcessor struct {
	reader *urlreader.Reader
}

func (p *placeholderProcessor) Name() string { return "PlaceholderProcessor" }

func (p *placeholderProcessor) PreProcessEntity(ctx context.Context, e *model.Entity, pc *ProcessContext) (*model.Entity, error) {
	changed := false
	var firstErr error
	var walk func(v any) (any, bool)
	walk = func(v any) (any, bool) {
		if firstErr != nil {
			return v, false
		}
		switch t := v.(type) {
		case []any:
			any := false
			for i, item := range t {
				if nv, ok := walk(item); ok {
					t[i] = nv
					any = true
				}
			}
			return t, any
		case map[string]any:
			if len(t) == 1 {
				for k, raw := range t {
					s, isString := raw.(string)
					if !isString || !strings.HasPrefix(k, "$") {
						break
					}
					name := k[1:]
					if name != "text" && name != "json" && name != "yaml" {
						break
					}
					val, err := p.resolve(ctx, name, s, pc)
					if err != nil {
						firstErr = err
						return v, false
					}
					return val, true
				}
			}
			any := false
			for k, item := range t {
				if nv, ok := walk(item); ok {
					t[k] = nv
					any = true
				}
			}
			return t, any
		}
		return v, false
	}
	if e.Spec != nil {
		if _, ok := walk(map[string]any(e.Spec)); ok {
			changed = true
		}
	}
	for k, v := range e.Extra {
		if nv, ok := walk(v); ok {
			e.Extra[k] = nv
			changed = true
		}
	}
	for k, v := range e.Metadata.Extra {
		if nv, ok := walk(v); ok {
			e.Metadata.Extra[k] = nv
			changed = true
		}
	}
	_ = changed
	if firstErr != nil {
		return nil, firstErr
	}
	return e, nil
}

func (p *placeholderProcessor) resolve(ctx context.Context, name, value string, pc *ProcessContext) (any, error) {
	target, local, err := PlaceholderTarget(pc.Location, value)
	if err == nil && local && pc.RemoteOnly {
		err = fmt.Errorf("%s is a local file; this entity may only read remote URLs", target)
	}
	if err != nil {
		return nil, placeholderError("Placeholder $%s could not form a URL out of %s and %s, %v", name, pc.Location.Target, value, err)
	}
	if p.reader == nil {
		return nil, placeholderError("Placeholder $%s could not read location %s, no URL reader is configured", name, value)
	}
	reader := p.reader
	if !local {
		reader = reader.Remote()
	} else if pc.Emit.TrustedOrigin() {
		reader = reader.Trusted()
	}
	resp, err := reader.ReadURL(ctx, target, urlreader.ReadOptions{})
	if err != nil {
		pc.Emit.Input("read:"+target, "error")
		return nil, placeholderError("Placeholder $%s could not read location %s, %v", name, value, err)
	}
	etag := resp.ETag
	if etag == "" {
		etag = sha1Hex(resp.Body)
	}
	pc.Emit.Input("read:"+target, etag)
	v, err := DecodePlaceholder(name, value, resp.Body)
	if err != nil {
		return nil, placeholderError("Placeholder %v", err)
	}
	return v, nil
}

// DecodePlaceholder turns the content a placeholder read into its value, as Backstage's
// resolvers do: $text (name "text") the content as a string, $json its JSON value, $yaml the
// value of its single non-empty YAML document. value is the placeholder's
// written target, named in errors; an error reads as Backstage's message once prefixed with
// "Placeholder ". It is the one decoder: the catalog and `portico catalog validate` use it.
func DecodePlaceholder(name, value string, data []byte) (any, error) {
	switch name {
	case "json":
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("$json failed to parse JSON data at %s, %v", value, err)
		}
		return v, nil
	case "yaml":
		// The catalog's own YAML reader, which follows Backstage's (YAML 1.2: dates stay
		// strings, no merge keys, repeated keys refused, aliases bounded).
		docs := model.ParseDescriptor(data, model.ParseOptions{})
		if len(docs) != 1 {
			return nil, fmt.Errorf("$yaml expected to find exactly one document of data at %s, found %d", value, len(docs))
		}
		if docs[0].Value == nil && len(docs[0].Problems) > 0 {
			return nil, fmt.Errorf("$yaml failed to parse YAML data at %s, %s", value, docs[0].Problems[0].Message)
		}
		return docs[0].Value, nil
	case "text":
		return string(data), nil
	}
	return nil, fmt.Errorf("$%s is not a known resolver", name)
}

// PlaceholderTarget resolves a placeholder's value against the location of the entity that
// holds it, and reports whether the target is a local file. It is the one implementation of
// the rules (the catalog and `portico catalog validate` use it):
//
//   - In a url location the value is resolved as a URL against the location's target (an
//     absolute URL wins) and must be remote: http(s) or git+http(s), never file:, git+file:
//     or a local path, absolute or relative. Content served from a remote host never reaches
//     the server's disk, as in Backstage, whose UrlReader has no local reader.
//   - In a file location (written by the operator) a relative path is resolved against the
//     file's folder (an extension of Backstage, which only resolves against URLs) and a
//     remote URL is kept; absolute paths, file: and git+file: URLs are refused, so a
//     descriptor reaches only files beside it (and the reader's local roots still apply).
func PlaceholderTarget(loc model.LocationRef, value string) (target string, local bool, err error) {
	if strings.TrimSpace(value) == "" {
		return "", false, errors.New("the placeholder value is empty")
	}
	switch loc.Type {
	case model.LocationTypeURL:
		target, err := resolveURL(loc.Target, value)
		if err != nil {
			return "", false, err
		}
		if !urlreader.IsRemote(target) {
			return "", false, fmt.Errorf("%s is not a remote URL; placeholders of a url location can only read http(s) or git+http(s) URLs", target)
		}
		return target, false, nil
	case model.LocationTypeFile:
		if urlreader.IsRemote(value) {
			return value, false, nil
		}
		if u, err := url.Parse(value); path.IsAbs(value) || filepath.IsAbs(value) || strings.HasPrefix(value, "git+") ||
			(err == nil && u.Scheme != "") || strings.Contains(value, "://") {
			return "", false, fmt.Errorf("%s is not a path relative to the descriptor or a remote URL; placeholders of a file location cannot name absolute paths or file URLs", value)
		}
		return path.Join(fileDir(loc.Target), value), true, nil
	}
	return "", false, fmt.Errorf("unsupported location type %s", loc.Type)
}

// placeholderError is a processing error in Backstage's wording (capitalised, as users see it).
func placeholderError(format string, args ...any) error {
	return &ProcessingError{Serialized: GeneralError(fmt.Sprintf(format, args...))}
}
