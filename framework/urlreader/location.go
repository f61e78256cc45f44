package urlreader

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

type sourceKind int

const (
	sourceLocal sourceKind = iota + 1
	sourceHTTP
	sourceGit
)

// location is a parsed, allow-checked URL.
type location struct {
	kind sourceKind
	raw  string

	// sourceLocal
	localPath string // absolute and clean; may hold glob characters
	fileURL   bool   // given as file://, so search results are file:// URLs

	// sourceHTTP
	url *url.URL

	// sourceGit
	remote  gitRemote
	ref     string // as given; "" is the remote HEAD
	subpath string // repository-relative, "/"-separated, no leading slash; "" is the root
	// fileAPI, when set, returns the HTTP request that reads one file
	// without git (GitHub and GitLab APIs).
	fileAPI func(ref, p string) (target string, header http.Header)
	// urlFor renders a repository path in the caller's URL form.
	urlFor func(ref, p string) string
}

// gitRemote is a fetchable repository.
type gitRemote struct {
	url  string // file://, http:// or https://, without fragment
	auth transport.AuthMethod
}

var errInvalidURL = errors.New("invalid url")

// locate parses raw and checks it against the allow-list, the integration
// hosts and the local roots.
func (r *Reader) locate(raw string) (*location, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("empty url: %w", errInvalidURL)
	}
	if r.remoteOnly && !IsRemote(raw) {
		return nil, fmt.Errorf("%s is not a remote url; this read may only reach http(s) and git+http(s) sources: %w", redactURL(raw), ErrNotAllowed)
	}
	if strings.HasPrefix(raw, "git+") {
		return r.locateGit(raw)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 { // "C:\..." is a path
		return r.locateLocal(raw, raw, false)
	}
	switch strings.ToLower(u.Scheme) {
	case "file":
		p, err := fileURLPath(u)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", raw, err)
		}
		return r.locateLocal(raw, p, true)
	case "http", "https":
		host := strings.ToLower(u.Host)
		for _, gh := range r.github {
			if gh.Host == host {
				return r.locateGitHub(raw, u, gh)
			}
		}
		for _, gl := range r.gitlab {
			if gl.Host == host {
				return r.locateGitLab(raw, u, gl)
			}
		}
		if !r.allowedHTTP(u) {
			return nil, fmt.Errorf("%s is not covered by backend.reading.allow or an integration: %w", u.Redacted(), ErrNotAllowed)
		}
		return &location{kind: sourceHTTP, raw: raw, url: u}, nil
	default:
		return nil, fmt.Errorf("%s: unsupported scheme %q: %w", raw, u.Scheme, errInvalidURL)
	}
}

// fileURLPath extracts the path of a file:// URL. A "?" in it is part of
// the path (file URLs have no query), so globs may use it.
func fileURLPath(u *url.URL) (string, error) {
	if u.Opaque != "" || (u.Host != "" && u.Host != "localhost") {
		return "", fmt.Errorf("file url must be file:///absolute/path: %w", errInvalidURL)
	}
	p := u.Path
	if u.RawQuery != "" || u.ForceQuery {
		p += "?" + u.RawQuery
	}
	return p, nil
}

func (r *Reader) locateLocal(raw, p string, fileURL bool) (*location, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", raw, err)
	}
	if _, _, err := r.localRoot(abs); err != nil {
		return nil, err
	}
	if _, err := r.checkLocal(abs); err != nil {
		return nil, err
	}
	return &location{kind: sourceLocal, raw: raw, localPath: abs, fileURL: fileURL}, nil
}

// locateGit parses git+<remote>#<ref>:<path>.
func (r *Reader) locateGit(raw string) (*location, error) {
	remote, frag, _ := strings.Cut(strings.TrimPrefix(raw, "git+"), "#")
	u, err := url.Parse(remote)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", raw, errInvalidURL)
	}
	switch strings.ToLower(u.Scheme) {
	case "file":
		p, err := fileURLPath(u)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", raw, err)
		}
		if _, _, err := r.localRoot(filepath.Clean(p)); err != nil {
			return nil, err
		}
		if _, err := r.checkLocal(filepath.Clean(p)); err != nil {
			return nil, err
		}
	case "http", "https":
		if !r.allowedHTTP(u) {
			return nil, fmt.Errorf("%s is not covered by backend.reading.allow or an integration: %w", u.Redacted(), ErrNotAllowed)
		}
	default:
		return nil, fmt.Errorf("%s: git remotes must be file, http or https urls: %w", raw, errInvalidURL)
	}
	frag, err = url.PathUnescape(frag)
	if err != nil {
		return nil, fmt.Errorf("%s: bad escape in fragment: %w", raw, errInvalidURL)
	}
	ref, p, _ := strings.Cut(frag, ":")
	if err := checkRefName(ref); err != nil {
		return nil, fmt.Errorf("%s: %w", raw, err)
	}
	return &location{
		kind:    sourceGit,
		raw:     raw,
		remote:  gitRemote{url: remote, auth: r.gitAuth(u)},
		ref:     ref,
		subpath: cleanRepoPath(p),
		urlFor: func(ref, p string) string {
			return "git+" + remote + "#" + escapePath(ref) + ":" + escapePath(p)
		},
	}, nil
}

// checkRefName refuses characters git forbids in ref names, so a ref can
// never be mistaken for an option or a path.
func checkRefName(ref string) error {
	if strings.HasPrefix(ref, "-") || strings.Contains(ref, "..") || strings.HasSuffix(ref, "/") {
		return fmt.Errorf("invalid ref %q: %w", ref, errInvalidURL)
	}
	for _, c := range ref {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			return fmt.Errorf("invalid ref %q: %w", ref, errInvalidURL)
		}
	}
	return nil
}

func (r *Reader) locateGitHub(raw string, u *url.URL, gh GitHubIntegration) (*location, error) {
	segs := pathSegments(u.Path)
	loc := &location{kind: sourceGit, raw: raw}
	switch {
	case len(segs) == 2:
	case len(segs) >= 4 && (segs[2] == "blob" || segs[2] == "tree" || segs[2] == "raw"):
		loc.ref, loc.subpath = segs[3], cleanRepoPath(strings.Join(segs[4:], "/"))
	default:
		return nil, fmt.Errorf("%s: want https://%s/<owner>/<repo>[/blob|tree/<ref>/<path>]: %w", raw, gh.Host, errInvalidURL)
	}
	if err := checkRefName(loc.ref); err != nil {
		return nil, fmt.Errorf("%s: %w", raw, err)
	}
	owner, repo := segs[0], strings.TrimSuffix(segs[1], ".git")
	repoPath := url.PathEscape(owner) + "/" + url.PathEscape(repo)
	origin := u.Scheme + "://" + u.Host
	var auth transport.AuthMethod
	if gh.Token != "" {
		auth = &githttp.BasicAuth{Username: "x-access-token", Password: gh.Token}
	}
	loc.remote = gitRemote{url: origin + "/" + repoPath + ".git", auth: auth}
	loc.urlFor = func(ref, p string) string {
		return origin + "/" + repoPath + "/blob/" + url.PathEscape(ref) + "/" + escapePath(p)
	}
	loc.fileAPI = func(ref, p string) (string, http.Header) {
		h := http.Header{}
		if gh.Token != "" {
			h.Set("Authorization", "Bearer "+gh.Token)
		}
		if gh.APIBaseURL != "" && (gh.Token != "" || gh.RawBaseURL == "") {
			h.Set("Accept", "application/vnd.github.raw")
			return gh.APIBaseURL + "/repos/" + repoPath + "/contents/" + escapePath(p) + "?ref=" + url.QueryEscape(ref), h
		}
		return gh.RawBaseURL + "/" + repoPath + "/" + url.PathEscape(ref) + "/" + escapePath(p), h
	}
	return loc, nil
}

func (r *Reader) locateGitLab(raw string, u *url.URL, gl GitLabIntegration) (*location, error) {
	base, err := url.Parse(gl.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("gitlab integration %q: invalid baseUrl: %w", gl.Host, err)
	}
	p := strings.Trim(u.Path, "/")
	if bp := strings.Trim(base.Path, "/"); bp != "" {
		if !strings.HasPrefix(p, bp+"/") {
			return nil, fmt.Errorf("%s is not under %s: %w", raw, gl.BaseURL, errInvalidURL)
		}
		p = p[len(bp)+1:]
	}
	segs := pathSegments(p)
	loc := &location{kind: sourceGit, raw: raw}
	project := segs
	for i, s := range segs {
		if s != "-" {
			continue
		}
		project = segs[:i]
		if len(segs) < i+3 || (segs[i+1] != "blob" && segs[i+1] != "tree" && segs[i+1] != "raw") {
			return nil, fmt.Errorf("%s: want .../-/blob|tree/<ref>/<path>: %w", raw, errInvalidURL)
		}
		loc.ref, loc.subpath = segs[i+2], cleanRepoPath(strings.Join(segs[i+3:], "/"))
		break
	}
	if len(project) < 2 {
		return nil, fmt.Errorf("%s: want https://%s/<group>/<project>[/-/blob|tree/<ref>/<path>]: %w", raw, gl.Host, errInvalidURL)
	}
	if err := checkRefName(loc.ref); err != nil {
		return nil, fmt.Errorf("%s: %w", raw, err)
	}
	projectPath := strings.TrimSuffix(strings.Join(project, "/"), ".git")
	var auth transport.AuthMethod
	if gl.Token != "" {
		auth = &githttp.BasicAuth{Username: "oauth2", Password: gl.Token}
	}
	loc.remote = gitRemote{url: gl.BaseURL + "/" + escapePath(projectPath) + ".git", auth: auth}
	loc.urlFor = func(ref, p string) string {
		return gl.BaseURL + "/" + escapePath(projectPath) + "/-/blob/" + url.PathEscape(ref) + "/" + escapePath(p)
	}
	loc.fileAPI = func(ref, p string) (string, http.Header) {
		h := http.Header{}
		if gl.Token != "" {
			h.Set("PRIVATE-TOKEN", gl.Token)
		}
		return gl.APIBaseURL + "/projects/" + url.PathEscape(projectPath) +
			"/repository/files/" + url.PathEscape(p) + "/raw?ref=" + url.QueryEscape(ref), h
	}
	return loc, nil
}

// gitAuth picks basic-auth credentials for a git remote by host.
func (r *Reader) gitAuth(u *url.URL) transport.AuthMethod {
	host := strings.ToLower(u.Host)
	for _, gh := range r.github {
		if gh.Host == host && gh.Token != "" {
			return &githttp.BasicAuth{Username: "x-access-token", Password: gh.Token}
		}
	}
	for _, gl := range r.gitlab {
		if gl.Token == "" {
			continue
		}
		if b, err := url.Parse(gl.BaseURL); (err == nil && strings.EqualFold(b.Host, host)) || gl.Host == host {
			return &githttp.BasicAuth{Username: "oauth2", Password: gl.Token}
		}
	}
	for _, g := range r.git {
		if g.Host == host && g.Token != "" {
			return &githttp.BasicAuth{Username: cmp.Or(g.Username, "git"), Password: g.Token}
		}
	}
	return nil
}

// pathSegments splits a URL path into its non-empty segments.
func pathSegments(p string) []string {
	var out []string
	for s := range strings.SplitSeq(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// cleanRepoPath makes p repository-relative: no leading or trailing
// slash, no "." or ".." segments; "" is the root.
func cleanRepoPath(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// escapePath escapes each segment of a "/"-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
