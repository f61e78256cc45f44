package ui

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
	"github.com/portico-dev/portico/web"
)

type fileView struct {
	Path, Content string
	Binary        bool
	Executable    bool
}

type editorView struct {
	Action                  string
	Template, Values, Files string
	Ran                     bool
	Error                   string
	Log                     []string
	Produced                []fileView
	Output                  string
}

// editorPlaceholderFiles shows the files syntax in the editor.
const editorFilesHelp = "=== skeleton/README.md\n# ${{ values.name }}\n"

// editor serves /create/edit: paste a template, values and skeleton files; POST dry-runs them
// and shows the log, the files produced and the output.
func (p *pages) editor(w http.ResponseWriter, r *http.Request, page *web.Page) {
	v := editorView{Action: page.Path + "/edit", Files: editorFilesHelp, Values: "{}\n"}
	if r.Method != http.MethodPost {
		p.render(w, r, page, "scaffolder-editor.html", "Template editor", 0, v)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.problem(w, r, page, fmt.Errorf("%w: %w", service.ErrInput, err))
		return
	}
	v.Template, v.Values, v.Files = r.PostForm.Get("template"), r.PostForm.Get("values"), r.PostForm.Get("files")
	v.Ran = true
	status := 0
	res, err := p.dryRun(r, v)
	var failed *service.DryRunFailedError
	if errors.As(err, &failed) {
		// A failed step: the page shows the log up to the failure and the error.
		res, err = failed.Result, nil
	}
	var ve *template.ValidationErrors
	switch {
	case errors.As(err, &ve):
		v.Error, status = ve.Error(), http.StatusBadRequest
	case errors.Is(err, service.ErrInput):
		v.Error, status = err.Error(), http.StatusBadRequest
	case err != nil:
		p.problem(w, r, page, err)
		return
	default:
		v.Error = res.Error
		for _, l := range res.Log {
			body, _ := l["body"].(map[string]any)
			msg, _ := body["message"].(string)
			if step, _ := body["stepId"].(string); step != "" {
				msg = "[" + step + "] " + msg
			}
			v.Log = append(v.Log, msg)
		}
		for _, f := range res.DirectoryContents {
			data, _ := base64.StdEncoding.DecodeString(f.Base64Content)
			fv := fileView{Path: f.Path, Executable: f.Executable}
			if strings.ContainsRune(string(data), 0) {
				fv.Binary = true
			} else {
				fv.Content = string(data)
			}
			v.Produced = append(v.Produced, fv)
		}
		if len(res.Output) > 0 {
			b, _ := yaml.Marshal(res.Output)
			v.Output = string(b)
		}
	}
	p.render(w, r, page, "scaffolder-editor.html", "Template editor", status, v)
}

func (p *pages) dryRun(r *http.Request, v editorView) (*service.DryRunResult, error) {
	// Both are read keeping their key order, which templates can show (`| dump`, each:).
	tv, err := orderedYAML(v.Template)
	if err != nil {
		return nil, fmt.Errorf("%w: template YAML: %w", service.ErrInput, err)
	}
	tpl, err := json.Marshal(tv)
	if err != nil {
		return nil, fmt.Errorf("%w: template YAML: %w", service.ErrInput, err)
	}
	values := jsvalue.NewObject(0)
	if strings.TrimSpace(v.Values) != "" {
		vv, err := orderedYAML(v.Values)
		if err != nil {
			return nil, fmt.Errorf("%w: values YAML: %w", service.ErrInput, err)
		}
		o, ok := vv.(*jsvalue.Object)
		if !ok {
			return nil, fmt.Errorf("%w: values YAML: want an object, got %s", service.ErrInput, jsvalue.JSONType(vv))
		}
		values = o
	}
	files, err := parseFiles(v.Files)
	if err != nil {
		return nil, err
	}
	return p.svc.DryRun(r.Context(), service.DryRunRequest{Template: tpl, Values: values, DirectoryContents: files})
}

// orderedYAML decodes YAML text with its objects in document order; empty text is null.
func orderedYAML(text string) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		return nil, err
	}
	if n.Kind == 0 {
		return nil, nil
	}
	return template.OrderedValue(&n)
}

// parseFiles reads "=== path" sections into files.
func parseFiles(s string) ([]service.File, error) {
	var out []service.File
	var cur *service.File
	var body strings.Builder
	flush := func() {
		if cur != nil {
			cur.Base64Content = base64.StdEncoding.EncodeToString([]byte(body.String()))
			out = append(out, *cur)
		}
		body.Reset()
	}
	for _, line := range strings.SplitAfter(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "=== "); ok {
			flush()
			path := strings.TrimSpace(rest)
			if path == "" {
				return nil, fmt.Errorf("%w: files: a === line needs a path", service.ErrInput)
			}
			cur = &service.File{Path: path}
			continue
		}
		if cur == nil {
			if strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("%w: files: start each file with a line \"=== path\"", service.ErrInput)
			}
			continue
		}
		body.WriteString(line)
	}
	flush()
	return out, nil
}
