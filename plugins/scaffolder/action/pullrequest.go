package action

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// branchChange describes a commit of workspace files onto a new branch of an existing
// repository.
type branchChange struct {
	cloneURL, base, branch string
	auth                   transport.AuthMethod
	srcDir, targetPath     string
	message                string
	authorName, authorMail string
	allowEmpty             bool
}

// commitToNewBranch clones base, copies srcDir into targetPath of the checkout, commits on a
// new branch and pushes it. It returns the commit hash, or "" when there was nothing to
// commit and allowEmpty is false.
func commitToNewBranch(ctx context.Context, c *Context, d BuiltinDeps, ch branchChange) (string, error) {
	if err := httpRemote(ch.cloneURL); err != nil {
		return "", err
	}
	ctx = withRedirectCheck(ctx, c, ch.cloneURL)
	tmp, err := os.MkdirTemp("", "portico-pr-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	repo, err := git.PlainCloneContext(ctx, tmp, false, &git.CloneOptions{
		URL: ch.cloneURL, Auth: ch.auth, ReferenceName: plumbing.NewBranchReferenceName(ch.base), SingleBranch: true,
	})
	if err != nil {
		return "", fmt.Errorf("clone %s: %w", redactURL(ch.cloneURL), err)
	}
	remoteBranch := plumbing.NewBranchReferenceName(ch.branch)
	refs, err := git.NewRemote(memStorage(), &config.RemoteConfig{Name: "origin", URLs: []string{ch.cloneURL}}).
		ListContext(ctx, &git.ListOptions{Auth: ch.auth})
	if err != nil {
		return "", fmt.Errorf("list branches: %w", err)
	}
	for _, ref := range refs {
		if ref.Name() == remoteBranch {
			return "", fmt.Errorf("branch %s already exists", ch.branch)
		}
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Branch: remoteBranch, Create: true}); err != nil {
		return "", fmt.Errorf("create branch %s: %w", ch.branch, err)
	}
	dst, err := ResolvePath(tmp, ch.targetPath)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	if err := copyChanges(ctx, ch.srcDir, dst); err != nil {
		return "", fmt.Errorf("copy files: %w", err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return "", fmt.Errorf("add files: %w", err)
	}
	status, err := wt.Status()
	if err != nil {
		return "", err
	}
	if status.IsClean() && !ch.allowEmpty {
		return "", nil
	}
	sig := &object.Signature{Name: ch.authorName, Email: ch.authorMail, When: d.Now()}
	hash, err := wt.Commit(ch.message, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	c.log().Info("Pushing branch", "branch", ch.branch)
	err = repo.PushContext(ctx, &git.PushOptions{
		RemoteName: "origin", Auth: ch.auth,
		RefSpecs: []config.RefSpec{config.RefSpec(remoteBranch + ":" + remoteBranch)},
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return "", fmt.Errorf("push branch %s: %w", ch.branch, err)
	}
	return hash.String(), nil
}

// copyChanges copies the workspace files into a checkout, leaving out .git directories.
func copyChanges(ctx context.Context, src, dst string) error {
	return walkCopy(ctx, src, dst, func(p, rel, out string, d fs.DirEntry, info fs.FileInfo) error {
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if rel == "." {
			return nil
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return writeFile(out, b, info.Mode().Perm())
		}
		return nil
	})
}

func newGitHubPullRequest(d BuiltinDeps) Action {
	const id = "publish:github:pull-request"
	return &undoable{
		builtin: builtin{
			id:          id,
			description: "Creates a pull request on GitHub with the contents of the workspace on a new branch.",
			schema: schema(`{"type":"object","required":["repoUrl","title","description","branchName"],"properties":{
"repoUrl":{"type":"string","title":"Repository Location"},
"branchName":{"type":"string","title":"Branch Name","description":"The name for the branch"},
"targetBranchName":{"type":"string","title":"Target Branch Name","description":"The target branch name of the pull request (default: the repository's default branch)"},
"title":{"type":"string","title":"Pull Request Name"},
"description":{"type":"string","title":"Pull Request Description"},
"draft":{"type":"boolean","title":"Create as Draft"},
"targetPath":{"type":"string","title":"Repository Subdirectory","description":"Subdirectory of repository to apply changes to"},
"sourcePath":{"type":"string","title":"Working Subdirectory","description":"Subdirectory of working directory to copy changes from"},
"token":{"type":"string","title":"Authentication Token"},
"reviewers":{"type":"array","items":{"type":"string"},"title":"Pull Request Reviewers"},
"teamReviewers":{"type":"array","items":{"type":"string"},"title":"Pull Request Team Reviewers"},
"commitMessage":{"type":"string","title":"Commit Message","description":"The commit message; defaults to the title"},
"gitAuthorName":{"type":"string"},"gitAuthorEmail":{"type":"string"},
"createWhenEmpty":{"type":"boolean","description":"Create the pull request when there is nothing to commit. Default: true"}}}`,
				`{"type":"object","properties":{
"remoteUrl":{"type":"string","title":"Pull Request URL"},
"pullRequestNumber":{"type":"number","title":"The pull request number"},
"targetBranchName":{"type":"string","title":"Target branch name of the pull request"},
"commitHash":{"type":"string","title":"The commit on the new branch"}}}`),
			handle: onGitHub(d, id, func(ctx context.Context, c *Context, r *githubRepo) error {
				if err := r.lookup(ctx); err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				base := strDefault(c.Input, "targetBranchName", r.defaultBranch)
				src, err := ResolvePath(c.Workspace, str(c.Input, "sourcePath"))
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				allowEmpty := true
				if v, ok := c.Input["createWhenEmpty"].(bool); ok {
					allowEmpty = v
				}
				branch := str(c.Input, "branchName")
				hash, err := commitToNewBranch(ctx, c, d, branchChange{
					cloneURL: r.cloneURL, base: base, branch: branch, auth: r.auth(),
					srcDir: src, targetPath: str(c.Input, "targetPath"),
					message:    strDefault(c.Input, "commitMessage", str(c.Input, "title")),
					authorName: strDefault(c.Input, "gitAuthorName", d.DefaultAuthorName),
					authorMail: strDefault(c.Input, "gitAuthorEmail", d.DefaultAuthorEmail),
					allowEmpty: allowEmpty,
				})
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				if hash == "" {
					c.log().Info("No changes to commit; no pull request created")
					return nil
				}
				c.output("commitHash", hash)
				var pr struct {
					Number  float64 `json:"number"`
					HTMLURL string  `json:"html_url"`
				}
				body := map[string]any{"title": str(c.Input, "title"), "head": branch, "base": base, "body": str(c.Input, "description"), "draft": boolean(c.Input, "draft")}
				if err := r.call(ctx, http.MethodPost, r.repoAPI()+"/pulls", body, &pr); err != nil {
					return fmt.Errorf("%s: create pull request: %w", id, err)
				}
				c.output("remoteUrl", pr.HTMLURL)
				c.output("pullRequestNumber", pr.Number)
				c.output("targetBranchName", base)
				users, teams := strSlice(c.Input, "reviewers"), strSlice(c.Input, "teamReviewers")
				if len(users)+len(teams) > 0 {
					rb := map[string]any{"reviewers": orEmptyStrings(users), "team_reviewers": orEmptyStrings(teams)}
					u := r.repoAPI() + "/pulls/" + strconv.Itoa(int(pr.Number)) + "/requested_reviewers"
					if err := r.call(ctx, http.MethodPost, u, rb, nil); err != nil {
						c.log().Warn("Failure when adding reviewers to the pull request", "error", err.Error())
					}
				}
				return nil
			}, "title", "branchName"),
		},
		// Undo closes the pull request and deletes its branch.
		undo: func(ctx context.Context, c *Context, output map[string]any) error {
			r, err := openGitHub(c, d, id)
			if err != nil {
				return fmt.Errorf("%s undo: %w", id, err)
			}
			if n, ok := output["pullRequestNumber"].(float64); ok {
				u := r.repoAPI() + "/pulls/" + strconv.Itoa(int(n))
				if err := r.call(ctx, http.MethodPatch, u, map[string]any{"state": "closed"}, nil); err != nil {
					return fmt.Errorf("%s undo: close pull request: %w", id, err)
				}
			}
			if hash := str(output, "commitHash"); hash != "" {
				if err := r.lookup(ctx); err != nil {
					return fmt.Errorf("%s undo: %w", id, err)
				}
				if err := deleteRemoteBranch(ctx, c, r.cloneURL, str(c.Input, "branchName"), hash, r.auth()); err != nil {
					return fmt.Errorf("%s undo: %w", id, err)
				}
			}
			return nil
		},
	}
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
