package urlreader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// objectCacheSize bounds go-git's in-memory object cache per open
// repository (its default is 96 MiB).
const objectCacheSize = 8 * cache.MiByte

// snapshot is one commit of a cached repository, read under its lock.
type snapshot struct {
	repo   *git.Repository
	commit *object.Commit
	label  string // the ref for URLs: as given, or the default branch
	key    string // lock key of the cache entry
}

// wantRef is a remote ref resolved to the commit to read.
type wantRef struct {
	name  plumbing.ReferenceName // what to fetch; "" fetches all branches and tags
	hash  plumbing.Hash          // the commit (tags peeled when the remote says how)
	label string
}

// openSnapshot fetches loc's ref into the cache if needed and returns the
// commit with the cache entry locked; the caller must call unlock. A
// non-empty etag equal to the commit id returns ErrNotModified before any
// fetch.
func (r *Reader) openSnapshot(ctx context.Context, loc *location, etag string) (*snapshot, func(), error) {
	cacheRoot, err := r.gitCacheDir()
	if err != nil {
		return nil, nil, err
	}
	byHash := isFullHash(loc.ref)
	dir := filepath.Join(cacheRoot, cacheKey(loc.remote.url, byHash))

	var want wantRef
	fetchURL := loc.remote.url
	if byHash {
		want = wantRef{hash: plumbing.NewHash(loc.ref), label: loc.ref}
	} else {
		refs, finalURL, err := r.listRemote(ctx, loc.remote)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", loc.raw, err)
		}
		fetchURL = finalURL
		if want, err = resolveRef(refs, loc.ref); err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", loc.raw, err)
		}
	}
	if etag != "" && etag == want.hash.String() {
		return nil, nil, fmt.Errorf("read %s: %w", loc.raw, ErrNotModified)
	}

	release, err := r.locks.lock(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	repo, hash, err := r.ensureCommit(ctx, dir, loc.remote, fetchURL, want)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("read %s: %w", loc.raw, err)
	}
	commit, err := commitFor(repo, hash)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("read %s: commit %s: %w", loc.raw, hash, err)
	}
	return &snapshot{repo: repo, commit: commit, label: want.label, key: dir}, release, nil
}

// ensureCommit makes sure want is in the cached repository at dir,
// fetching it if not, and returns the id to read. That is want.hash, or
// the ref's newer value when the remote moved between listing and
// fetching. A broken cache entry is removed and fetched afresh once.
func (r *Reader) ensureCommit(ctx context.Context, dir string, remote gitRemote, fetchURL string, want wantRef) (*git.Repository, plumbing.Hash, error) {
	repo, err := openOrInitBare(dir, remote.url)
	if err == nil && hasObject(repo, want.hash) {
		return repo, want.hash, nil
	}
	if err == nil {
		err = r.fetchInto(ctx, repo, remote, fetchURL, want)
	}
	if err != nil && ctx.Err() == nil && !isRemoteError(err) {
		r.logger.WarnContext(ctx, "rebuilding git cache entry", "dir", dir, "err", err)
		if rmErr := os.RemoveAll(dir); rmErr != nil {
			return nil, plumbing.ZeroHash, fmt.Errorf("reset git cache: %w", rmErr)
		}
		repo, err = openOrInitBare(dir, remote.url)
		if err == nil {
			err = r.fetchInto(ctx, repo, remote, fetchURL, want)
		}
	}
	if err != nil {
		return nil, plumbing.ZeroHash, mapGitError(err)
	}
	if hasObject(repo, want.hash) {
		return repo, want.hash, nil
	}
	if want.name != "" {
		if ref, err := repo.Reference(localRefName(want.name), true); err == nil && hasObject(repo, ref.Hash()) {
			return repo, ref.Hash(), nil
		}
	}
	return nil, plumbing.ZeroHash, fmt.Errorf("commit %s not on the remote: %w", want.hash, ErrNotFound)
}

// localRefName is where a fetched remote ref is stored in the cache.
func localRefName(remote plumbing.ReferenceName) plumbing.ReferenceName {
	if remote == plumbing.HEAD {
		return "refs/remote-head/HEAD"
	}
	return remote
}

func (r *Reader) fetchInto(ctx context.Context, repo *git.Repository, remote gitRemote, fetchURL string, want wantRef) error {
	opts := &git.FetchOptions{
		RemoteName: git.DefaultRemoteName,
		RemoteURL:  fetchURL,
		Auth:       remote.auth,
		Tags:       git.NoTags,
		Force:      true,
	}
	if want.name == "" {
		// A commit id: servers rarely allow fetching an unadvertised commit,
		// so take every branch and tag with full history.
		opts.RefSpecs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}
	} else {
		opts.RefSpecs = []config.RefSpec{config.RefSpec("+" + want.name.String() + ":" + localRefName(want.name).String())}
		opts.Depth = 1
	}
	start := time.Now()
	err := repo.FetchContext(ctx, opts)
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		err = nil
	}
	r.logger.DebugContext(ctx, "git fetch", "remote", redactURL(fetchURL), "ref", want.name.String(),
		"depth", opts.Depth, "duration", time.Since(start), "err", err)
	return err
}

func openOrInitBare(dir, remoteURL string) (*git.Repository, error) {
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRU(objectCacheSize))
	repo, err := git.Open(st, nil)
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return repo, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if repo, err = git.Init(st, nil); err != nil {
		return nil, err
	}
	_, err = repo.CreateRemote(&config.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{remoteURL}})
	return repo, err
}

func hasObject(repo *git.Repository, h plumbing.Hash) bool {
	_, err := repo.Storer.EncodedObject(plumbing.AnyObject, h)
	return err == nil
}

// commitFor returns the commit h names, peeling an annotated tag.
func commitFor(repo *git.Repository, h plumbing.Hash) (*object.Commit, error) {
	c, err := repo.CommitObject(h)
	if err == nil {
		return c, nil
	}
	tag, tagErr := repo.TagObject(h)
	if tagErr != nil {
		return nil, err
	}
	return tag.Commit()
}

// resolveRef finds ref ("" for HEAD, a branch, a tag or a full ref name)
// among the advertised refs.
func resolveRef(rr remoteRefs, ref string) (wantRef, error) {
	if ref == "" {
		return resolveHead(rr)
	}
	candidates := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref)}
	if strings.HasPrefix(ref, "refs/") {
		candidates = []plumbing.ReferenceName{plumbing.ReferenceName(ref)}
	}
	for _, name := range candidates {
		if h, ok := rr.hash(name); ok {
			return wantRef{name: name, hash: h, label: ref}, nil
		}
	}
	return wantRef{}, fmt.Errorf("ref %q: %w", ref, ErrNotFound)
}

func resolveHead(rr remoteRefs) (wantRef, error) {
	head, ok := rr.refs[plumbing.HEAD]
	if !ok {
		return wantRef{}, fmt.Errorf("remote has no HEAD: %w", ErrNotFound)
	}
	if head.Type() == plumbing.SymbolicReference {
		if h, ok := rr.hash(head.Target()); ok {
			return wantRef{name: head.Target(), hash: h, label: head.Target().Short()}, nil
		}
		return wantRef{}, fmt.Errorf("remote HEAD points to missing %s: %w", head.Target(), ErrNotFound)
	}
	// No symref capability: name HEAD after a branch at the same commit.
	var names []plumbing.ReferenceName
	for name, ref := range rr.refs {
		if name.IsBranch() && ref.Hash() == head.Hash() {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b plumbing.ReferenceName) int {
		return cmpBranch(a.Short(), b.Short())
	})
	if len(names) > 0 {
		return wantRef{name: names[0], hash: head.Hash(), label: names[0].Short()}, nil
	}
	return wantRef{name: plumbing.HEAD, hash: head.Hash(), label: head.Hash().String()}, nil
}

// cmpBranch orders main and master first, then by name.
func cmpBranch(a, b string) int {
	rank := func(s string) int {
		switch s {
		case "main":
			return 0
		case "master":
			return 1
		}
		return 2
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

// gitFiles lists the regular and executable files under dir of the
// snapshot. Symlinks and submodules are left out.
func (r *Reader) gitFiles(snap *snapshot, dir string, filter func(string) bool) ([]File, error) {
	root, err := snap.commit.Tree()
	if err != nil {
		return nil, err
	}
	t := root
	if dir != "" {
		if t, err = root.Tree(dir); err != nil {
			if errors.Is(err, object.ErrDirectoryNotFound) {
				return nil, fmt.Errorf("directory %q: %w", dir, ErrNotFound)
			}
			return nil, err
		}
	}
	walker := object.NewTreeWalker(t, true, nil)
	defer walker.Close()
	var files []File
	for {
		name, entry, err := walker.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if entry.Mode != filemode.Regular && entry.Mode != filemode.Executable && entry.Mode != filemode.Deprecated {
			continue
		}
		if filter != nil && !filter(name) {
			continue
		}
		files = append(files, File{
			Path:         name,
			LastModified: snap.commit.Committer.When,
			Content:      r.blobContent(snap, entry.Hash, name),
		})
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// blobContent reads a blob later, under the cache entry's lock, so it
// never races a fetch into the same repository.
func (r *Reader) blobContent(snap *snapshot, h plumbing.Hash, name string) func() ([]byte, error) {
	return func() ([]byte, error) {
		unlock, err := r.locks.lock(context.Background(), snap.key)
		if err != nil {
			return nil, err
		}
		defer unlock()
		data, err := r.readBlob(snap.repo, h)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		return data, nil
	}
}

func (r *Reader) readBlob(repo *git.Repository, h plumbing.Hash) ([]byte, error) {
	blob, err := repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	if blob.Size > r.maxBytes {
		return nil, fmt.Errorf("%d bytes exceeds the limit of %d: %w", blob.Size, r.maxBytes, ErrTooLarge)
	}
	rd, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return readLimited(rd, blob.Size, r.maxBytes)
}

// isRemoteError reports errors a fresh cache would not fix.
func isRemoteError(err error) bool {
	return errors.Is(err, transport.ErrRepositoryNotFound) ||
		errors.Is(err, transport.ErrEmptyRemoteRepository) ||
		errors.Is(err, transport.ErrAuthenticationRequired) ||
		errors.Is(err, transport.ErrAuthorizationFailed) ||
		errors.Is(err, ErrNotAllowed)
}

func mapGitError(err error) error {
	switch {
	case errors.Is(err, transport.ErrRepositoryNotFound), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("%w; check the integration token", err)
	}
	return err
}

func cacheKey(remoteURL string, full bool) string {
	mode := "shallow"
	if full {
		mode = "full"
	}
	sum := sha256.Sum256([]byte(mode + "\x00" + remoteURL))
	return hex.EncodeToString(sum[:12])
}

func isFullHash(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
