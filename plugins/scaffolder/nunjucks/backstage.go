package nunjucks

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// RepoSpec is the parsed form of a RepoUrlPicker value such as "github.com?owner=o&repo=r".
type RepoSpec struct {
	Host, Owner, Repo, Organization, Workspace, Project string
}

// ParseRepoURL parses a RepoUrlPicker value as Backstage's parseRepoUrl does. hostType gives
// the integration type of a host ("" when none is configured, which is an error); nil treats
// every host as a GitHub-like one.
func ParseRepoURL(repoURL string, hostType func(host string) string) (RepoSpec, error) {
	u, err := url.Parse("https://" + repoURL)
	if err != nil || u.Host == "" {
		return RepoSpec{}, fmt.Errorf("invalid repo URL passed to publisher, got %s", repoURL)
	}
	q := u.Query()
	spec := RepoSpec{
		Host: u.Host, Owner: q.Get("owner"), Repo: q.Get("repo"),
		Organization: q.Get("organization"), Workspace: q.Get("workspace"), Project: q.Get("project"),
	}
	typ := "github"
	if hostType != nil {
		typ = hostType(u.Host)
		if typ == "" {
			return RepoSpec{}, fmt.Errorf("no matching integration configuration for host %s, please check your integrations config", u.Host)
		}
	}
	var required []string
	switch {
	case strings.HasPrefix(typ, "bitbucket"):
		if u.Host == "www.bitbucket.org" || u.Host == "bitbucket.org" {
			required = append(required, "workspace")
		}
		required = append(required, "project", "repo")
	case typ == "azure":
		required = []string{"project", "repo"}
	case typ == "gitlab":
		if spec.Project == "" {
			required = []string{"owner", "repo"}
		}
	case typ == "gitea", typ == "gerrit":
		required = []string{"repo"}
	default:
		required = []string{"repo", "owner"}
	}
	for _, r := range required {
		if q.Get(r) == "" {
			return RepoSpec{}, fmt.Errorf("invalid repo URL passed to publisher: %s, missing %s", u.String(), r)
		}
	}
	return spec, nil
}

// object is the filter's value, its keys in the order of Backstage's parseRepoUrl result
// (host, owner, repo, organization, workspace, project), the empty ones left out as
// JSON.stringify leaves out undefined.
func (r RepoSpec) object() *object {
	m := jsvalue.NewObject(6)
	for _, kv := range [][2]string{{"host", r.Host}, {"owner", r.Owner}, {"repo", r.Repo}, {"organization", r.Organization}, {"workspace", r.Workspace}, {"project", r.Project}} {
		if kv[1] != "" || kv[0] == "host" || kv[0] == "repo" {
			m.Set(kv[0], kv[1])
		}
	}
	return m
}

// backstageFilters are the filters Backstage's scaffolder adds to Nunjucks.
func backstageFilters(e *Engine) map[string]Filter {
	return map[string]Filter{
		"parseRepoUrl": func(v any, _ ...any) (any, error) {
			spec, err := ParseRepoURL(str(v), e.opts.HostType)
			if err != nil {
				return nil, err
			}
			return spec.object(), nil
		},
		"projectSlug": func(v any, _ ...any) (any, error) {
			spec, err := ParseRepoURL(str(v), e.opts.HostType)
			if err != nil {
				return nil, err
			}
			return spec.Owner + "/" + spec.Repo, nil
		},
		"parseEntityRef": func(v any, args ...any) (any, error) {
			var rc model.RefContext
			opt := func(name string) any {
				switch o := arg(args, 0).(type) {
				case *object:
					v, _ := o.Get(name)
					return v
				case Kwargs:
					return o[name]
				}
				return nil
			}
			if k, ok := opt("defaultKind").(string); ok {
				rc.DefaultKind = k
			}
			if n, ok := opt("defaultNamespace").(string); ok {
				rc.DefaultNamespace = n
			}
			ref, err := model.ParseEntityRef(str(v), rc)
			if err != nil {
				return nil, err
			}
			// Backstage's parseEntityRef returns {kind, namespace, name}, in that order.
			return newObject("kind", ref.Kind, "namespace", ref.Namespace, "name", ref.Name), nil
		},
		"pick": func(v any, args ...any) (any, error) {
			// lodash get: a dotted path or an array of keys.
			path := arg(args, 0)
			if keys, ok := path.([]any); ok {
				for _, k := range keys {
					v = index(v, k)
				}
				return v, nil
			}
			return attrPath(v, str(path)), nil
		},
	}
}

// builtinGlobals are Nunjucks' global functions.
func builtinGlobals() map[string]any {
	return map[string]any{
		"range": Func(func(args ...any) (any, error) {
			start, stop, step := 0.0, toNumber(arg(args, 0)), 1.0
			if len(args) >= 2 {
				start, stop = toNumber(args[0]), toNumber(args[1])
			}
			if len(args) >= 3 {
				step = toNumber(args[2])
			}
			if step == 0 {
				return nil, fmt.Errorf("range step cannot be zero")
			}
			out := []any{}
			for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
				if len(out) >= maxIterations {
					return nil, fmt.Errorf("range exceeds %d items", maxIterations)
				}
				out = append(out, i)
			}
			return out, nil
		}),
		"cycler": Func(func(args ...any) (any, error) {
			items := append([]any{}, args...)
			pos := -1
			c := newObject("current", undefined)
			c.Set("next", method(func([]any) (any, error) {
				if len(items) == 0 {
					return undefined, nil
				}
				pos = (pos + 1) % len(items)
				c.Set("current", items[pos])
				return items[pos], nil
			}))
			c.Set("reset", method(func([]any) (any, error) {
				pos = -1
				c.Set("current", undefined)
				return undefined, nil
			}))
			return c, nil
		}),
		"joiner": Func(func(args ...any) (any, error) {
			sep := ","
			if isSet(arg(args, 0)) {
				sep = jsString(args[0])
			}
			first := true
			return method(func([]any) (any, error) {
				if first {
					first = false
					return "", nil
				}
				return sep, nil
			}), nil
		}),
	}
}
