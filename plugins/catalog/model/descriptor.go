package model

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseOptions configure [ParseDescriptor].
type ParseOptions struct {
	// MergeKeys enables YAML merge keys (<<: *anchor). Backstage leaves them off by default
	// (its enableYamlMerge option), which makes "<<" an ordinary key.
	MergeKeys bool
}

// Document is one document of a YAML descriptor file.
type Document struct {
	// Index is the position of the document in the stream, counting from 0 (empty documents
	// are skipped but counted).
	Index int
	// Line and Column locate the start of the document's content (1-based).
	Line   int
	Column int
	// Value is the document as a generic JSON value (numbers are float64, as in JavaScript).
	Value any
	// Entity is the typed form, decoded leniently (see [DecodeEntity]); nil when the document
	// is not an object or could not be parsed.
	Entity *Entity
	// Problems holds parse problems: YAML errors and documents that are not objects.
	Problems Problems

	node *yaml.Node
}

// maxValueNodes bounds the values one document may expand to through aliases, so a small file
// cannot blow up ("billion laughs").
const maxValueNodes = 250_000

// ParseDescriptor splits a YAML stream into documents, as Backstage's catalog file parser does:
// empty documents are skipped, and every other document must be an object to be an entity. A
// document that is not an object gets the problem "Expected object at root, got <type>" (with
// JavaScript's typeof names). A YAML syntax error ends the stream: the documents before it are
// returned, followed by one holding the error with its line. The function never fails as a
// whole; callers check each document's Problems.
func ParseDescriptor(data []byte, opts ParseOptions) []Document {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []Document
	for index := 0; ; index++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			docs = append(docs, syntaxErrorDocument(index, err))
			return docs
		}
		content := &n
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				continue
			}
			content = n.Content[0]
		}
		d := Document{Index: index, Line: content.Line, Column: content.Column, node: content}
		conv := nodeConverter{merge: opts.MergeKeys}
		value, perr := conv.value(content, 0)
		if perr != nil {
			d.Problems = append(d.Problems, *perr)
			docs = append(docs, d)
			continue
		}
		if value == nil {
			continue // an empty document, e.g. after a trailing ---
		}
		d.Value = value
		if _, ok := value.(map[string]any); ok {
			d.Entity, _ = DecodeEntity(value)
		} else {
			d.Problems = append(d.Problems, Problem{
				Stage:     StageParse,
				Message:   "Expected object at root, got " + jsTypeof(value),
				ErrorName: ErrorNameError,
				Line:      d.Line,
				Column:    d.Column,
			})
		}
		docs = append(docs, d)
	}
}

func syntaxErrorDocument(index int, err error) Document {
	// yaml.v3 reports "yaml: line N: message".
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, text
			}
		}
	}
	return Document{
		Index: index,
		Line:  line,
		Problems: Problems{{
			Stage:     StageParse,
			Message:   msg,
			ErrorName: ErrorNameError,
			Line:      line,
		}},
	}
}

// jsTypeof names a value's type as JavaScript's typeof does.
func jsTypeof(v any) string {
	switch jsonType(v) {
	case "array", "object", "null":
		return "object"
	default:
		return jsonType(v)
	}
}

// nodeConverter turns YAML nodes into generic JSON values, following the YAML 1.2 core schema
// as Backstage's YAML library does: yes/no/on/off and dates stay strings.
type nodeConverter struct {
	merge bool
	count int
}

func (c *nodeConverter) fail(n *yaml.Node, msg string) *Problem {
	return &Problem{Stage: StageParse, Message: msg, ErrorName: ErrorNameError, Line: n.Line, Column: n.Column}
}

func (c *nodeConverter) value(n *yaml.Node, depth int) (any, *Problem) {
	c.count++
	if c.count > maxValueNodes {
		return nil, c.fail(n, "document expands to too many values (excessive aliasing)")
	}
	if depth > 1000 {
		return nil, c.fail(n, "document is nested too deeply")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, c.fail(n, "unknown anchor")
		}
		return c.value(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.value(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.ScalarNode:
		return scalarValue(n), nil
	}
	return nil, nil
}

func (c *nodeConverter) mapping(n *yaml.Node, depth int) (any, *Problem) {
	out := make(map[string]any, len(n.Content)/2)
	var merged map[string]any
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if c.merge && kn.Kind == yaml.ScalarNode && kn.ShortTag() == "!!merge" {
			if err := c.mergeInto(&merged, vn, depth); err != nil {
				return nil, err
			}
			continue
		}
		key, err := c.key(kn, depth)
		if err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, c.fail(kn, `Map keys must be unique; "`+key+`" is repeated`)
		}
		v, err := c.value(vn, depth+1)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	for k, v := range merged {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out, nil
}

// mergeInto applies a merge key's value (a mapping or a sequence of mappings, earlier ones
// winning) to merged.
func (c *nodeConverter) mergeInto(merged *map[string]any, vn *yaml.Node, depth int) *Problem {
	sources := []*yaml.Node{vn}
	if vn.Kind == yaml.SequenceNode {
		sources = vn.Content
	}
	for _, s := range sources {
		v, err := c.value(s, depth+1)
		if err != nil {
			return err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return c.fail(s, "Merge sources must be maps or map aliases")
		}
		if *merged == nil {
			*merged = map[string]any{}
		}
		for k, x := range m {
			if _, ok := (*merged)[k]; !ok {
				(*merged)[k] = x
			}
		}
	}
	return nil
}

// key turns a mapping key into a string, as JavaScript does when a YAML map becomes an object.
func (c *nodeConverter) key(kn *yaml.Node, depth int) (string, *Problem) {
	if kn.Kind == yaml.ScalarNode {
		switch v := scalarValue(kn).(type) {
		case string:
			return v, nil
		case nil:
			return "", nil
		default:
			return jsString(v), nil
		}
	}
	v, err := c.value(kn, depth+1)
	if err != nil {
		return "", err
	}
	return string(StableJSON(v)), nil
}

// scalarValue resolves a scalar node by its tag.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return float64(i)
		}
		var f float64
		if err := n.Decode(&f); err == nil {
			return f
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil {
			return f
		}
	}
	return n.Value
}

// Position returns the line and column (1-based) of the value a JSON pointer designates in the
// document: the key of an object member, the item of an array. When the pointer goes beyond
// what exists (a missing field), the closest existing parent is used.
func (d *Document) Position(ptr string) (line, column int) {
	n := d.node
	if n == nil {
		return d.Line, d.Column
	}
	line, column = n.Line, n.Column
	for _, tok := range splitPointer(ptr) {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					line, column = n.Content[i].Line, n.Content[i].Column
					n = n.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return line, column
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return line, column
			}
			n = n.Content[i]
			line, column = n.Line, n.Column
		default:
			return line, column
		}
	}
	return line, column
}

// Locate returns a copy of problems with Line and Column filled in from the document, for the
// problems that do not have a position yet.
func (d *Document) Locate(problems Problems) Problems {
	out := make(Problems, len(problems))
	for i, p := range problems {
		if p.Line == 0 {
			p.Line, p.Column = d.Position(p.Path)
		}
		out[i] = p
	}
	return out
}

// CheckDocument returns every problem of a descriptor document, located in it: parse problems,
// then validation problems ([Validator.ValidateValue]), then relation problems
// ([Validator.Relations]) when the entity is otherwise valid.
func (v *Validator) CheckDocument(d *Document) Problems {
	problems := append(Problems(nil), d.Problems...)
	if d.Value == nil || len(d.Problems) > 0 {
		return problems
	}
	vp := v.ValidateValue(d.Value)
	problems = append(problems, vp...)
	if len(vp) == 0 && d.Entity != nil {
		_, rp := v.Relations(d.Entity)
		problems = append(problems, rp...)
	}
	return d.Locate(problems)
}
