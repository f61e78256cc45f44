package urlreader

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Reader reads files, trees and searches from the sources described in the
// package documentation. It is safe for concurrent use.
//
// Remote returns a view of the same Reader limited to remote sources: the
// one to use for reads whose URL comes from content a user controls.
type Reader struct {
	*state
	// remoteOnly refuses local paths, file:// and git+file:// URLs.
	remoteOnly bool
	// trusted reads local paths wherever they point (not only under localRoots); the
	// denied directories stay unreadable.
	trusted bool
}

// state is what the views of one Reader share.
type state struct {
	allow      []hostRule
	github     []GitHubIntegration
	gitlab     []GitLabIntegration
	git        []GitIntegration
	integHosts map[string]bool // lower-case host[:port] of every integration endpoint
	localRoots []string
	denied     []string // never read, whatever localRoots say
	except     []string // subdirectories of denied that stay readable
	client     *http.Client
	maxBytes   int64
	logger     *slog.Logger
	locks      *keyedLocks

	cacheMu     sync.Mutex
	cacheDir    string
	ownCacheDir bool // created by us, removed by Close
}

const (
	githubHost    = "github.com"
	githubAPIURL  = "https://api.github.com"
	githubRawURL  = "https://raw.githubusercontent.com"
	gitlabHost    = "gitlab.com"
	maxRedirects  = 10
	clientTimeout = 2 * time.Minute
)

// New validates opts and returns a Reader.
func New(opts Options) (*Reader, error) {
	allow, err := compileAllow(opts.Allow)
	if err != nil {
		return nil, fmt.Errorf("urlreader: %w", err)
	}
	r := &Reader{state: &state{
		allow:      allow,
		integHosts: map[string]bool{},
		maxBytes:   opts.MaxBytes,
		logger:     opts.Logger,
		locks:      newKeyedLocks(),
		cacheDir:   opts.CacheDir,
	}}
	if r.maxBytes <= 0 {
		r.maxBytes = DefaultMaxBytes
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}

	githubs := opts.Integrations.GitHub
	if !slices.ContainsFunc(githubs, func(gh GitHubIntegration) bool { return strings.EqualFold(cmp.Or(gh.Host, githubHost), githubHost) }) {
		// As in Backstage, github.com is always an integration: without one configured, public
		// repositories are read anonymously (raw host for files, git for trees).
		githubs = append(slices.Clone(githubs), GitHubIntegration{Host: githubHost})
	}
	for _, gh := range githubs {
		gh.Host = strings.ToLower(cmp.Or(gh.Host, githubHost))
		if gh.Host == githubHost {
			gh.APIBaseURL = cmp.Or(gh.APIBaseURL, githubAPIURL)
			gh.RawBaseURL = cmp.Or(gh.RawBaseURL, githubRawURL)
		}
		gh.APIBaseURL = strings.TrimRight(gh.APIBaseURL, "/")
		gh.RawBaseURL = strings.TrimRight(gh.RawBaseURL, "/")
		if gh.APIBaseURL == "" && gh.RawBaseURL == "" {
			return nil, fmt.Errorf("urlreader: github integration %q needs apiBaseUrl or rawBaseUrl", gh.Host)
		}
		if err := r.addIntegrationHosts(gh.Host, gh.APIBaseURL, gh.RawBaseURL); err != nil {
			return nil, fmt.Errorf("urlreader: github integration %q: %w", gh.Host, err)
		}
		r.github = append(r.github, gh)
	}
	for _, gl := range opts.Integrations.GitLab {
		gl.Host = strings.ToLower(cmp.Or(gl.Host, gitlabHost))
		gl.APIBaseURL = strings.TrimRight(cmp.Or(gl.APIBaseURL, "https://"+gl.Host+"/api/v4"), "/")
		gl.BaseURL = strings.TrimRight(cmp.Or(gl.BaseURL, "https://"+gl.Host), "/")
		if err := r.addIntegrationHosts(gl.Host, gl.APIBaseURL, gl.BaseURL); err != nil {
			return nil, fmt.Errorf("urlreader: gitlab integration %q: %w", gl.Host, err)
		}
		r.gitlab = append(r.gitlab, gl)
	}
	for _, g := range opts.Integrations.Git {
		if g.Host == "" {
			return nil, errors.New("urlreader: git integration needs a host")
		}
		g.Host = strings.ToLower(g.Host)
		r.integHosts[g.Host] = true
		r.git = append(r.git, g)
	}

	if r.localRoots, err = absPaths("local root", opts.LocalRoots); err != nil {
		return nil, err
	}
	if r.denied, err = absPaths("denied dir", opts.DeniedDirs); err != nil {
		return nil, err
	}
	if r.except, err = absPaths("denied exception", opts.DeniedExceptions); err != nil {
		return nil, err
	}

	base := opts.HTTPClient
	if base == nil {
		base = defaultHTTPClient()
	}
	client := *base // a copy, so the caller's client keeps its own policy
	client.CheckRedirect = r.checkRedirect(base.CheckRedirect)
	r.client = &client
	return r, nil
}

// Remote returns a view of r that reads remote sources only: http(s) URLs
// on the allow-list or an integration host, and git+http(s) repositories.
// Local paths, file:// and git+file:// URLs fail with ErrNotAllowed,
// whatever Options.LocalRoots says. Use it for every read whose URL comes
// from content a user controls (a url location, its placeholders, a
// template read from one), as Backstage's UrlReader, which has no local
// reader, does. The view shares r's caches; close only r.
func (r *Reader) Remote() *Reader {
	return &Reader{state: r.state, remoteOnly: true}
}

// Trusted returns a view of r that reads local paths, file:// and git+file://
// URLs wherever they point, not only under Options.LocalRoots, for reads
// whose URL the operator wrote (catalog.locations in app-config, which
// Backstage reads wherever they point). Options.DeniedDirs (the data
// directory) stay unreadable, symlinks included. Remote reads are as in r.
// Never use it for a URL from content a user controls. The view shares r's
// caches; close only r.
func (r *Reader) Trusted() *Reader {
	return &Reader{state: r.state, trusted: true}
}

// IsRemote reports whether rawURL names a remote source, one a Remote view
// may read: an http or https URL with a host, or a git+http(s) remote. Local
// paths, file:// and git+file:// URLs are not remote.
func IsRemote(rawURL string) bool {
	raw := strings.TrimPrefix(rawURL, "git+")
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return true
	}
	return false
}

// AllowsHost reports whether rawURL is a plain http(s) URL with a host the
// operator configured: an integration host (integrations.github, .gitlab,
// .git) or a backend.reading.allow entry (ports and paths included). It is
// the check for URLs the portal sends data to on a template's behalf, such
// as the scaffolder's publish:git remote, so that the list of reachable
// hosts stays this one. git+ prefixes, file:// URLs, other schemes and
// local paths are never allowed.
func (r *Reader) AllowsHost(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	return r.allowedHTTP(u)
}

// Close removes the temporary git cache directory, if the Reader created
// one. Call it after the last read has finished.
func (r *Reader) Close() error {
	r.cacheMu.Lock()
	defer r.cacheMu.Unlock()
	if !r.ownCacheDir {
		return nil
	}
	r.ownCacheDir = false
	dir := r.cacheDir
	r.cacheDir = ""
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("urlreader: remove cache dir: %w", err)
	}
	return nil
}

func (r *Reader) addIntegrationHosts(host string, endpoints ...string) error {
	r.integHosts[host] = true
	for _, e := range endpoints {
		if e == "" {
			continue
		}
		u, err := url.Parse(e)
		if err != nil || u.Host == "" {
			return fmt.Errorf("invalid endpoint %q", e)
		}
		r.integHosts[strings.ToLower(u.Host)] = true
	}
	return nil
}

// allowedHTTP reports whether an http(s) URL may be fetched.
func (r *Reader) allowedHTTP(u *url.URL) bool {
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	if r.integHosts[strings.ToLower(u.Host)] {
		return true
	}
	for _, rule := range r.allow {
		if rule.match(u) {
			return true
		}
	}
	return false
}

// checkRedirect follows redirects only to allowed locations, never from
// https to http, and drops credentials when the host changes.
func (r *Reader) checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		prev := via[len(via)-1].URL
		if prev.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect from https to %s: %w", req.URL.Redacted(), ErrNotAllowed)
		}
		if !r.allowedHTTP(req.URL) {
			return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrNotAllowed)
		}
		if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
			req.Header.Del("Authorization")
			req.Header.Del("Private-Token")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: t, Timeout: clientTimeout}
}

// gitCacheDir returns the directory holding cached repositories, creating
// a temporary one on first use when none was configured.
func (r *Reader) gitCacheDir() (string, error) {
	r.cacheMu.Lock()
	defer r.cacheMu.Unlock()
	if r.cacheDir != "" {
		if err := os.MkdirAll(r.cacheDir, 0o755); err != nil {
			return "", fmt.Errorf("create git cache dir: %w", err)
		}
		return r.cacheDir, nil
	}
	dir, err := os.MkdirTemp("", "portico-git-*")
	if err != nil {
		return "", fmt.Errorf("create git cache dir: %w", err)
	}
	r.cacheDir, r.ownCacheDir = dir, true
	return dir, nil
}

// absPaths makes each path absolute; what names the option in errors.
func absPaths(what string, paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("urlreader: %s %q: %w", what, p, err)
		}
		out = append(out, abs)
	}
	return out, nil
}
