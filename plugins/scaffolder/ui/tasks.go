package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
	"github.com/portico-dev/portico/plugins/scaffolder/store"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
	"github.com/portico-dev/portico/web"
)

type stepView struct {
	ID, Name, Status string
	Log              []string
}

type linkView struct{ Title, Href string }

type taskView struct {
	ID, Title, Status, CreatedBy, CreatedAt string
	Steps                                   []stepView
	General                                 []string
	Links                                   []linkView
	Texts                                   []textView
	Error                                   string
	Finished                                bool
	LastEventID                             int64
	StreamURL, ScriptURL, CancelAction      string
	RetryAction, TasksHref                  string
}

type textView struct{ Title, Content string }

// task serves /create/tasks/:id: the steps with their logs, streamed live by task.js; POST
// cancels or retries.
func (p *pages) task(w http.ResponseWriter, r *http.Request, page *web.Page, id string) {
	ctx := r.Context()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			p.problem(w, r, page, fmt.Errorf("%w: %w", service.ErrInput, err))
			return
		}
		var err error
		switch r.PostForm.Get("op") {
		case "cancel":
			err = p.svc.Cancel(ctx, id)
		case "retry":
			err = p.svc.Retry(ctx, id, nil)
		default:
			err = fmt.Errorf("%w: unknown operation", service.ErrInput)
		}
		if err != nil {
			p.problem(w, r, page, err)
			return
		}
		http.Redirect(w, r, page.Path+"/tasks/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	t, err := p.svc.Task(ctx, id)
	if err != nil {
		p.problem(w, r, page, err)
		return
	}
	evs, err := p.svc.Events(ctx, id, 0, false)
	if err != nil {
		p.problem(w, r, page, err)
		return
	}
	spec, _ := template.ParseSpec(t.Spec)
	v := taskView{
		ID: t.ID, Title: taskTitle(spec), Status: string(t.Status), CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt.Format("2006-01-02 15:04:05 UTC"), Finished: t.Status.Finished(),
		StreamURL:    "/api/scaffolder/v2/tasks/" + url.PathEscape(t.ID) + "/eventstream",
		ScriptURL:    page.Path + "/_/task.js",
		CancelAction: page.Path + "/tasks/" + url.PathEscape(t.ID),
		RetryAction:  page.Path + "/tasks/" + url.PathEscape(t.ID),
		TasksHref:    page.Path + "/tasks",
	}
	// Step ids may repeat (Backstage runs such templates): an event goes to the first step of
	// its id that has not finished yet, since steps run in order.
	idx := map[string][]int{}
	for _, st := range spec.Steps {
		idx[st.ID] = append(idx[st.ID], len(v.Steps))
		v.Steps = append(v.Steps, stepView{ID: st.ID, Name: st.Name, Status: "open"})
	}
	for _, ev := range evs {
		v.LastEventID = ev.ID
		var body struct {
			Message string          `json:"message"`
			StepID  string          `json:"stepId"`
			Status  string          `json:"status"`
			Output  json.RawMessage `json:"output"`
			Error   *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(ev.Body, &body)
		if ev.Type == store.EventCompletion {
			if body.Error != nil {
				v.Error = body.Error.Message
			}
			var out map[string]any
			_ = json.Unmarshal(body.Output, &out)
			v.Links, v.Texts = outputViews(out, entityui.LinksFor(page.Shell()).EntityString)
			continue
		}
		if list, ok := idx[body.StepID]; ok {
			i := list[len(list)-1]
			for _, j := range list {
				if !stepFinished(v.Steps[j].Status) {
					i = j
					break
				}
			}
			if body.Status != "" {
				v.Steps[i].Status = body.Status
			}
			v.Steps[i].Log = append(v.Steps[i].Log, body.Message)
		} else if body.Message != "" {
			v.General = append(v.General, body.Message)
		}
	}
	p.render(w, r, page, "scaffolder-task.html", "Run of "+v.Title, 0, v)
}

// stepFinished reports whether a step's status is final.
func stepFinished(status string) bool {
	switch status {
	case "completed", "failed", "skipped", "cancelled":
		return true
	}
	return false
}

func taskTitle(spec template.TaskSpec) string {
	if meta, ok := spec.TemplateInfo.Entity["metadata"].(map[string]any); ok {
		if t, _ := meta["title"].(string); t != "" {
			return t
		}
		if n, _ := meta["name"].(string); n != "" {
			return n
		}
	}
	return spec.TemplateInfo.EntityRef
}

// outputViews turns spec.output into links (url or entityRef → catalog page) and texts.
func outputViews(out map[string]any, entityHref func(string) string) ([]linkView, []textView) {
	var links []linkView
	if ls, ok := out["links"].([]any); ok {
		for _, l := range ls {
			m, _ := l.(map[string]any)
			title, _ := m["title"].(string)
			href, _ := m["url"].(string)
			if ref, _ := m["entityRef"].(string); ref != "" && href == "" {
				href = entityHref(ref)
			}
			if href == "" {
				continue
			}
			if title == "" {
				title = href
			}
			links = append(links, linkView{Title: title, Href: href})
		}
	}
	var texts []textView
	if ts, ok := out["text"].([]any); ok {
		for _, t := range ts {
			m, _ := t.(map[string]any)
			title, _ := m["title"].(string)
			content, _ := m["content"].(string)
			texts = append(texts, textView{Title: title, Content: content})
		}
	}
	return links, texts
}

type taskRow struct {
	ID, Href, Title, Status, CreatedAt, CreatedBy string
}

type tasksView struct {
	Rows     []taskRow
	Total    int
	Mine     bool
	Action   string
	AllHref  string
	MineHref string
}

// tasks serves /create/tasks: the caller's tasks (all tasks with ?owner=all).
func (p *pages) tasks(w http.ResponseWriter, r *http.Request, page *web.Page) {
	caller := service.CallerFrom(r.Context())
	opts := store.ListOptions{Limit: 100}
	v := tasksView{Action: page.Path + "/tasks", AllHref: page.Path + "/tasks?owner=all", MineHref: page.Path + "/tasks"}
	if caller.Ref != "" && r.URL.Query().Get("owner") != "all" {
		opts.CreatedBy = []string{caller.Ref}
		v.Mine = true
	}
	list, total, err := p.svc.Tasks(r.Context(), opts)
	if err != nil {
		p.problem(w, r, page, err)
		return
	}
	v.Total = total
	for _, t := range list {
		spec, _ := template.ParseSpec(t.Spec)
		v.Rows = append(v.Rows, taskRow{ID: t.ID, Href: page.Path + "/tasks/" + url.PathEscape(t.ID), Title: taskTitle(spec),
			Status: string(t.Status), CreatedAt: t.CreatedAt.Format("2006-01-02 15:04 UTC"), CreatedBy: t.CreatedBy})
	}
	p.render(w, r, page, "scaffolder-tasks.html", "Tasks", 0, v)
}
