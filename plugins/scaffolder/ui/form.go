package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/framework/httpbody"
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
	"github.com/portico-dev/portico/web"
)

// fieldView is one generated form control.
type fieldView struct {
	Name, ID, Label, Description, Help, Placeholder string
	Kind                                            string // text textarea password number checkbox select radio checkboxes list object repourl hidden
	InputType                                       string // for Kind text: text, email, url…
	Field                                           string // ui:field
	Required, Autofocus, Readonly                   bool
	Value                                           string
	Checked                                         bool
	Options                                         []optionView
	DatalistID                                      string
	Datalist                                        []string
	Children                                        []fieldView
	Error                                           string
	Condition                                       string // "shown when …" for dependent fields
	Repo                                            repoView
	Step, Min, Max                                  string
}

type repoView struct {
	Hosts             []optionView
	Host, Owner, Repo string
}

type pageView struct {
	Title, Description string
	Fields             []fieldView
}

type formView struct {
	Title, Description, Action string
	Pages                      []pageView
	Errors                     []string
	Review                     []reviewRow
	ValuesJSON                 string
	Reviewing                  bool
	CreateLabel, ReviewLabel   string
	BackLabel                  string
	Back                       string
}

type reviewRow struct{ Label, Value string }

// form serves /create/templates/:ns/:name: GET shows the form, POST validates it (re-showing
// it with messages), shows the review step, and creates the task.
func (p *pages) form(w http.ResponseWriter, r *http.Request, page *web.Page, ns, name string) {
	ctx := r.Context()
	t, err := p.svc.Template(ctx, "template:"+ns+"/"+name)
	if err != nil {
		p.problem(w, r, page, err)
		return
	}
	action := page.Path + "/templates/" + url.PathEscape(ns) + "/" + url.PathEscape(name)
	v := formView{Title: t.DisplayTitle(), Description: t.Description, Action: action, Back: page.Path,
		CreateLabel: "Create", ReviewLabel: "Review", BackLabel: "Back"}
	if bl, ok := t.Presentation["buttonLabels"].(map[string]any); ok {
		if s, _ := bl["createButtonText"].(string); s != "" {
			v.CreateLabel = s
		}
		if s, _ := bl["reviewButtonText"].(string); s != "" {
			v.ReviewLabel = s
		}
		if s, _ := bl["backButtonText"].(string); s != "" {
			v.BackLabel = s
		}
	}
	values := defaults(t.Template)
	fieldErrs := map[string]string{}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			p.problem(w, r, page, fmt.Errorf("%w: %w", service.ErrInput, err))
			return
		}
		switch r.PostForm.Get("step") {
		case "create", "back":
			values = map[string]any{}
			// A NUL in a value cannot be stored (PostgreSQL): refused like a NUL in a JSON body.
			if err := httpbody.Unmarshal([]byte(r.PostForm.Get("values")), &values); err != nil {
				p.problem(w, r, page, fmt.Errorf("%w: values: %w", service.ErrInput, err))
				return
			}
			if r.PostForm.Get("step") == "back" {
				break
			}
			// The review step wrote the values in the form's order; keep it.
			ordered, _ := jsvalue.DecodeJSON([]byte(r.PostForm.Get("values")))
			params, ok := ordered.(*jsvalue.Object)
			if !ok {
				params = jsvalue.Ordered(values).(*jsvalue.Object)
			}
			id, err := p.svc.CreateTask(ctx, service.CreateRequest{TemplateRef: t.Ref(), Values: params})
			if err != nil {
				if fieldErrs, v.Errors = p.invalid(w, r, page, err); fieldErrs == nil {
					return
				}
				break
			}
			http.Redirect(w, r, page.Path+"/tasks/"+url.PathEscape(id), http.StatusSeeOther)
			return
		default:
			values = readValues(t.Template, r.PostForm)
			if err := t.ValidateValues(values); err != nil {
				if fieldErrs, v.Errors = p.invalid(w, r, page, err); fieldErrs == nil {
					return
				}
				break
			}
			blob, _ := json.Marshal(formOrder(t.Template, values))
			v.ValuesJSON = string(blob)
			v.Reviewing = true
			v.Review = reviewRows(t.Template, values)
			p.render(w, r, page, "scaffolder-form.html", "Review: "+v.Title, 0, v)
			return
		}
	}
	b := &formBuilder{t: t.Template, values: values, errs: fieldErrs, ctx: ctx, svc: p.svc}
	for i, pg := range t.Pages {
		title, _ := pg["title"].(string)
		desc, _ := pg["description"].(string)
		v.Pages = append(v.Pages, pageView{Title: title, Description: desc, Fields: b.fields(strconv.Itoa(i), pg, "v", values, true)})
	}
	status := 0
	if len(v.Errors) > 0 || len(fieldErrs) > 0 {
		status = http.StatusBadRequest
		if len(v.Errors) == 0 {
			v.Errors = []string{"Please correct the fields marked below."}
		}
	}
	p.render(w, r, page, "scaffolder-form.html", v.Title, status, v)
}

// invalid sorts an error of a form step: validation errors come back split by splitErrors, for
// the form to be shown again with them; any other error is rendered as a problem page and nil
// fields come back.
func (p *pages) invalid(w http.ResponseWriter, r *http.Request, page *web.Page, err error) (map[string]string, []string) {
	var ve *template.ValidationErrors
	if errors.As(err, &ve) {
		return splitErrors(ve)
	}
	p.problem(w, r, page, err)
	return nil, nil
}

// splitErrors maps validation errors to fields ("v.<path>") and page-level messages.
func splitErrors(ve *template.ValidationErrors) (map[string]string, []string) {
	fields := map[string]string{}
	var general []string
	for _, e := range ve.Errors {
		path := e.Path
		msg := e.Message
		// A missing required property is reported on its parent; point it at the field.
		if e.Name == "required" {
			if prop := missingProperty(e.Message); prop != "" {
				path = append(append([]string{}, path...), prop)
				msg = "This field is required."
			}
		}
		if len(path) == 0 {
			general = append(general, e.Stack)
			continue
		}
		key := "v." + strings.Join(path, ".")
		if _, dup := fields[key]; !dup {
			fields[key] = msg
		}
	}
	return fields, general
}

// missingProperty extracts the property name from the validator's "missing property 'x'".
func missingProperty(msg string) string {
	i := strings.IndexAny(msg, "'\"")
	if i < 0 {
		return ""
	}
	q := msg[i]
	j := strings.IndexByte(msg[i+1:], q)
	if j < 0 {
		return ""
	}
	return msg[i+1 : i+1+j]
}

type formBuilder struct {
	t      *template.Template
	values map[string]any
	errs   map[string]string
	ctx    context.Context
	svc    *service.Service
	lists  map[string][]string
}

// properties returns a schema's properties plus those its dependencies/oneOf branches add,
// with the condition under which each dependent one applies.
func properties(schema map[string]any) (map[string]any, map[string]string) {
	props, _ := schema["properties"].(map[string]any)
	all := map[string]any{}
	for k, v := range props {
		all[k] = v
	}
	cond := map[string]string{}
	deps, _ := schema["dependencies"].(map[string]any)
	for dep, d := range deps {
		dm, _ := d.(map[string]any)
		branches, _ := dm["oneOf"].([]any)
		if extra, ok := dm["properties"].(map[string]any); ok {
			branches = append(branches, map[string]any{"properties": extra})
		}
		for _, br := range branches {
			bm, _ := br.(map[string]any)
			bp, _ := bm["properties"].(map[string]any)
			when := ""
			if c, ok := bp[dep].(map[string]any); ok {
				if cv, ok := c["const"]; ok {
					when = fmt.Sprintf("%s is %v", dep, cv)
				} else if ev, ok := c["enum"].([]any); ok && len(ev) > 0 {
					when = fmt.Sprintf("%s is %v", dep, ev[0])
				}
			}
			for k, v := range bp {
				if k == dep {
					continue
				}
				if _, exists := all[k]; !exists {
					all[k] = v
					if when != "" {
						cond[k] = "Only when " + when
					} else {
						cond[k] = "Only when " + dep + " is set"
					}
				}
			}
		}
	}
	return all, cond
}

func requiredSet(schema map[string]any) map[string]bool {
	out := map[string]bool{}
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				out[s] = true
			}
		}
	}
	return out
}

// fields builds the controls of an object schema at order path `path`, named under prefix.
func (b *formBuilder) fields(path string, schema map[string]any, prefix string, values map[string]any, top bool) []fieldView {
	props, conds := properties(schema)
	req := requiredSet(schema)
	var out []fieldView
	for _, key := range uiOrder(schema, b.t.PropertyOrder(path, props)) {
		ps, _ := props[key].(map[string]any)
		if ps == nil {
			continue
		}
		f := b.field(path+"/"+key, key, ps, prefix+"."+key, values[key])
		f.Required = req[key]
		f.Condition = conds[key]
		out = append(out, f)
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func (b *formBuilder) field(path, key string, ps map[string]any, name string, value any) fieldView {
	f := fieldView{Name: name, ID: "f-" + strings.NewReplacer(".", "-", "@", "-").Replace(name), Label: str(ps, "title"),
		Description: str(ps, "description"), Help: str(ps, "ui:help"), Placeholder: str(ps, "ui:placeholder"),
		Field: str(ps, "ui:field"), Error: b.errs[name]}
	if f.Label == "" {
		f.Label = key
	}
	f.Autofocus, _ = ps["ui:autofocus"].(bool)
	f.Readonly, _ = ps["ui:readonly"].(bool)
	uiOpts, _ := ps["ui:options"].(map[string]any)
	widget := str(ps, "ui:widget")
	typ := str(ps, "type")
	switch f.Field {
	case "RepoUrlPicker":
		f.Kind = "repourl"
		f.Repo = repoParts(fmt.Sprint(orEmpty(value)))
		var hosts []string
		if ah, ok := uiOpts["allowedHosts"].([]any); ok {
			for _, h := range ah {
				hosts = append(hosts, fmt.Sprint(h))
			}
		}
		if f.Repo.Host == "" && len(hosts) > 0 {
			f.Repo.Host = hosts[0]
		}
		for _, h := range hosts {
			f.Repo.Hosts = append(f.Repo.Hosts, optionView{Value: h, Label: h, Selected: h == f.Repo.Host})
		}
		return f
	case "EntityPicker", "OwnerPicker", "OwnedEntityPicker", "MyGroupsPicker":
		f.Kind, f.Value = "text", fmt.Sprint(orEmpty(value))
		f.DatalistID, f.Datalist = f.ID+"-list", b.entityRefs(f.Field, uiOpts)
		return f
	case "MultiEntityPicker":
		f.Kind, f.Value = "list", listText(value)
		f.DatalistID, f.Datalist = f.ID+"-list", b.entityRefs(f.Field, uiOpts)
		f.Help = strings.TrimSpace(f.Help + " One entity per line.")
		return f
	case "EntityTagsPicker":
		f.Kind, f.Value = "list", listText(value)
		f.Help = strings.TrimSpace(f.Help + " One tag per line.")
		return f
	case "EntityNamePicker":
		f.Kind, f.Value = "text", fmt.Sprint(orEmpty(value))
		if f.Placeholder == "" {
			f.Placeholder = "lower-case-name"
		}
		return f
	}
	if widget == "hidden" {
		f.Kind, f.Value = "hidden", scalarText(value)
		return f
	}
	if enum, ok := ps["enum"].([]any); ok {
		names, _ := ps["enumNames"].([]any)
		f.Kind = "select"
		if widget == "radio" {
			f.Kind = "radio"
		}
		cur := scalarText(value)
		if !f.Required && f.Kind == "select" {
			f.Options = append(f.Options, optionView{Value: "", Label: "—"})
		}
		for i, e := range enum {
			label := fmt.Sprint(e)
			if i < len(names) {
				label = fmt.Sprint(names[i])
			}
			f.Options = append(f.Options, optionView{Value: fmt.Sprint(e), Label: label, Selected: fmt.Sprint(e) == cur})
		}
		return f
	}
	switch typ {
	case "boolean":
		f.Kind = "checkbox"
		f.Checked, _ = value.(bool)
	case "number", "integer":
		f.Kind, f.InputType, f.Value = "text", "number", scalarText(value)
		f.Step = "any"
		if typ == "integer" {
			f.Step = "1"
		}
		if m, ok := ps["minimum"]; ok {
			f.Min = fmt.Sprint(m)
		}
		if m, ok := ps["maximum"]; ok {
			f.Max = fmt.Sprint(m)
		}
	case "array":
		items, _ := ps["items"].(map[string]any)
		if enum, ok := items["enum"].([]any); ok {
			f.Kind = "checkboxes"
			sel := map[string]bool{}
			if arr, ok := value.([]any); ok {
				for _, a := range arr {
					sel[fmt.Sprint(a)] = true
				}
			}
			for _, e := range enum {
				f.Options = append(f.Options, optionView{Value: fmt.Sprint(e), Label: fmt.Sprint(e), Selected: sel[fmt.Sprint(e)]})
			}
			return f
		}
		f.Kind, f.Value = "list", listText(value)
		f.Help = strings.TrimSpace(f.Help + " One item per line.")
	case "object":
		f.Kind = "object"
		sub, _ := value.(map[string]any)
		if sub == nil {
			sub = map[string]any{}
		}
		f.Children = b.fields(path, ps, name, sub, false)
	default:
		f.Kind, f.InputType, f.Value = "text", "text", scalarText(value)
		switch {
		case widget == "textarea":
			f.Kind = "textarea"
		case widget == "password":
			f.Kind = "password"
		case str(ps, "format") == "email":
			f.InputType = "email"
		case str(ps, "format") == "uri" || str(ps, "format") == "url":
			f.InputType = "url"
		}
		if it := str(uiOpts, "inputType"); it != "" && f.Kind == "text" {
			f.InputType = it
		}
	}
	return f
}

// entityRefs lists catalog entity refs for a picker's datalist.
func (b *formBuilder) entityRefs(field string, opts map[string]any) []string {
	var filters []string
	switch cf := opts["catalogFilter"].(type) {
	case map[string]any:
		filters = append(filters, filterString(cf))
	case []any:
		for _, f := range cf {
			if m, ok := f.(map[string]any); ok {
				filters = append(filters, filterString(m))
			}
		}
	}
	if len(filters) == 0 {
		if kinds, ok := opts["allowedKinds"].([]any); ok && len(kinds) > 0 {
			var ks []string
			for _, k := range kinds {
				ks = append(ks, fmt.Sprint(k))
			}
			for _, k := range ks {
				filters = append(filters, "kind="+k)
			}
		} else if field == "OwnerPicker" || field == "MyGroupsPicker" {
			filters = []string{"kind=group", "kind=user"}
		}
	}
	key := field + strings.Join(filters, "|")
	if refs, ok := b.lists[key]; ok {
		return refs
	}
	ents, err := b.svc.QueryEntities(b.ctx, filters, []string{"kind", "metadata.name", "metadata.namespace"})
	if err != nil {
		return nil
	}
	refs := make([]string, 0, len(ents))
	for _, e := range ents {
		refs = append(refs, e.Ref().String())
	}
	sort.Strings(refs)
	if b.lists == nil {
		b.lists = map[string][]string{}
	}
	b.lists[key] = refs
	return refs
}

// filterString turns an EntityPicker catalogFilter object into the catalog's filter syntax.
func filterString(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		switch v := m[k].(type) {
		case []any:
			for _, x := range v {
				parts = append(parts, k+"="+fmt.Sprint(x))
			}
		case map[string]any:
			if ex, _ := v["exists"].(bool); ex {
				parts = append(parts, k)
			}
		default:
			parts = append(parts, k+"="+fmt.Sprint(v))
		}
	}
	return strings.Join(parts, ",")
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func scalarText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return fmt.Sprint(t)
	}
}

func listText(v any) string {
	arr, _ := v.([]any)
	var lines []string
	for _, a := range arr {
		lines = append(lines, fmt.Sprint(a))
	}
	return strings.Join(lines, "\n")
}

// repoParts splits a RepoUrlPicker value "host?owner=o&repo=r".
func repoParts(s string) repoView {
	host, query, _ := strings.Cut(s, "?")
	q, _ := url.ParseQuery(query)
	return repoView{Host: host, Owner: q.Get("owner"), Repo: q.Get("repo")}
}

// defaults collects the default values of every page.
func defaults(t *template.Template) map[string]any {
	out := map[string]any{}
	for _, pg := range t.Pages {
		collectDefaults(pg, out)
	}
	return out
}

func collectDefaults(schema map[string]any, out map[string]any) {
	props, _ := properties(schema)
	for k, p := range props {
		ps, _ := p.(map[string]any)
		if d, ok := ps["default"]; ok {
			if _, set := out[k]; !set {
				out[k] = d
			}
		} else if str(ps, "type") == "object" {
			sub := map[string]any{}
			collectDefaults(ps, sub)
			if len(sub) > 0 {
				out[k] = sub
			}
		}
	}
}

// readValues reads the posted form back into values, following the schema so types survive.
// formOrder returns values in the order of the form's fields, page by page, as Backstage's
// form submits them (templates may `| dump` or walk the parameters); values no field names
// follow, sorted.
func formOrder(t *template.Template, values map[string]any) *jsvalue.Object {
	out := jsvalue.NewObject(len(values))
	for i, pg := range t.Pages {
		props, _ := properties(pg)
		for _, k := range t.PropertyOrder(strconv.Itoa(i), props) {
			if v, ok := values[k]; ok {
				if _, done := out.Get(k); !done {
					out.Set(k, jsvalue.Ordered(v))
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if _, done := out.Get(k); !done {
			out.Set(k, jsvalue.Ordered(values[k]))
		}
	}
	return out
}

func readValues(t *template.Template, form url.Values) map[string]any {
	out := map[string]any{}
	for _, pg := range t.Pages {
		readObject(pg, "v", form, out)
	}
	return out
}

func readObject(schema map[string]any, prefix string, form url.Values, out map[string]any) {
	props, _ := properties(schema)
	for key, p := range props {
		ps, _ := p.(map[string]any)
		if ps == nil {
			continue
		}
		name := prefix + "." + key
		if v, ok := readValue(ps, name, form); ok {
			out[key] = v
		}
	}
}

func readValue(ps map[string]any, name string, form url.Values) (any, bool) {
	field := str(ps, "ui:field")
	typ := str(ps, "type")
	switch {
	case field == "RepoUrlPicker":
		host := strings.TrimSpace(form.Get(name + "@host"))
		owner := strings.TrimSpace(form.Get(name + "@owner"))
		repo := strings.TrimSpace(form.Get(name + "@repo"))
		if host == "" && owner == "" && repo == "" {
			return nil, false
		}
		q := url.Values{}
		if owner != "" {
			q.Set("owner", owner)
		}
		if repo != "" {
			q.Set("repo", repo)
		}
		return host + "?" + q.Encode(), true
	case typ == "boolean" && ps["enum"] == nil:
		if _, present := form[name+"@present"]; !present {
			return nil, false
		}
		return form.Get(name) != "", true
	case typ == "array":
		items, _ := ps["items"].(map[string]any)
		var list []any
		if _, ok := items["enum"]; ok {
			if _, present := form[name+"@present"]; !present {
				return nil, false
			}
			for _, v := range form[name] {
				list = append(list, v)
			}
			if list == nil {
				list = []any{}
			}
			return list, true
		}
		raw, ok := form[name]
		if !ok {
			return nil, false
		}
		for _, line := range strings.Split(strings.Join(raw, "\n"), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			list = append(list, typed(line, str(items, "type")))
		}
		if list == nil {
			return nil, false
		}
		return list, true
	case typ == "object" && field == "":
		sub := map[string]any{}
		readObject(ps, name, form, sub)
		if len(sub) == 0 {
			return nil, false
		}
		return sub, true
	}
	raw := strings.TrimSpace(form.Get(name))
	if raw == "" {
		return nil, false
	}
	return typed(raw, typ), true
}

// typed converts text to the schema type when it parses, else keeps it (validation reports it).
func typed(s, typ string) any {
	switch typ {
	case "number", "integer":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}

// reviewRows lists the values for the review step, masking passwords and honouring
// ui:backstage.review.
func reviewRows(t *template.Template, values map[string]any) []reviewRow {
	var rows []reviewRow
	seen := map[string]bool{}
	for i, pg := range t.Pages {
		props, _ := properties(pg)
		for _, key := range t.PropertyOrder(strconv.Itoa(i), props) {
			v, ok := values[key]
			if !ok || seen[key] {
				continue
			}
			seen[key] = true
			ps, _ := props[key].(map[string]any)
			label := str(ps, "title")
			if label == "" {
				label = key
			}
			text := reviewText(v)
			if rv, ok := ps["ui:backstage"].(map[string]any); ok {
				if rev, ok := rv["review"].(map[string]any); ok {
					if show, ok := rev["show"].(bool); ok && !show {
						continue
					}
					if m, ok := rev["mask"].(string); ok {
						text = m
					}
				}
			}
			if str(ps, "ui:widget") == "password" {
				text = "******"
			}
			rows = append(rows, reviewRow{Label: label, Value: text})
		}
	}
	return rows
}

func reviewText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64, bool:
		return scalarText(t)
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

// uiOrder applies RJSF's ui:order ("*" stands for the remaining properties) to keys.
func uiOrder(schema map[string]any, keys []string) []string {
	order, ok := schema["ui:order"].([]any)
	if !ok {
		return keys
	}
	placed := map[string]bool{}
	var head, tail []string
	star := false
	for _, o := range order {
		s, _ := o.(string)
		if s == "*" {
			star = true
			continue
		}
		placed[s] = true
		if star {
			tail = append(tail, s)
		} else {
			head = append(head, s)
		}
	}
	var rest []string
	for _, k := range keys {
		if !placed[k] {
			rest = append(rest, k)
		}
	}
	var out []string
	for _, k := range append(append(head, rest...), tail...) {
		if slices.Contains(keys, k) {
			out = append(out, k)
		}
	}
	return out
}
