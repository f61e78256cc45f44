package action

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/portico-dev/portico/framework/urlreader"
)

// pushSpec says what to commit and where to push it.
type pushSpec struct {
	dir, remoteURL, branch string
	auth                   transport.AuthMethod
	authorName, authorMail string
	message                string
}

// commitAndPush initialises a repository in dir (or reuses one), commits every file and
// pushes the branch to the remote. It returns the commit hash.
func commitAndPush(ctx context.Context, c *Context, d BuiltinDeps, s pushSpec) (string, error) {
	if err := httpRemote(s.remoteURL); err != nil {
		return "", err
	}
	ctx = withRedirectCheck(ctx, c, s.remoteURL)
	if _, err := os.Stat(s.dir); err != nil {
		return "", fmt.Errorf("source directory: %w", err)
	}
	branch := plumbing.NewBranchReferenceName(s.branch)
	repo, err := git.PlainInitWithOptions(s.dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: branch},
	})
	if errors.Is(err, git.ErrRepositoryAlreadyExists) {
		repo, err = git.PlainOpen(s.dir)
	}
	if err != nil {
		return "", fmt.Errorf("init repository: %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("worktree: %w", err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return "", fmt.Errorf("add files: %w", err)
	}
	sig := &object.Signature{Name: s.authorName, Email: s.authorMail, When: d.Now()}
	hash, err := wt.Commit(s.message, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	// Make sure the commit is on the wanted branch even in a reused repository.
	if err := repo.Storer.SetReference(plumbing.NewHashReference(branch, hash)); err != nil {
		return "", fmt.Errorf("set branch: %w", err)
	}
	_ = repo.DeleteRemote("origin")
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{s.remoteURL}}); err != nil {
		return "", fmt.Errorf("add remote: %w", err)
	}
	c.log().Info("Pushing to remote", "remote", redactURL(s.remoteURL), "branch", s.branch)
	err = repo.PushContext(ctx, &git.PushOptions{
		RemoteName: "origin",
		RefSpecs:   []config.RefSpec{config.RefSpec(branch + ":" + branch)},
		Auth:       s.auth,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return "", fmt.Errorf("push to %s: %w", redactURL(s.remoteURL), err)
	}
	return hash.String(), nil
}

// deleteRemoteBranch removes branch from the remote if it still points at commit, undoing a
// push to a branch the push created.
func deleteRemoteBranch(ctx context.Context, c *Context, remoteURL, branch, commit string, auth transport.AuthMethod) error {
	if err := httpRemote(remoteURL); err != nil {
		return err
	}
	ctx = withRedirectCheck(ctx, c, remoteURL)
	rem := git.NewRemote(nil, &config.RemoteConfig{Name: "origin", URLs: []string{remoteURL}})
	refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: auth})
	if err != nil {
		if errors.Is(err, transport.ErrRepositoryNotFound) || errors.Is(err, transport.ErrEmptyRemoteRepository) {
			return nil
		}
		return fmt.Errorf("list remote: %w", err)
	}
	name := plumbing.NewBranchReferenceName(branch)
	for _, r := range refs {
		if r.Name() == name {
			if r.Hash().String() != commit {
				return fmt.Errorf("branch %s has moved on since it was pushed; leaving it", branch)
			}
			// A remote without a local repository cannot push; use an in-memory one.
			tmp, err := git.Init(memStorage(), nil)
			if err != nil {
				return err
			}
			if _, err := tmp.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{remoteURL}}); err != nil {
				return err
			}
			err = tmp.PushContext(ctx, &git.PushOptions{
				RemoteName: "origin",
				RefSpecs:   []config.RefSpec{config.RefSpec(":" + name)},
				Auth:       auth,
			})
			if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
				return fmt.Errorf("delete branch %s: %w", branch, err)
			}
			return nil
		}
	}
	return nil
}

// httpRemote refuses a git remote that is not a plain http(s) URL with a host: file:// URLs,
// local paths, ssh:// and git:// would let a push or clone reach the server's own disk (the
// URL reader's git cache among it) or hosts outside the integrations. Every push, clone and
// branch deletion of the publish actions goes through it; publish:git, whose remote comes
// from the template, also checks the host (checkPushRemote).
func httpRemote(remote string) error {
	if strings.HasPrefix(remote, "git+") || !urlreader.IsRemote(remote) {
		return inputErr("remote %q is not an http(s) URL; git remotes must be https:// (or http://) URLs on a configured host", redactURL(remote))
	}
	return nil
}

// checkPushRemote refuses a template's remoteUrl that is not an http(s) URL on a host the
// operator configured: an integration host or a backend.reading.allow entry, the same list the
// URL reader reads from (urlreader.Reader.AllowsHost). A template is written by whoever can
// register a url location, so its remote must not choose where the server pushes.
func checkPushRemote(c *Context, id, remote string) error {
	if err := httpRemote(remote); err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	if c.Reader == nil {
		return fmt.Errorf("%s: no URL reader configured to check the remote's host", id)
	}
	if !c.Reader.AllowsHost(remote) {
		return inputErr("%s: no matching integration configuration for host %s, please check your integrations config (or backend.reading.allow)", id, hostOf(remote))
	}
	return nil
}

// redactURL drops credentials from a URL for logs and errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// gitAuth chooses HTTP basic-auth credentials for remoteURL: the step's token, else the
// integration configured for its host. Nil means anonymous.
func gitAuth(in Integrations, remoteURL, token string) transport.AuthMethod {
	host := hostOf(remoteURL)
	if u, err := url.Parse(remoteURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil
	}
	user := "x-access-token"
	for _, g := range in.Git {
		if strings.EqualFold(g.Host, host) {
			if token == "" {
				token = g.Token
			}
			if g.Username != "" {
				user = g.Username
			}
		}
	}
	for _, g := range in.GitHub {
		if strings.EqualFold(githubHost(g.Host), host) && token == "" {
			token = g.Token
		}
	}
	for _, g := range in.GitLab {
		if strings.EqualFold(gitlabHost(g.Host), host) || (g.BaseURL != "" && strings.EqualFold(hostOf(g.BaseURL), host)) {
			user = "oauth2"
			if token == "" {
				token = g.Token
			}
		}
	}
	if token == "" {
		return nil
	}
	return &githttp.BasicAuth{Username: user, Password: token}
}

func newPublishGit(d BuiltinDeps) Action {
	return &undoable{
		builtin: builtin{
			id:          "publish:git",
			description: "Initializes a git repository with the contents of the workspace, and pushes it to a remote git repository over HTTP(S) on a configured host (an integration or backend.reading.allow; credentials from the integrations config or the token input).",
			schema: schema(`{"type":"object","required":["remoteUrl"],"properties":{
"remoteUrl":{"type":"string","title":"Remote URL","description":"http(s) URL of the remote repository on a configured host (integrations or backend.reading.allow), e.g. https://git.example.com/team/repo.git"},
"defaultBranch":{"type":"string","title":"Default Branch","description":"Branch to push to. Defaults to main"},
"sourcePath":{"type":"string","title":"Source Path","description":"Path within the workspace that will be used as the repository root. Defaults to the workspace root."},
"gitCommitMessage":{"type":"string","title":"Git Commit Message","description":"Sets the commit message on the repository. Defaults to initial commit"},
"gitAuthorName":{"type":"string","title":"Git Author Name"},
"gitAuthorEmail":{"type":"string","title":"Git Author Email"},
"token":{"type":"string","title":"Token","description":"Token used for authentication instead of the integration's"}}}`,
				`{"type":"object","properties":{"remoteUrl":{"type":"string","title":"The remote URL of the repository"},"repoContentsUrl":{"type":"string","title":"The repository root at the pushed branch, as git+<remote>#<branch>: (feeds catalog:register)"},"commitHash":{"type":"string","title":"The git commit hash of the pushed commit"},"branch":{"type":"string"}}}`),
			handle: func(ctx context.Context, c *Context) error {
				if err := require(c.Input, "remoteUrl"); err != nil {
					return err
				}
				remote := str(c.Input, "remoteUrl")
				if err := checkPushRemote(c, "publish:git", remote); err != nil {
					return err
				}
				dir, err := ResolvePath(c.Workspace, str(c.Input, "sourcePath"))
				if err != nil {
					return fmt.Errorf("publish:git: %w", err)
				}
				branch := strDefault(c.Input, "defaultBranch", "main")
				hash, err := commitAndPush(ctx, c, d, pushSpec{
					dir: dir, remoteURL: remote, branch: branch,
					auth:       gitAuth(c.Integrations, remote, str(c.Input, "token")),
					authorName: strDefault(c.Input, "gitAuthorName", d.DefaultAuthorName),
					authorMail: strDefault(c.Input, "gitAuthorEmail", d.DefaultAuthorEmail),
					message:    strDefault(c.Input, "gitCommitMessage", d.DefaultCommitMessage),
				})
				if err != nil {
					return fmt.Errorf("publish:git: %w", err)
				}
				c.output("remoteUrl", redactURL(remote))
				// The catalog and the URL reader read any git remote as git+<remote>#<ref>:<path>.
				c.output("repoContentsUrl", "git+"+redactURL(remote)+"#"+branch+":")
				c.output("commitHash", hash)
				c.output("branch", branch)
				return nil
			},
		},
		undo: func(ctx context.Context, c *Context, output map[string]any) error {
			remote, hash := str(c.Input, "remoteUrl"), str(output, "commitHash")
			if remote == "" || hash == "" {
				return nil
			}
			if err := checkPushRemote(c, "publish:git undo", remote); err != nil {
				return err
			}
			branch := strDefault(output, "branch", strDefault(c.Input, "defaultBranch", "main"))
			if err := deleteRemoteBranch(ctx, c, remote, branch, hash, gitAuth(c.Integrations, remote, str(c.Input, "token"))); err != nil {
				return fmt.Errorf("publish:git undo: %w", err)
			}
			c.log().Info("Deleted pushed branch", "remote", redactURL(remote), "branch", branch)
			return nil
		},
	}
}

func memStorage() *memory.Storage { return memory.NewStorage() }
