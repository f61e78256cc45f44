package urlreader

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// hostRule is a compiled AllowRule.
type hostRule struct {
	host     string // exact hostname, or the suffix ".example.com" when wildcard
	wildcard bool
	hasPort  bool
	portFrom int
	portTo   int
	paths    []string
}

func compileAllow(rules []AllowRule) ([]hostRule, error) {
	out := make([]hostRule, 0, len(rules))
	for _, r := range rules {
		hr, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("reading.allow host %q: %w", r.Host, err)
		}
		out = append(out, hr)
	}
	return out, nil
}

func compileRule(r AllowRule) (hostRule, error) {
	name, port, hasPort := strings.Cut(strings.ToLower(strings.TrimSpace(r.Host)), ":")
	hr := hostRule{host: name, hasPort: hasPort, paths: r.Paths}
	if strings.HasPrefix(name, "*.") {
		hr.wildcard = true
		hr.host = name[1:]
	}
	if hr.host == "" || hr.host == "." || strings.Contains(hr.host, "*") {
		return hostRule{}, fmt.Errorf("want a host name or a leading *. wildcard")
	}
	if hasPort {
		from, to, isRange := strings.Cut(port, "-")
		if !isRange {
			to = from
		}
		var err error
		if hr.portFrom, err = parsePort(from); err != nil {
			return hostRule{}, err
		}
		if hr.portTo, err = parsePort(to); err != nil {
			return hostRule{}, err
		}
		if hr.portFrom > hr.portTo {
			return hostRule{}, fmt.Errorf("port range %s is reversed", port)
		}
	}
	for _, p := range r.Paths {
		if !strings.HasPrefix(p, "/") {
			return hostRule{}, fmt.Errorf("path %q must start with /", p)
		}
	}
	return hr, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	return n, nil
}

// match reports whether u (an http or https URL) is covered by the rule.
func (r hostRule) match(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	if r.wildcard {
		if !strings.HasSuffix(host, r.host) || len(host) == len(r.host) {
			return false
		}
	} else if host != r.host {
		return false
	}
	port := explicitPort(u)
	if r.hasPort {
		p := port
		if p == 0 {
			p = defaultPort(u.Scheme)
		}
		if p < r.portFrom || p > r.portTo {
			return false
		}
	} else if port != 0 {
		return false
	}
	if len(r.paths) == 0 {
		return true
	}
	target := normalizeURLPath(u.Path)
	for _, p := range r.paths {
		if strings.HasPrefix(target, p) {
			return true
		}
	}
	return false
}

// explicitPort is the URL's port, or 0 when absent or the scheme's default
// (browsers and Backstage drop default ports before matching).
func explicitPort(u *url.URL) int {
	p, err := strconv.Atoi(u.Port())
	if err != nil || p == defaultPort(u.Scheme) {
		return 0
	}
	return p
}

func defaultPort(scheme string) int {
	switch scheme {
	case "http":
		return 80
	case "https":
		return 443
	}
	return 0
}

// normalizeURLPath resolves "." and ".." like a POSIX path but keeps a
// trailing slash, so "/docs/" prefixes still match "/docs/".
func normalizeURLPath(p string) string {
	if p == "" {
		return "/"
	}
	clean := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}
