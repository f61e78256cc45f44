// Package action defines scaffolder template actions (the steps of a Software Template), their
// registry, and Portico's built-in actions: fetch:*, fs:*, debug:*, catalog:* and publish:*.
//
// An action receives its input already templated and validated against its input schema, works
// inside the task's workspace (every path goes through ResolvePath), reports outputs through
// Context.Output, and may implement Undoer so the task runner can roll it back when a later step
// fails.
package action

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// Action is one template action, registered under its ID.
type Action interface {
	// ID is the name templates use in `action:`, e.g. "fetch:template".
	ID() string
	Description() string
	// Schema gives the JSON Schemas of the input and output, as listed at GET /v2/actions.
	Schema() Schema
	// Handle runs the action. It must honour ctx cancellation.
	Handle(ctx context.Context, c *Context) error
}

// Undoer is Portico's extension to Backstage's actions: an action that can roll itself back
// after it completed, given the outputs it produced (a created repository is deleted, a
// registered location removed). c must carry the same Input as the Handle call. Undo may
// also be called for a step that failed, with the outputs it reported before failing (a
// repository created before a failed push), and succeeds when there is nothing to undo.
type Undoer interface {
	Undo(ctx context.Context, c *Context, output map[string]any) error
}

// DryRunner is implemented by actions that are safe to execute during POST /v2/dry-run
// (Backstage's supportsDryRun). Actions without it are skipped in a dry run.
type DryRunner interface {
	SupportsDryRun() bool
}

// DryRunExample is implemented by actions whose output, when a dry run skips them, is not
// the example their output schema makes (ok false: use the schema's example).
type DryRunExample interface {
	DryRunOutput() (output map[string]any, ok bool)
}

// Exampler is implemented by actions that document examples for GET /v2/actions.
type Exampler interface {
	Examples() []Example
}

// Schema holds an action's input and output JSON Schemas.
type Schema struct {
	Input  json.RawMessage `json:"input,omitempty"`
	Output json.RawMessage `json:"output,omitempty"`
}

// Example is one usage example (YAML of a steps list).
type Example struct {
	Description string `json:"description"`
	Example     string `json:"example"`
}

// User is the task's initiator.
type User struct {
	// Ref is the caller's entity ref, e.g. "user:default/jdoe"; empty for service callers.
	Ref string
	// Entity is the caller's catalog User entity, when it resolves to one.
	Entity map[string]any
}

// TemplateInfo says which template the task runs.
type TemplateInfo struct {
	EntityRef string
	// BaseURL is the location of the template's directory (ending in "/"); relative `url`
	// inputs of fetch actions resolve against it.
	BaseURL string
}

// Context is what one step execution sees.
type Context struct {
	TaskID, StepID string
	// Input is the step's input, already templated and validated.
	Input map[string]any
	// OrderedInput is Input with its objects in the template's key order (nil when unknown),
	// for actions whose result shows it (fetch:template's values).
	OrderedInput *jsvalue.Object
	// Workspace is the absolute path of the task's workspace directory.
	Workspace string
	// Logger writes to the task log.
	Logger *slog.Logger
	// Output records one output value (steps.<id>.output.<name>).
	Output   func(name string, value any)
	Secrets  map[string]string
	User     User
	Template TemplateInfo
	// DryRun is set during POST /v2/dry-run: actions must not touch anything outside the
	// workspace.
	DryRun bool
	// Templater renders skeleton files for fetch:template.
	Templater *nunjucks.Engine
	// Quota bounds the workspace (nil: no limits); WriteFile charges it.
	Quota *Quota
	// Catalog, Reader and Integrations are the outside world; an action that needs one that
	// is nil fails with a clear error.
	Catalog      CatalogClient
	Reader       URLReader
	Integrations Integrations
}

// CatalogClient is the part of the catalog client the catalog:* actions use.
// *client.Client satisfies it.
type CatalogClient interface {
	AddLocation(ctx context.Context, typ, target string, dryRun bool) (*client.AddLocationResponse, error)
	RemoveLocation(ctx context.Context, id string) error
	GetEntityByRef(ctx context.Context, ref string) (*model.Entity, error)
}

var _ CatalogClient = (*client.Client)(nil)

// URLReader reads templates' skeletons and files. NewURLReader adapts the framework's reader.
type URLReader interface {
	// ReadTree writes the directory at url into dir (created if needed).
	ReadTree(ctx context.Context, url, dir string) error
	// ReadURL returns the content of one file.
	ReadURL(ctx context.Context, url string) ([]byte, error)
	// AllowsHost reports whether url is a plain http(s) URL on a host the operator
	// configured (integrations or backend.reading.allow): the hosts publish:git may push to.
	AllowsHost(url string) bool
}

// Integrations are the repository hosts from the `integrations` config, as the framework
// reads them (framework.URLReaderOptionsFromConfig).
type Integrations = urlreader.Integrations

// NewURLReader adapts the framework's urlReader service to URLReader.
func NewURLReader(r *urlreader.Reader) URLReader { return frameworkReader{r: r} }

type frameworkReader struct{ r *urlreader.Reader }

func (f frameworkReader) ReadTree(ctx context.Context, url, dir string) error {
	t, err := f.r.ReadTree(ctx, url, urlreader.TreeOptions{})
	if err != nil {
		return err
	}
	return t.Dir(ctx, dir)
}

func (f frameworkReader) AllowsHost(url string) bool { return f.r.AllowsHost(url) }

func (f frameworkReader) ReadURL(ctx context.Context, url string) ([]byte, error) {
	resp, err := f.r.ReadURL(ctx, url, urlreader.ReadOptions{})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
