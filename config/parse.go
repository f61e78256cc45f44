package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

const (
	// maxDepth bounds nesting so hostile input cannot exhaust the stack.
	maxDepth = 1000
	// maxNodes bounds the values one document may expand to through aliases ("billion laughs").
	maxNodes = 1 << 20
)

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (?s)(.*)$`)

// parseYAML parses one YAML document into a node tree attributed to file. An empty document
// yields a null node.
func parseYAML(data []byte, file string) (n *node, err error) {
	defer func() {
		// The YAML parser has panicked on malformed input in past releases; a config file must
		// never crash the process, so turn any panic into an ordinary error.
		if r := recover(); r != nil {
			n, err = nil, &Error{File: file, Message: fmt.Sprintf("invalid YAML: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &node{kind: kindNull, file: file, line: 1}, nil
		}
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, yamlError(file, err)
	default:
		return nil, &Error{File: file, Line: extra.Line, Message: "multiple YAML documents in one file are not supported"}
	}
	c := &yamlConverter{file: file}
	return c.convert(&doc, 0, 0)
}

func yamlError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if isYAMLParserProblem(m[2]) {
			line++ // the parser (unlike the scanner) reports 0-based lines
		}
		return &Error{File: file, Line: line, Message: "invalid YAML: " + m[2]}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if !strings.Contains(msg, "anchor") {
		// The parser leaves out the line number when the problem is on the first line.
		line = 1
	}
	return &Error{File: file, Line: line, Message: "invalid YAML: " + msg}
}

// isYAMLParserProblem recognises the parser's messages (as opposed to the scanner's).
func isYAMLParserProblem(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

type yamlConverter struct {
	file  string
	count int
}

// convert turns a yaml.Node into a node; line overrides the node's own line when non-zero (a
// mapping value is reported at its key's line, which is where a reader looks).
func (c *yamlConverter) convert(y *yaml.Node, line, depth int) (*node, error) {
	c.count++
	if c.count > maxNodes {
		return nil, &Error{File: c.file, Line: y.Line, Message: "document expands to too many values (alias loop?)"}
	}
	if depth > maxDepth {
		return nil, &Error{File: c.file, Line: y.Line, Message: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	if line == 0 {
		line = y.Line
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull, file: c.file, line: 1}, nil
		}
		return c.convert(y.Content[0], 0, depth+1)
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, &Error{File: c.file, Line: y.Line, Message: "invalid YAML: unknown alias"}
		}
		return c.convert(y.Alias, line, depth+1)
	case yaml.SequenceNode:
		n := &node{kind: kindArray, arr: make([]*node, 0, len(y.Content)), file: c.file, line: line}
		for _, e := range y.Content {
			v, err := c.convert(e, 0, depth+1)
			if err != nil {
				return nil, err
			}
			n.arr = append(n.arr, v)
		}
		return n, nil
	case yaml.MappingNode:
		n := newObject(c.file, line)
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, &Error{File: c.file, Line: k.Line, Message: "mapping keys must be scalars"}
			}
			if _, dup := n.obj[k.Value]; dup {
				return nil, &Error{File: c.file, Line: k.Line, Message: fmt.Sprintf("duplicate key %q", k.Value)}
			}
			val, err := c.convert(v, k.Line, depth+1)
			if err != nil {
				return nil, err
			}
			n.obj[k.Value] = val
		}
		return n, nil
	case yaml.ScalarNode:
		return c.scalar(y, line)
	default:
		return nil, &Error{File: c.file, Line: y.Line, Message: "invalid YAML: unsupported node"}
	}
}

func (c *yamlConverter) scalar(y *yaml.Node, line int) (*node, error) {
	switch y.ShortTag() {
	case "!!null":
		return &node{kind: kindNull, file: c.file, line: line}, nil
	case "!!bool":
		var b bool
		if err := y.Decode(&b); err != nil {
			return nil, &Error{File: c.file, Line: y.Line, Message: fmt.Sprintf("invalid boolean %q", y.Value)}
		}
		return &node{kind: kindBool, b: b, file: c.file, line: line}, nil
	case "!!int", "!!float":
		var v any
		if err := y.Decode(&v); err != nil {
			return nil, &Error{File: c.file, Line: y.Line, Message: fmt.Sprintf("invalid number %q", y.Value)}
		}
		f, ok := toFloat(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &Error{File: c.file, Line: y.Line, Message: fmt.Sprintf("unsupported number %q (must be finite)", y.Value)}
		}
		return &node{kind: kindNumber, num: f, file: c.file, line: line}, nil
	default:
		// Strings, timestamps (kept as text, as YAML 1.2 loaders do), binary and custom tags.
		return newString(y.Value, c.file, line), nil
	}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	default:
		return 0, false
	}
}

// parseJSON parses a JSON document into a node tree with line numbers. Duplicate keys keep
// the last value, as JSON.parse does.
func parseJSON(data []byte, file string) (*node, error) {
	p := &jsonParser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	for i, b := range data {
		if b == '\n' {
			p.newlines = append(p.newlines, i)
		}
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: p.line(), Message: "invalid JSON: unexpected data after the top-level value"}
	}
	return n, nil
}

type jsonParser struct {
	file     string
	data     []byte
	dec      *json.Decoder
	newlines []int
}

// line is the 1-based line of the decoder's current offset.
func (p *jsonParser) line() int {
	off := int(p.dec.InputOffset())
	return sort.SearchInts(p.newlines, off) + 1
}

func (p *jsonParser) fail(err error) *Error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Error{File: p.file, Line: sort.SearchInts(p.newlines, int(se.Offset)) + 1, Message: "invalid JSON: " + se.Error()}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &Error{File: p.file, Line: p.line(), Message: "invalid JSON: " + err.Error()}
}

func (p *jsonParser) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &Error{File: p.file, Line: p.line(), Message: fmt.Sprintf("nesting deeper than %d levels", maxDepth)}
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(err)
	}
	return p.fromToken(tok, depth)
}

func (p *jsonParser) fromToken(tok json.Token, depth int) (*node, error) {
	line := p.line()
	switch t := tok.(type) {
	case nil:
		return &node{kind: kindNull, file: p.file, line: line}, nil
	case bool:
		return &node{kind: kindBool, b: t, file: p.file, line: line}, nil
	case string:
		return newString(t, p.file, line), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return nil, &Error{File: p.file, Line: line, Message: fmt.Sprintf("unsupported number %s", t)}
		}
		return &node{kind: kindNumber, num: f, file: p.file, line: line}, nil
	case json.Delim:
		if t == '[' {
			n := &node{kind: kindArray, file: p.file, line: line}
			for p.dec.More() {
				e, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, e)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.fail(err)
			}
			return n, nil
		}
		n := newObject(p.file, line)
		for p.dec.More() {
			kt, err := p.dec.Token()
			if err != nil {
				return nil, p.fail(err)
			}
			key, _ := kt.(string)
			keyLine := p.line()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			v.line = keyLine // like YAML values, report at the key's line
			n.obj[key] = v
		}
		if _, err := p.dec.Token(); err != nil {
			return nil, p.fail(err)
		}
		return n, nil
	default:
		return nil, &Error{File: p.file, Line: line, Message: fmt.Sprintf("invalid JSON token %v", tok)}
	}
}
