package urlreader

import (
	"log/slog"
	"net/http"
	"time"
)

// DefaultMaxBytes is the per-read size limit when Options.MaxBytes is zero.
const DefaultMaxBytes = 20 << 20

// Options configures a Reader. The zero value reads nothing: set Allow,
// Integrations or LocalRoots to open sources.
type Options struct {
	// Allow lists the plain HTTP(S) hosts that may be read
	// (backend.reading.allow). Integration hosts are always allowed.
	Allow []AllowRule
	// Integrations holds credentials and endpoints for repository hosts
	// (integrations.github, integrations.gitlab, and plain git hosts).
	Integrations Integrations
	// LocalRoots lists the directories that local paths, file:// URLs and
	// git+file:// repositories may be read from. Empty turns local reading
	// off, so a URL taken from a user cannot read the server's disk.
	LocalRoots []string
	// DeniedDirs are never read, whatever LocalRoots says: local paths,
	// file:// URLs, trees, searches and git+file:// remotes inside one are
	// refused with ErrNotAllowed, checked on the path as given and on the
	// real path after symlinks are resolved. The framework puts the data
	// directory (databases, keys, the git cache) here.
	DeniedDirs []string
	// DeniedExceptions are subdirectories of DeniedDirs that stay readable
	// (still only under LocalRoots), e.g. the example catalog the binary
	// extracts into the data directory. A symlink from one into the rest of
	// a denied directory is still refused.
	DeniedExceptions []string
	// HTTPClient performs HTTP reads and the first request of git smart
	// HTTP (ref discovery); nil means a client with timeouts. The Reader
	// uses a copy whose redirect policy also enforces Allow. The pack
	// download itself goes through go-git's own client, to the URL
	// discovery ended at.
	HTTPClient *http.Client
	// MaxBytes caps the size of one file or response body; 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// CacheDir keeps fetched git repositories; empty means a temporary
	// directory created on first use and removed by Close.
	CacheDir string
	// Logger receives debug logs of fetches; nil discards them.
	Logger *slog.Logger
}

// AllowRule is one entry of backend.reading.allow.
type AllowRule struct {
	// Host is "example.com", "*.example.com" (subdomains only) or either with
	// ":port" or ":from-to". Without a port only URLs without an explicit
	// (non-default) port match.
	Host string
	// Paths, when set, restricts matches to URL paths starting with one of
	// these prefixes (after resolving "." and ".." segments).
	Paths []string
}

// Integrations are the repository hosts the Reader knows how to talk to.
type Integrations struct {
	GitHub []GitHubIntegration
	GitLab []GitLabIntegration
	// Git lists plain git hosts that need credentials for git+http(s) URLs.
	Git []GitIntegration
}

// GitHubIntegration is one entry of integrations.github.
type GitHubIntegration struct {
	// Host is the web host (with port, if any); default "github.com".
	Host string
	// APIBaseURL defaults to https://api.github.com for github.com; GitHub
	// Enterprise uses https://<host>/api/v3.
	APIBaseURL string
	// RawBaseURL defaults to https://raw.githubusercontent.com for github.com.
	RawBaseURL string
	// Token authenticates API calls (Bearer) and git fetches
	// (x-access-token basic auth).
	Token string
}

// GitLabIntegration is one entry of integrations.gitlab.
type GitLabIntegration struct {
	// Host is the web host (with port, if any); default "gitlab.com".
	Host string
	// APIBaseURL defaults to https://<host>/api/v4.
	APIBaseURL string
	// BaseURL is where the web UI and git remotes live; default
	// https://<host>. A path in it (https://host/gitlab) is honoured.
	BaseURL string
	// Token authenticates API calls (PRIVATE-TOKEN) and git fetches (oauth2
	// basic auth).
	Token string
}

// GitIntegration gives basic-auth credentials for git+http(s) remotes on
// one host.
type GitIntegration struct {
	Host     string
	Username string
	Token    string
}

// ReadOptions makes ReadURL conditional.
type ReadOptions struct {
	// ETag from a previous response; a match returns ErrNotModified.
	ETag string
	// LastModifiedAfter returns ErrNotModified when the source has not
	// changed since this time.
	LastModifiedAfter time.Time
}

// ReadResponse is the content of one file.
type ReadResponse struct {
	Body []byte
	// ETag identifies this version: the server's ETag for HTTP, the blob id
	// for git, a content hash for local files. Empty when unknown.
	ETag string
	// LastModified is zero when unknown; the commit time for git.
	LastModified time.Time
}

// TreeOptions adjusts ReadTree.
type TreeOptions struct {
	// ETag from a previous Tree; a match returns ErrNotModified.
	ETag string
	// Filter, when set, keeps only files whose tree-relative,
	// "/"-separated path it accepts.
	Filter func(path string) bool
}

// SearchOptions adjusts Search. It has no fields yet.
type SearchOptions struct{}

// SearchResult is one file matched by Search.
type SearchResult struct {
	// URL reads this file again through ReadURL.
	URL          string
	Content      func() ([]byte, error)
	LastModified time.Time
}
