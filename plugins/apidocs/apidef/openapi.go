package apidef

import (
	"fmt"
	"strings"
)

// OpenAPI is an OpenAPI 3.x or Swagger 2 document prepared for display.
type OpenAPI struct {
	SpecVersion string // "3.0.3", "3.1.0", "2.0"
	Title       string
	Version     string // info.version
	Description string
	Servers     []Server
	Groups      []TagGroup
}

// Format names the specification: "Swagger" for 2.0, else "OpenAPI".
func (d *OpenAPI) Format() string {
	if strings.HasPrefix(d.SpecVersion, "2") {
		return "Swagger"
	}
	return "OpenAPI"
}

// Server is a base URL of the API.
type Server struct{ URL, Description string }

// TagGroup is the operations of one tag ("default" for untagged operations).
type TagGroup struct {
	Name, Description string
	Operations        []Operation
}

// Operation is one method on one path.
type Operation struct {
	Anchor      string // HTML id, unique in the document
	Method      string // upper case
	Path        string
	Summary     string
	Description string
	OperationID string
	Deprecated  bool
	Parameters  []Parameter
	RequestBody *Body
	Responses   []Response
}

// Parameter is a path, query, header, cookie or form parameter.
type Parameter struct {
	Name, In    string
	Required    bool
	Deprecated  bool
	Description string
	Schema      *Schema
	Example     string
}

// Body is a request body.
type Body struct {
	Description string
	Required    bool
	Contents    []Media
}

// Response is one status code's response.
type Response struct {
	Status, Description string
	Contents            []Media
}

// Class is the status class for styling: "2" for 2XX, "default" for default.
func (r Response) Class() string {
	if r.Status == "" || r.Status[0] < '1' || r.Status[0] > '5' {
		return "default"
	}
	return r.Status[:1]
}

// Media is a body in one media type.
type Media struct {
	Type     string
	Schema   *Schema
	Examples []Example
}

// Example is a named example value, formatted for a code block.
type Example struct{ Name, Value string }

// methods are the operation keys of a path item, in the order Swagger UI shows them.
func methods() []string {
	return []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
}

// ParseOpenAPI reads an OpenAPI 3.x or Swagger 2.0 document in YAML or JSON.
func ParseOpenAPI(text string) (*OpenAPI, error) {
	root, err := parseDocument(text)
	if err != nil {
		return nil, err
	}
	doc := &OpenAPI{}
	swagger := root.str("swagger")
	switch {
	case strings.HasPrefix(root.str("openapi"), "3."):
		doc.SpecVersion = root.str("openapi")
	case strings.HasPrefix(swagger, "2"):
		doc.SpecVersion = swagger
	default:
		return nil, fmt.Errorf("not an OpenAPI 3.x or Swagger 2.0 document: no openapi: 3.x or swagger: \"2.0\" field")
	}
	p := openapiParser{root: root, schemas: schemaBuilder{root: root}, v2: doc.SpecVersion == swagger}
	info := root.obj("info")
	doc.Title, doc.Version, doc.Description = info.str("title"), info.str("version"), info.str("description")
	doc.Servers = p.servers()
	doc.Groups = p.groups()
	return doc, nil
}

type openapiParser struct {
	root    *object
	schemas schemaBuilder
	v2      bool
}

func (p openapiParser) servers() []Server {
	if p.v2 {
		host := p.root.str("host")
		if host == "" {
			return nil
		}
		schemes := asList(p.root.get("schemes"))
		if len(schemes) == 0 {
			schemes = []any{"https"}
		}
		var out []Server
		for _, s := range schemes {
			out = append(out, Server{URL: str(s) + "://" + host + p.root.str("basePath")})
		}
		return out
	}
	var out []Server
	for _, s := range asList(p.root.get("servers")) {
		o := asObject(s)
		if o != nil && o.str("url") != "" {
			out = append(out, Server{URL: o.str("url"), Description: o.str("description")})
		}
	}
	return out
}

func (p openapiParser) groups() []TagGroup {
	var groups []TagGroup
	index := map[string]int{}
	group := func(name string) *TagGroup {
		i, ok := index[name]
		if !ok {
			i = len(groups)
			index[name] = i
			groups = append(groups, TagGroup{Name: name})
		}
		return &groups[i]
	}
	for _, t := range asList(p.root.get("tags")) {
		if o := asObject(t); o != nil && o.str("name") != "" {
			group(o.str("name")).Description = o.str("description")
		}
	}
	anchors := map[string]int{}
	paths := p.root.obj("paths")
	if paths == nil {
		return nil
	}
	for path, io := range paths.members(p.root) {
		if io == nil {
			continue
		}
		shared := asList(io.get("parameters"))
		for _, m := range methods() {
			oo := io.obj(m)
			if oo == nil {
				continue
			}
			op := p.operation(path, m, oo, shared)
			anchor := "op-" + slug(op.Method+"-"+path)
			anchors[anchor]++
			if n := anchors[anchor]; n > 1 {
				anchor = fmt.Sprintf("%s-%d", anchor, n)
			}
			op.Anchor = anchor
			tags := asList(oo.get("tags"))
			if len(tags) == 0 {
				tags = []any{"default"}
			}
			for _, t := range tags {
				g := group(str(t))
				g.Operations = append(g.Operations, op)
			}
		}
	}
	var out []TagGroup
	for _, g := range groups {
		if len(g.Operations) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func (p openapiParser) operation(path, method string, o *object, shared []any) Operation {
	op := Operation{
		Method:      strings.ToUpper(method),
		Path:        path,
		Summary:     o.str("summary"),
		Description: o.str("description"),
		OperationID: o.str("operationId"),
		Deprecated:  o.bool("deprecated"),
	}
	// Operation parameters override path-level ones with the same name and location.
	seen := map[string]bool{}
	var params []*object
	for _, list := range [][]any{asList(o.get("parameters")), shared} {
		for _, raw := range list {
			t, _ := deref(p.root, raw)
			po := asObject(t)
			if po == nil {
				continue
			}
			key := po.str("in") + "\x00" + po.str("name")
			if seen[key] {
				continue
			}
			seen[key] = true
			params = append(params, po)
		}
	}
	for _, po := range params {
		switch {
		case p.v2 && po.str("in") == "body":
			op.RequestBody = &Body{Description: po.str("description"), Required: po.bool("required"),
				Contents: p.v2Contents(o, "consumes", po.get("schema"), nil)}
		default:
			op.Parameters = append(op.Parameters, p.parameter(po))
		}
	}
	if rb := o.get("requestBody"); rb != nil && !p.v2 {
		t, _ := deref(p.root, rb)
		if bo := asObject(t); bo != nil {
			op.RequestBody = &Body{Description: bo.str("description"), Required: bo.bool("required"), Contents: p.contents(bo.obj("content"))}
		}
	}
	if responses := o.obj("responses"); responses != nil {
		for status, ro := range responses.members(p.root) {
			if ro == nil {
				continue
			}
			r := Response{Status: status, Description: ro.str("description")}
			if p.v2 {
				if ro.get("schema") != nil || ro.obj("examples") != nil {
					r.Contents = p.v2Contents(o, "produces", ro.get("schema"), ro.obj("examples"))
				}
			} else {
				r.Contents = p.contents(ro.obj("content"))
			}
			op.Responses = append(op.Responses, r)
		}
	}
	return op
}

func (p openapiParser) parameter(po *object) Parameter {
	prm := Parameter{
		Name:        po.str("name"),
		In:          po.str("in"),
		Required:    po.bool("required"),
		Deprecated:  po.bool("deprecated"),
		Description: po.str("description"),
		Example:     example(po.get("example")),
	}
	if p.v2 {
		prm.Schema = p.schemas.build(po) // Swagger 2 puts type, format and items on the parameter
		prm.Schema.Description = ""
	} else if s := po.get("schema"); s != nil {
		prm.Schema = p.schemas.build(s)
	} else if c := po.obj("content"); c != nil && len(c.keys) > 0 {
		prm.Schema = p.schemas.build(c.obj(c.keys[0]).get("schema"))
	}
	if prm.Example == "" {
		if exs := po.obj("examples"); exs != nil && len(exs.keys) > 0 {
			t, _ := deref(p.root, exs.vals[exs.keys[0]])
			prm.Example = example(asObject(t).get("value"))
		}
	}
	return prm
}

// contents reads an OpenAPI 3 content map (media type → schema and examples).
func (p openapiParser) contents(c *object) []Media {
	if c == nil {
		return nil
	}
	var out []Media
	for _, mt := range c.keys {
		mo := c.obj(mt)
		m := Media{Type: mt, Schema: p.schemas.build(mo.get("schema"))}
		if ex := mo.get("example"); ex != nil {
			m.Examples = append(m.Examples, Example{Value: example(ex)})
		}
		if exs := mo.obj("examples"); exs != nil {
			for name, eo := range exs.members(p.root) {
				val := example(eo.get("value"))
				if val == "" && eo.str("externalValue") != "" {
					val = "See " + eo.str("externalValue")
				}
				title := name
				if s := eo.str("summary"); s != "" {
					title = name + ": " + s
				}
				m.Examples = append(m.Examples, Example{Name: title, Value: val})
			}
		}
		out = append(out, m)
	}
	return out
}

// v2Contents builds the media of a Swagger 2 body or response: one per media type the
// operation (or the document) consumes or produces.
func (p openapiParser) v2Contents(op *object, key string, schema any, examples *object) []Media {
	types := asList(op.get(key))
	if len(types) == 0 {
		types = asList(p.root.get(key))
	}
	if len(types) == 0 {
		types = []any{"application/json"}
	}
	var out []Media
	for _, t := range types {
		m := Media{Type: str(t), Schema: p.schemas.build(schema)}
		if ex := examples.get(str(t)); ex != nil {
			m.Examples = append(m.Examples, Example{Value: example(ex)})
		}
		out = append(out, m)
	}
	return out
}

// slug makes an HTML id from text.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
