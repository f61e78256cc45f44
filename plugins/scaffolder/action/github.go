package action

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// Input schema fragments of the GitHub actions.
const (
	githubRepoProps = `
"homepage":{"type":"string","title":"Repository Homepage"},
"topics":{"type":"array","items":{"type":"string"},"title":"Topics"},
"hasWiki":{"type":"boolean"},"hasProjects":{"type":"boolean"},"hasIssues":{"type":"boolean"},
"allowMergeCommit":{"type":"boolean"},"allowSquashMerge":{"type":"boolean"},"allowRebaseMerge":{"type":"boolean"},"allowAutoMerge":{"type":"boolean"},
"deleteBranchOnMerge":{"type":"boolean"},
"access":{"type":"string","title":"Repository Access","description":"Sets an admin collaborator on the repository: a user login or an org/team-slug"},
"collaborators":{"type":"array","title":"Collaborators","items":{"type":"object","required":["access"],"properties":{"access":{"type":"string","enum":["pull","push","admin","maintain","triage"]},"user":{"type":"string"},"team":{"type":"string"},"username":{"type":"string"}}}}`
	githubProtectProps = `
"protectDefaultBranch":{"type":"boolean","title":"Protect Default Branch","description":"Protect the default branch after creating the repository. The default value is true"},
"protectEnforceAdmins":{"type":"boolean","title":"Enforce Admins On Protected Branches","description":"Enforce admins to adhere to default branch protection. The default value is true"},
"requireCodeOwnerReviews":{"type":"boolean"},"dismissStaleReviews":{"type":"boolean"},
"requiredApprovingReviewCount":{"type":"number"},"requireBranchesToBeUpToDate":{"type":"boolean"},
"requiredConversationResolution":{"type":"boolean"},
"requiredStatusCheckContexts":{"type":"array","items":{"type":"string"}},
"bypassPullRequestAllowances":{"type":"object"},"restrictions":{"type":"object"}`
)

// githubRepo is one repository on a GitHub host, with the credentials to reach it.
type githubRepo struct {
	d                 BuiltinDeps
	api, token        string
	owner, repo       string
	hdr               http.Header
	htmlURL, cloneURL string
	defaultBranch     string
}

func (r *githubRepo) repoAPI() string {
	return r.api + "/repos/" + url.PathEscape(r.owner) + "/" + url.PathEscape(r.repo)
}

// openGitHub parses the step's repoUrl and finds the API and token for its host.
// onGitHub is the handler of a GitHub action: once the inputs named in required are there, it
// opens the step's repository (openGitHub) and runs fn on it.
func onGitHub(d BuiltinDeps, id string, fn func(ctx context.Context, c *Context, r *githubRepo) error, required ...string) func(ctx context.Context, c *Context) error {
	return func(ctx context.Context, c *Context) error {
		if err := require(c.Input, required...); err != nil {
			return err
		}
		r, err := openGitHub(c, d, id)
		if err != nil {
			return err
		}
		return fn(ctx, c, r)
	}
}

func openGitHub(c *Context, d BuiltinDeps, id string) (*githubRepo, error) {
	if err := require(c.Input, "repoUrl"); err != nil {
		return nil, err
	}
	spec, err := nunjucks.ParseRepoURL(str(c.Input, "repoUrl"), HostType(c.Integrations))
	if err != nil {
		return nil, inputErr("%s: %v", id, err)
	}
	if spec.Owner == "" {
		return nil, inputErr("%s: invalid repository owner provided in repoUrl", id)
	}
	gh, ok := findGitHub(c.Integrations, spec.Host)
	if !ok {
		return nil, inputErr("%s: no matching integration configuration for host %s, please check your integrations config", id, spec.Host)
	}
	token := str(c.Input, "token")
	if token == "" {
		token = gh.Token
	}
	if token == "" {
		return nil, inputErr("%s: no token available for host: %s, with owner %s, and repo %s", id, spec.Host, spec.Owner, spec.Repo)
	}
	return &githubRepo{
		d: d, api: strings.TrimSuffix(gh.APIBaseURL, "/"), token: token,
		owner: spec.Owner, repo: spec.Repo,
		hdr: http.Header{
			"Authorization":        {"Bearer " + token},
			"Accept":               {"application/vnd.github+json"},
			"X-Github-Api-Version": {"2022-11-28"},
		},
	}, nil
}

func (r *githubRepo) call(ctx context.Context, method, u string, body, out any) error {
	return callJSON(ctx, r.d.HTTPClient, method, u, r.hdr, body, out)
}

// create makes the repository (in the organization or for the authenticated user, as the
// owner's type says), then applies access, collaborators and topics like Backstage.
func (r *githubRepo) create(ctx context.Context, c *Context) error {
	var owner struct {
		Type string `json:"type"`
	}
	if err := r.call(ctx, http.MethodGet, r.api+"/users/"+url.PathEscape(r.owner), nil, &owner); err != nil {
		return fmt.Errorf("look up owner %s: %w", r.owner, err)
	}
	visibility := strDefault(c.Input, "repoVisibility", "private")
	body := map[string]any{"name": r.repo, "private": visibility == "private", "description": str(c.Input, "description")}
	if owner.Type == "Organization" {
		body["visibility"] = visibility
	}
	if v := str(c.Input, "homepage"); v != "" {
		body["homepage"] = v
	}
	for in, field := range map[string]string{
		"hasWiki": "has_wiki", "hasProjects": "has_projects", "hasIssues": "has_issues",
		"allowMergeCommit": "allow_merge_commit", "allowSquashMerge": "allow_squash_merge",
		"allowRebaseMerge": "allow_rebase_merge", "allowAutoMerge": "allow_auto_merge",
		"deleteBranchOnMerge": "delete_branch_on_merge",
	} {
		if v, ok := c.Input[in].(bool); ok {
			body[field] = v
		}
	}
	createURL := r.api + "/user/repos"
	if owner.Type == "Organization" {
		createURL = r.api + "/orgs/" + url.PathEscape(r.owner) + "/repos"
	}
	var created struct {
		HTMLURL  string `json:"html_url"`
		CloneURL string `json:"clone_url"`
	}
	c.log().Info("Creating GitHub repository", "repository", r.owner+"/"+r.repo)
	if err := r.call(ctx, http.MethodPost, createURL, body, &created); err != nil {
		return fmt.Errorf("failed to create the %s repository %s/%s: %w", strings.ToLower(owner.Type), r.owner, r.repo, err)
	}
	r.htmlURL, r.cloneURL = created.HTMLURL, created.CloneURL
	if err := r.grantAccess(ctx, c); err != nil {
		return err
	}
	if topics := strSlice(c.Input, "topics"); len(topics) > 0 {
		lower := make([]string, len(topics))
		for i, t := range topics {
			lower[i] = strings.ToLower(t)
		}
		if err := r.call(ctx, http.MethodPut, r.repoAPI()+"/topics", map[string]any{"names": lower}, nil); err != nil {
			c.log().Warn("Skipping topics", "topics", strings.Join(topics, " "), "error", err.Error())
		}
	}
	return nil
}

// lookup fills the URLs of an existing repository.
func (r *githubRepo) lookup(ctx context.Context) error {
	var got struct {
		HTMLURL       string `json:"html_url"`
		CloneURL      string `json:"clone_url"`
		DefaultBranch string `json:"default_branch"`
	}
	if err := r.call(ctx, http.MethodGet, r.repoAPI(), nil, &got); err != nil {
		return fmt.Errorf("get repository %s/%s: %w", r.owner, r.repo, err)
	}
	r.htmlURL, r.cloneURL, r.defaultBranch = got.HTMLURL, got.CloneURL, got.DefaultBranch
	return nil
}

// push commits the workspace (or sourcePath) to branch and protects the branch unless
// protectDefaultBranch is false. It returns the commit hash.
func (r *githubRepo) push(ctx context.Context, c *Context, branch string) (string, error) {
	dir, err := ResolvePath(c.Workspace, str(c.Input, "sourcePath"))
	if err != nil {
		return "", err
	}
	hash, err := commitAndPush(ctx, c, r.d, pushSpec{
		dir: dir, remoteURL: r.cloneURL, branch: branch,
		auth:       r.auth(),
		authorName: strDefault(c.Input, "gitAuthorName", r.d.DefaultAuthorName),
		authorMail: strDefault(c.Input, "gitAuthorEmail", r.d.DefaultAuthorEmail),
		message:    strDefault(c.Input, "gitCommitMessage", r.d.DefaultCommitMessage),
	})
	if err != nil {
		return "", err
	}
	if v, ok := c.Input["protectDefaultBranch"].(bool); !ok || v {
		if err := r.protectBranch(ctx, c, branch); err != nil {
			c.log().Warn("Skipping default branch protection", "repository", r.repo, "error", err.Error())
		}
	}
	return hash, nil
}

func (r *githubRepo) auth() *githttp.BasicAuth {
	return &githttp.BasicAuth{Username: "x-access-token", Password: r.token}
}

// delete removes the repository; one already gone is not an error.
func (r *githubRepo) delete(ctx context.Context, c *Context) error {
	err := r.call(ctx, http.MethodDelete, r.repoAPI(), nil, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete repository: %w", err)
	}
	c.log().Info("Deleted GitHub repository", "repository", r.owner+"/"+r.repo)
	return nil
}

func newPublishGitHub(d BuiltinDeps) Action {
	const id = "publish:github"
	return &undoable{
		builtin: builtin{
			id:          id,
			description: "Initializes a git repository of contents in workspace and publishes it to GitHub.",
			schema: schema(`{"type":"object","required":["repoUrl"],"properties":{`+publishCommonProps+`,`+githubRepoProps+`,`+githubProtectProps+`}}`,
				fmt.Sprintf(publishOutput, "")),
			examples: []Example{{Description: "Initializes a GitHub repository with default branch main.", Example: "steps:\n  - id: publish\n    action: publish:github\n    input:\n      repoUrl: github.com?repo=repo&owner=owner\n      defaultBranch: main\n"}},
			handle: onGitHub(d, id, func(ctx context.Context, c *Context, r *githubRepo) error {
				if err := r.create(ctx, c); err != nil {
					if r.htmlURL != "" {
						c.output("remoteUrl", r.htmlURL)
					}
					return fmt.Errorf("%s: %w", id, err)
				}
				// From here on the repository exists: report it, so a rollback can delete it
				// even if the push fails.
				c.output("remoteUrl", r.htmlURL)
				branch := strDefault(c.Input, "defaultBranch", "master")
				hash, err := r.push(ctx, c, branch)
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				c.output("repoContentsUrl", strings.TrimSuffix(r.htmlURL, "/")+"/blob/"+branch)
				c.output("commitHash", hash)
				return nil
			}),
		},
		undo: undoGitHubRepo(d, id),
	}
}

func newGitHubRepoCreate(d BuiltinDeps) Action {
	const id = "github:repo:create"
	return &undoable{
		builtin: builtin{
			id:          id,
			description: "Creates a GitHub repository.",
			schema: schema(`{"type":"object","required":["repoUrl"],"properties":{
"repoUrl":{"type":"string","title":"Repository Location","description":"Repository location in the form host?owner=owner&repo=repo"},
"description":{"type":"string","title":"Repository Description"},
"repoVisibility":{"type":"string","enum":["private","public","internal"],"title":"Repository Visibility"},
"token":{"type":"string","title":"Authentication Token"},`+githubRepoProps+`}}`,
				`{"type":"object","properties":{"remoteUrl":{"type":"string","title":"A URL to the repository with the provider"},"repoContentsUrl":{"type":"string","title":"A URL to the root of the repository"}}}`),
			handle: onGitHub(d, id, func(ctx context.Context, c *Context, r *githubRepo) error {
				err := r.create(ctx, c)
				if r.cloneURL != "" {
					c.output("remoteUrl", r.cloneURL)
				}
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				return nil
			}),
		},
		undo: undoGitHubRepo(d, id),
	}
}

func newGitHubRepoPush(d BuiltinDeps) Action {
	const id = "github:repo:push"
	return &undoable{
		builtin: builtin{
			id:          id,
			description: "Initializes a git repository of contents in workspace and publishes it to an existing GitHub repository.",
			schema: schema(`{"type":"object","required":["repoUrl"],"properties":{
"repoUrl":{"type":"string","title":"Repository Location","description":"Repository location in the form host?owner=owner&repo=repo"},
"defaultBranch":{"type":"string","title":"Default Branch","description":"Sets the default branch on the repository. The default value is master"},
"sourcePath":{"type":"string","title":"Source Path"},
"gitCommitMessage":{"type":"string","title":"Git Commit Message"},
"gitAuthorName":{"type":"string","title":"Default Author Name"},
"gitAuthorEmail":{"type":"string","title":"Default Author Email"},
"token":{"type":"string","title":"Authentication Token"},`+githubProtectProps+`}}`,
				fmt.Sprintf(publishOutput, "")),
			handle: onGitHub(d, id, func(ctx context.Context, c *Context, r *githubRepo) error {
				if err := r.lookup(ctx); err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				branch := strDefault(c.Input, "defaultBranch", "master")
				hash, err := r.push(ctx, c, branch)
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				c.output("remoteUrl", r.cloneURL)
				c.output("repoContentsUrl", strings.TrimSuffix(r.htmlURL, "/")+"/blob/"+branch)
				c.output("commitHash", hash)
				return nil
			}),
		},
		// The repository existed before: undo removes only the branch this step pushed, if
		// nobody has moved it since.
		undo: func(ctx context.Context, c *Context, output map[string]any) error {
			remote, hash := str(output, "remoteUrl"), str(output, "commitHash")
			if remote == "" || hash == "" {
				return nil
			}
			r, err := openGitHub(c, d, id)
			if err != nil {
				return fmt.Errorf("%s undo: %w", id, err)
			}
			if err := deleteRemoteBranch(ctx, c, remote, strDefault(c.Input, "defaultBranch", "master"), hash, r.auth()); err != nil {
				return fmt.Errorf("%s undo: %w", id, err)
			}
			return nil
		},
	}
}

func entityRefToName(ref string) string {
	if i := strings.LastIndexAny(ref, ":/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func (r *githubRepo) grantAccess(ctx context.Context, c *Context) error {
	owner, repoAPI := r.owner, r.repoAPI()
	teamURL := func(team string) string {
		return r.api + "/orgs/" + url.PathEscape(owner) + "/teams/" + url.PathEscape(team) + "/repos/" + url.PathEscape(r.owner) + "/" + url.PathEscape(r.repo)
	}
	if access := str(c.Input, "access"); access != "" && access != owner {
		target := repoAPI + "/collaborators/" + url.PathEscape(access)
		if team, ok := strings.CutPrefix(access, owner+"/"); ok {
			target = teamURL(team)
		}
		if err := r.call(ctx, http.MethodPut, target, map[string]any{"permission": "admin"}, nil); err != nil {
			return fmt.Errorf("grant admin access to %s: %w", access, err)
		}
	}
	list, _ := c.Input["collaborators"].([]any)
	for _, item := range list {
		m, _ := item.(map[string]any)
		perm := str(m, "access")
		var target, name string
		switch {
		case str(m, "user") != "":
			name = str(m, "user")
			target = repoAPI + "/collaborators/" + url.PathEscape(entityRefToName(name))
		case str(m, "team") != "":
			name = str(m, "team")
			target = teamURL(entityRefToName(name))
		case str(m, "username") != "": // deprecated form, a team
			name = str(m, "username")
			target = teamURL(entityRefToName(name))
		default:
			continue
		}
		if err := r.call(ctx, http.MethodPut, target, map[string]any{"permission": perm}, nil); err != nil {
			c.log().Warn("Skipping collaborator access", "access", perm, "collaborator", name, "error", err.Error())
		}
	}
	return nil
}

// protectBranch sets GitHub branch protection on the pushed branch with Backstage's
// defaults (one approving review, strict status checks, admins included).
func (r *githubRepo) protectBranch(ctx context.Context, c *Context, branch string) error {
	in := c.Input
	reviews := map[string]any{
		"required_approving_review_count": 1,
		"require_code_owner_reviews":      boolean(in, "requireCodeOwnerReviews"),
		"dismiss_stale_reviews":           boolean(in, "dismissStaleReviews"),
	}
	if v, ok := in["requiredApprovingReviewCount"]; ok {
		reviews["required_approving_review_count"] = v
	}
	if v, ok := in["bypassPullRequestAllowances"].(map[string]any); ok {
		reviews["bypass_pull_request_allowances"] = v
	}
	strict := true
	if v, ok := in["requireBranchesToBeUpToDate"].(bool); ok {
		strict = v
	}
	contexts := strSlice(in, "requiredStatusCheckContexts")
	if contexts == nil {
		contexts = []string{}
	}
	enforceAdmins := true
	if v, ok := in["protectEnforceAdmins"].(bool); ok {
		enforceAdmins = v
	}
	var restrictions any
	if v, ok := in["restrictions"].(map[string]any); ok {
		restrictions = v
	}
	body := map[string]any{
		"required_status_checks":           map[string]any{"strict": strict, "contexts": contexts},
		"enforce_admins":                   enforceAdmins,
		"required_pull_request_reviews":    reviews,
		"restrictions":                     restrictions,
		"required_conversation_resolution": boolean(in, "requiredConversationResolution"),
	}
	return r.call(ctx, http.MethodPut, r.repoAPI()+"/branches/"+url.PathEscape(branch)+"/protection", body, nil)
}

// undoGitHubRepo deletes the repository a step created (it reported remoteUrl): the undo of
// the actions that create GitHub repositories.
func undoGitHubRepo(d BuiltinDeps, id string) func(ctx context.Context, c *Context, output map[string]any) error {
	return func(ctx context.Context, c *Context, output map[string]any) error {
		if str(output, "remoteUrl") == "" {
			return nil
		}
		r, err := openGitHub(c, d, id)
		if err != nil {
			return fmt.Errorf("%s undo: %w", id, err)
		}
		if err := r.delete(ctx, c); err != nil {
			return fmt.Errorf("%s undo: %w", id, err)
		}
		return nil
	}
}
