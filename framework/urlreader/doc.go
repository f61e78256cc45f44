// Package urlreader is the urlReader core service: it reads single files,
// directory trees and glob searches from local disk, plain HTTP(S) hosts,
// GitHub, GitLab and any git repository, the Go counterpart of Backstage's
// UrlReader.
//
// Accepted locations:
//
//	/abs/path, ./rel/path, file:///abs/path
//	    Local disk. Only paths under Options.LocalRoots are readable; with no
//	    roots configured, local reading is off. Paths inside
//	    Options.DeniedDirs (the data directory) are never read, also not
//	    through a symlink.
//	http(s)://host/path
//	    A plain GET. The host must match Options.Allow (backend.reading.allow)
//	    or be an integration host. Only ReadURL and glob-free Search work here.
//	https://github.com/<owner>/<repo>/blob/<ref>/<path>
//	    A GitHub file, read through the contents API (when a token is set or no
//	    raw host is known) or the raw host. tree/<ref>/<path> names a
//	    directory, and https://github.com/<owner>/<repo> the repository root at
//	    its default branch. The ref is the single segment after blob/tree, so
//	    branch names containing "/" cannot be addressed in this form.
//	    github.com is always an integration, as in Backstage: without an
//	    integrations.github entry for it, public repositories are read
//	    anonymously (raw host, api.github.com, git over https).
//	https://gitlab.com/<group>/<project>/-/blob/<ref>/<path>
//	    A GitLab file, read through the repository files API with
//	    PRIVATE-TOKEN; -/tree/<ref>/<path> names a directory.
//	git+<remote>#<ref>:<path>
//	    Any git repository. <remote> is a URL go-git can fetch from (file://,
//	    http://, https://), e.g. git+file:///srv/repo.git#main:docs or
//	    git+https://git.example.com/team/repo.git#v1.2.0:catalog-info.yaml.
//	    The fragment is optional; its parts are split at the first ":" (git
//	    forbids ":" in ref names, so the split is unambiguous). <ref> is a
//	    branch, a tag, a full ref name (refs/...) or a 40-hex commit id; empty
//	    means the remote's HEAD. <path> is relative to the repository root;
//	    empty means the root. "#main" alone is the root of main.
//
// Trees and searches on GitHub, GitLab and git+ locations go through go-git:
// the repository is fetched (shallow, one ref at a time) into a bare
// repository under Options.CacheDir, keyed by remote URL, and read from its
// object store without a checkout. A per-repository lock serialises fetches
// and reads of one cache entry; the cache directory must not be shared by
// two running processes. file:// remotes need the git binary on PATH.
//
// Reader.Remote is a view that reads only http(s) and git+http(s) sources:
// reads whose URL comes from content a user controls (a url location, its
// placeholders, a template read from one) go through it, so they never reach
// the server's disk.
//
// Globs in Search use "/"-separated segments: "*", "?" and "[...]" match
// within one segment, "**" matches any number of segments, and wildcards do
// not match names starting with "." unless the pattern segment does.
package urlreader
