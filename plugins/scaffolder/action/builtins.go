package action

import (
	"context"
	"net/http"
	"time"
)

// BuiltinDeps are what the built-in actions need beyond their Context.
type BuiltinDeps struct {
	// HTTPClient calls repository host APIs (publish:github, publish:gitlab); nil means a
	// client with a 60 s timeout.
	HTTPClient *http.Client
	// MaxWait caps debug:wait; zero means 10 minutes, as in Backstage.
	MaxWait time.Duration
	// Sleep waits for d or until ctx ends (debug:wait); nil means a real timer. Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
	// DefaultAuthorName and DefaultAuthorEmail sign commits of publish:* when the step gives
	// no author (scaffolder.defaultAuthor); empty means "Scaffolder" <scaffolder@backstage.io>.
	DefaultAuthorName, DefaultAuthorEmail string
	// DefaultCommitMessage is scaffolder.defaultCommitMessage; empty means "initial commit".
	DefaultCommitMessage string
	// Now stamps commits; nil means time.Now.
	Now func() time.Time
	// PublishFileRoot enables publish:file: the directory under which it may write (its
	// `path` input is relative to it). Empty leaves publish:file refusing every call, since
	// it writes to the server's disk.
	PublishFileRoot string
	// PublishFileRootFrom, when set, gives PublishFileRoot on each run instead: the plugin
	// makes its built-ins when it registers, before it reads scaffolder.publishFileRoot.
	PublishFileRootFrom func() string
}

// publishFileRoot is where publish:file may write now ("": nowhere).
func (d BuiltinDeps) publishFileRoot() string {
	if d.PublishFileRootFrom != nil {
		return d.PublishFileRootFrom()
	}
	return d.PublishFileRoot
}

func (d BuiltinDeps) withDefaults() BuiltinDeps {
	if d.HTTPClient == nil {
		d.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if d.MaxWait == 0 {
		d.MaxWait = 10 * time.Minute
	}
	if d.Sleep == nil {
		d.Sleep = func(ctx context.Context, dur time.Duration) error {
			t := time.NewTimer(dur)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if d.DefaultAuthorName == "" {
		d.DefaultAuthorName = "Scaffolder"
	}
	if d.DefaultAuthorEmail == "" {
		d.DefaultAuthorEmail = "scaffolder@backstage.io"
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.DefaultCommitMessage == "" {
		d.DefaultCommitMessage = "initial commit"
	}
	return d
}

// Builtins returns Portico's built-in actions.
func Builtins(deps BuiltinDeps) []Action {
	// The publish actions' redirect check is installed into go-git's process-wide transport
	// table here, while the backend registers its plugins and before any git work runs in the
	// background, so no fetch reads the table while it is written.
	installGitRedirectCheck()
	d := deps.withDefaults()
	return []Action{
		newFetchPlain(), newFetchPlainFile(), newFetchTemplate(), newFetchTemplateFile(),
		newFsDelete(), newFsRename(), newFsReaddir(),
		newDebugLog(), newDebugWait(d),
		newCatalogRegister(), newCatalogWrite(), newCatalogFetch(),
		newPublishGit(d), newPublishGitHub(d), newPublishGitLab(d), newPublishFile(d),
		newGitHubRepoCreate(d), newGitHubRepoPush(d), newGitHubPullRequest(d), newGitLabMergeRequest(d),
	}
}

// builtin is an action made of static metadata and a handler function.
type builtin struct {
	id, description string
	schema          Schema
	dryRun          bool
	examples        []Example
	handle          func(ctx context.Context, c *Context) error
	// skippedOutput, when set, is the output a dry run that skips the action gives it.
	skippedOutput map[string]any
}

func (b *builtin) ID() string           { return b.id }
func (b *builtin) Description() string  { return b.description }
func (b *builtin) Schema() Schema       { return b.schema }
func (b *builtin) SupportsDryRun() bool { return b.dryRun }
func (b *builtin) Examples() []Example  { return b.examples }
func (b *builtin) DryRunOutput() (map[string]any, bool) {
	return b.skippedOutput, b.skippedOutput != nil
}
func (b *builtin) Handle(ctx context.Context, c *Context) error {
	return b.handle(ctx, c)
}

// undoable is a builtin that can roll itself back.
type undoable struct {
	builtin
	undo func(ctx context.Context, c *Context, output map[string]any) error
}

func (u *undoable) Undo(ctx context.Context, c *Context, output map[string]any) error {
	return u.undo(ctx, c, output)
}

var (
	_ DryRunner = (*builtin)(nil)
	_ Exampler  = (*builtin)(nil)
	_ Undoer    = (*undoable)(nil)
)
