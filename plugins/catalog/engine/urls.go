package engine

import (
	"fmt"
	"net/url"
	"strings"
)

// resolveURL resolves rel against base as URL resolution does (absolute rel wins).
func resolveURL(base, rel string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("invalid base URL %s: %w", base, err)
	}
	r, err := url.Parse(rel)
	if err != nil {
		return "", fmt.Errorf("invalid URL %s: %w", rel, err)
	}
	return b.ResolveReference(r).String(), nil
}

// scmURLs returns the edit URL and the source folder URL of a file URL on a known SCM host
// (GitHub or GitLab blob URLs), or "" when the host is not one.
func scmURLs(target string) (edit, source string) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return "", ""
	}
	dir := func(p string) string {
		if i := strings.LastIndex(p, "/"); i >= 0 {
			return p[:i+1]
		}
		return p
	}
	p := u.Path
	switch {
	case strings.Contains(p, "/-/blob/"):
		e := *u
		e.Path = strings.Replace(p, "/-/blob/", "/-/edit/", 1)
		s := *u
		s.Path = dir(strings.Replace(p, "/-/blob/", "/-/tree/", 1))
		s.RawQuery, s.Fragment = "", ""
		return e.String(), s.String()
	case strings.Contains(u.Host, "github") && strings.Contains(p, "/blob/"):
		e := *u
		e.Path = strings.Replace(p, "/blob/", "/edit/", 1)
		s := *u
		s.Path = dir(strings.Replace(p, "/blob/", "/tree/", 1))
		s.RawQuery, s.Fragment = "", ""
		return e.String(), s.String()
	}
	return "", ""
}
