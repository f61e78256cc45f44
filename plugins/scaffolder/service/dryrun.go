package service

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
	"github.com/portico-dev/portico/plugins/scaffolder/secret"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
	"github.com/portico-dev/portico/plugins/scaffolder/worker"
)

// File is one file of a dry run's input or output.
type File struct {
	Path          string `json:"path"`
	Base64Content string `json:"base64Content"`
	Executable    bool   `json:"executable"`
}

// DryRunRequest is the body of POST /v2/dry-run.
type DryRunRequest struct {
	Template          json.RawMessage   `json:"template"` // JSON (or YAML) text: its key order is kept
	Values            *jsvalue.Object   `json:"values"`
	Secrets           map[string]string `json:"secrets"`
	DirectoryContents []File            `json:"directoryContents"`
}

// DryRunStep is one step as the dry run saw it.
type DryRunStep struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Action string         `json:"action"`
	Input  map[string]any `json:"input"`
	Status string         `json:"status,omitempty"`
}

// DryRunResult is the answer of POST /v2/dry-run.
type DryRunResult struct {
	Log               []map[string]any `json:"log"`
	DirectoryContents []File           `json:"directoryContents"`
	Output            map[string]any   `json:"output"`
	Steps             []DryRunStep     `json:"steps"`
	// Error is set when a step failed; the API then answers the step's error instead
	// (DryRunFailedError) and the editor page shows it beside the log.
	Error string `json:"-"`

	encoded []byte
}

// JSON is the result's JSON encoding, made once while checking its size.
func (r *DryRunResult) JSON() ([]byte, error) {
	if r.encoded != nil {
		return r.encoded, nil
	}
	return json.Marshal(r)
}

// maxDryRunFiles bounds the uploaded template directory.
const maxDryRunFiles = 1000

// Default dry-run limits.
const (
	DefaultDryRunBytes   = 16 << 20
	DefaultDryRunTimeout = 2 * time.Minute
)

// errDryRunTimeout is the cause of a dry run stopped by DryRunTimeout.
var errDryRunTimeout = errors.New("dry run took too long")

// errDryRunTooLarge is the cause of a dry run stopped because its log grew too large.
var errDryRunTooLarge = errors.New("dry run log too large")

// stoppedByLimit reports whether a dry run failed on one of its limits, which the caller
// learns as a 400 rather than as a 200 with a failed step.
func stoppedByLimit(err error) bool {
	for _, target := range []error{nunjucks.ErrLimit, action.ErrWorkspaceLimit, worker.ErrReportLimit, errDryRunTimeout, errDryRunTooLarge} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// DryRun runs a template given inline, with actions in dry-run mode (those that cannot run
// without side effects are skipped), and returns the log, the files the workspace ends up
// with and the output.
func (s *Service) DryRun(ctx context.Context, req DryRunRequest) (*DryRunResult, error) {
	if err := s.authorize(ctx, PermissionTaskCreate); err != nil {
		return nil, err
	}
	if tpl := bytes.TrimSpace(req.Template); len(tpl) == 0 || string(tpl) == "null" {
		return nil, fmt.Errorf("%w: template is required", ErrInput)
	}
	t, err := template.ParseDocument(req.Template)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	if meta, ok := t.Entity["metadata"].(map[string]any); !ok || meta["name"] == nil {
		if !ok {
			meta = map[string]any{}
			t.Entity["metadata"] = meta
		}
		meta["name"] = "dry-run"
		t.Name = "dry-run"
	}
	if req.Values == nil {
		req.Values = jsvalue.NewObject(0)
	}
	if err := t.ValidateValues(jsvalue.Plain(req.Values).(map[string]any)); err != nil {
		return nil, err
	}
	if len(req.DirectoryContents) > maxDryRunFiles {
		return nil, fmt.Errorf("%w: at most %d files in directoryContents", ErrInput, maxDryRunFiles)
	}
	if err := os.MkdirAll(s.o.DryRunDir, 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(s.o.DryRunDir, "dry-run-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	tplDir, ws := filepath.Join(tmp, "template"), filepath.Join(tmp, "workspace")
	for _, d := range []string{tplDir, ws} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	for _, f := range req.DirectoryContents {
		if err := writeFile(tplDir, f); err != nil {
			return nil, fmt.Errorf("%w: directoryContents %s: %w", ErrInput, f.Path, err)
		}
	}
	caller := CallerFrom(ctx)
	baseURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(tplDir) + "/"}).String()
	spec := t.TaskSpec(req.Values, s.userOf(ctx, caller), baseURL)
	spec.TemplateInfo.EntityRef = "template:default/dry-run"
	res := &DryRunResult{Log: []map[string]any{}, DirectoryContents: []File{}, Output: map[string]any{}, Steps: []DryRunStep{}}
	runner := s.o.Runner.WithReader(dirReader{root: tplDir, next: s.o.RunnerReader})
	// The run stops with the request (a client that gives up), at the timeout, or when its
	// log outgrows the answer's limit.
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	runCtx, cancelTimeout := context.WithTimeoutCause(runCtx, s.o.DryRunTimeout, fmt.Errorf("%w: limit %s", errDryRunTimeout, s.o.DryRunTimeout))
	defer cancelTimeout()
	var logBytes int64
	result, runErr := runner.Run(runCtx, worker.Run{
		TaskID: "dry-run", Spec: spec, Secrets: req.Secrets, Workspace: ws, DryRun: true,
		Quota: action.NewQuota(s.o.DryRunBytes, 0), MaxInputBytes: s.o.DryRunBytes,
		Emit: func(body map[string]any) {
			if logBytes > s.o.DryRunBytes {
				return
			}
			b, _ := json.Marshal(body)
			if logBytes += int64(len(b)); logBytes > s.o.DryRunBytes {
				stop(fmt.Errorf("%w: more than %d bytes", errDryRunTooLarge, s.o.DryRunBytes))
				return
			}
			res.Log = append(res.Log, map[string]any{"body": body})
		},
	})
	if err := ctx.Err(); err != nil {
		return nil, err // the caller is gone
	}
	var failed error
	if runErr != nil {
		red := result.Redactor
		if red == nil {
			red = secret.NewRedactor(req.Secrets)
		}
		msg := red.String(runErr.Error())
		if stoppedByLimit(runErr) || stoppedByLimit(context.Cause(runCtx)) {
			return nil, fmt.Errorf("%w: dry run stopped: %s", ErrInput, msg)
		}
		res.Error = msg
		failed = stepFailure(runErr, msg)
	}
	if result.Output != nil {
		res.Output = result.Output
	}
	for _, st := range result.Steps {
		in := st.Input
		if in == nil {
			in = map[string]any{}
		}
		res.Steps = append(res.Steps, DryRunStep{ID: st.ID, Name: st.Name, Action: st.Action, Input: in, Status: st.Status})
	}
	files, err := readFiles(ws, s.o.DryRunBytes)
	if err != nil {
		return nil, err
	}
	res.DirectoryContents = files
	enc, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	if int64(len(enc)) > s.o.DryRunBytes {
		return nil, fmt.Errorf("%w: the dry run's result (%d bytes) exceeds the limit of %d bytes", ErrInput, len(enc), s.o.DryRunBytes)
	}
	res.encoded = enc
	if failed != nil {
		return nil, &DryRunFailedError{Result: res, Err: failed}
	}
	return res, nil
}

// DryRunFailedError is a dry run whose step failed: Backstage answers it with the step's error
// (404 NotFoundError for an action that is not registered, 400 InputError for an invalid
// input, 500 Error for an action's own failure). Result keeps the log for the editor page.
type DryRunFailedError struct {
	Result *DryRunResult
	Err    error
}

func (e *DryRunFailedError) Error() string { return e.Err.Error() }
func (e *DryRunFailedError) Unwrap() error { return e.Err }

// stepFailure is the API error of a failed step, with msg (secrets redacted) as its message.
func stepFailure(err error, msg string) error {
	if k, _, ok := errkind.Of(err); ok {
		return &apierr.Error{Name: k.Name(), Status: k.Status(), Message: msg}
	}
	// The template's own action failed: its message is the template author's to read, as
	// the failed step's log line already shows it.
	return &apierr.Error{Name: "Error", Status: http.StatusInternalServerError, Message: msg}
}

func writeFile(root string, f File) error {
	p, err := action.ResolvePath(root, filepath.FromSlash(strings.TrimPrefix(f.Path, "./")))
	if err != nil {
		return err
	}
	data, err := base64.StdEncoding.DecodeString(f.Base64Content)
	if err != nil {
		return fmt.Errorf("base64Content: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if f.Executable {
		mode = 0o755
	}
	return os.WriteFile(p, data, mode)
}

// readFiles lists the regular files under root (sorted), with their content, refusing more
// than maxBytes of them.
func readFiles(root string, maxBytes int64) ([]File, error) {
	out := []File{}
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if total += info.Size(); total > maxBytes {
			return fmt.Errorf("%w: the dry run's files exceed the limit of %d bytes", ErrInput, maxBytes)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, File{Path: filepath.ToSlash(rel), Base64Content: base64.StdEncoding.EncodeToString(b), Executable: info.Mode()&0o111 != 0})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// dirReader serves file:// URLs below root from disk and passes other URLs to next.
type dirReader struct {
	root string
	next action.URLReader
}

func (d dirReader) local(raw string) (string, bool, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" {
		return "", false, nil
	}
	rel, err := filepath.Rel(d.root, filepath.FromSlash(u.Path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", true, fmt.Errorf("dry run: %s is outside the uploaded template", raw)
	}
	p, err := action.ResolvePath(d.root, rel)
	return p, true, err
}

func (d dirReader) ReadTree(ctx context.Context, raw, dir string) error {
	src, ok, err := d.local(raw)
	if !ok {
		if d.next == nil {
			return fmt.Errorf("dry run: cannot read %s", raw)
		}
		return d.next.ReadTree(ctx, raw, dir)
	}
	if err != nil {
		return err
	}
	return os.CopyFS(dir, os.DirFS(src))
}

// AllowsHost asks next: an uploaded template adds no push targets.
func (d dirReader) AllowsHost(raw string) bool { return d.next != nil && d.next.AllowsHost(raw) }

func (d dirReader) ReadURL(ctx context.Context, raw string) ([]byte, error) {
	src, ok, err := d.local(raw)
	if !ok {
		if d.next == nil {
			return nil, fmt.Errorf("dry run: cannot read %s", raw)
		}
		return d.next.ReadURL(ctx, raw)
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(src)
}
