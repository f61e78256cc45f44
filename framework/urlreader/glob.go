package urlreader

import (
	"fmt"
	"path"
	"strings"
)

// glob matches "/"-separated paths against a pattern whose segments are
// path.Match patterns or "**" (any number of segments). Like minimatch's
// defaults, wildcards do not match names starting with "." unless the
// pattern segment starts with "." too.
type glob struct {
	segs []string
}

func compileGlob(pattern string) (glob, error) {
	pattern = strings.Trim(pattern, "/")
	if pattern == "" {
		return glob{}, fmt.Errorf("empty glob: %w", errInvalidURL)
	}
	segs := strings.Split(pattern, "/")
	for _, s := range segs {
		if s == "" {
			return glob{}, fmt.Errorf("glob %q has an empty segment: %w", pattern, errInvalidURL)
		}
		if _, err := path.Match(s, ""); err != nil {
			return glob{}, fmt.Errorf("glob %q: %w: %w", pattern, err, errInvalidURL)
		}
	}
	return glob{segs: segs}, nil
}

func (g glob) match(p string) bool {
	return matchSegs(g.segs, strings.Split(p, "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse repeated "**" and try every split point.
			rest := pat[1:]
			for len(rest) > 0 && rest[0] == "**" {
				rest = rest[1:]
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
				if i < len(name) && strings.HasPrefix(name[i], ".") {
					return false // "**" does not descend into dot directories
				}
			}
			return false
		}
		if len(name) == 0 || !matchSeg(pat[0], name[0]) {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

func matchSeg(pat, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pat, ".") {
		return false
	}
	ok, _ := path.Match(pat, name)
	return ok
}

func hasGlob(s string) bool {
	return strings.ContainsAny(s, "*?[")
}

// splitGlob splits p before its first segment holding a glob character:
// "docs/a/**/x.md" gives "docs/a" and "**/x.md"; "/*.yaml" gives "/" and
// "*.yaml". Without glob characters the pattern is empty.
func splitGlob(p string) (dir, pattern string) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if hasGlob(s) {
			dir = strings.Join(segs[:i], "/")
			if dir == "" && strings.HasPrefix(p, "/") {
				dir = "/"
			}
			return dir, strings.Join(segs[i:], "/")
		}
	}
	return p, ""
}
