package config

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// kind is the JSON type of a config value.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// node is one config value with the place it came from. Nodes are never changed once a Config
// holds them, which keeps Config safe for concurrent readers.
type node struct {
	kind kind
	b    bool
	num  float64
	str  string
	arr  []*node
	obj  map[string]*node
	file string
	line int
}

func newObject(file string, line int) *node {
	return &node{kind: kindObject, obj: map[string]*node{}, file: file, line: line}
}

func newString(s, file string, line int) *node {
	return &node{kind: kindString, str: s, file: file, line: line}
}

// typeName names the JSON type of n as messages show it.
func typeName(n *node) string {
	if n == nil {
		return "undefined"
	}
	switch n.kind {
	case kindNull:
		return "null"
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	case kindString:
		return "string"
	case kindArray:
		return "array"
	default:
		return "object"
	}
}

func isScalar(n *node) bool {
	return n.kind != kindArray && n.kind != kindObject
}

// plain converts a node tree to fresh Go values: map[string]any, []any, string, float64, bool
// and nil. Callers may modify the result.
func plain(n *node) any {
	switch n.kind {
	case kindNull:
		return nil
	case kindBool:
		return n.b
	case kindNumber:
		return n.num
	case kindString:
		return n.str
	case kindArray:
		out := make([]any, len(n.arr))
		for i, e := range n.arr {
			out[i] = plain(e)
		}
		return out
	default:
		out := make(map[string]any, len(n.obj))
		for k, v := range n.obj {
			out[k] = plain(v)
		}
		return out
	}
}

// fromGo converts literal Go data to a node tree attributed to file. It never fails: object
// entries holding nil are dropped (as an explicit null would be after merging), map keys and
// values of other types are formatted with fmt, non-finite floats become strings and anything
// nested deeper than maxDepth (a self-referencing map) is cut off as null.
func fromGo(v any, file string) *node {
	return fromValue(reflect.ValueOf(v), file, 0)
}

func fromValue(rv reflect.Value, file string, depth int) *node {
	for rv.IsValid() && (rv.Kind() == reflect.Interface || rv.Kind() == reflect.Pointer) {
		if rv.IsNil() {
			return &node{kind: kindNull, file: file}
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() || depth > maxDepth {
		return &node{kind: kindNull, file: file}
	}
	if rv.CanInterface() {
		if num, ok := rv.Interface().(json.Number); ok {
			if f, err := strconv.ParseFloat(string(num), 64); err == nil {
				return &node{kind: kindNumber, num: f, file: file}
			}
			return newString(string(num), file, 0)
		}
	}
	switch rv.Kind() {
	case reflect.Bool:
		return &node{kind: kindBool, b: rv.Bool(), file: file}
	case reflect.String:
		return newString(rv.String(), file, 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &node{kind: kindNumber, num: float64(rv.Int()), file: file}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return &node{kind: kindNumber, num: float64(rv.Uint()), file: file}
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return newString(strconv.FormatFloat(f, 'g', -1, 64), file, 0)
		}
		return &node{kind: kindNumber, num: f, file: file}
	case reflect.Slice, reflect.Array:
		n := &node{kind: kindArray, arr: make([]*node, rv.Len()), file: file}
		for i := range rv.Len() {
			n.arr[i] = fromValue(rv.Index(i), file, depth+1)
		}
		return n
	case reflect.Map:
		n := newObject(file, 0)
		iter := rv.MapRange()
		for iter.Next() {
			e := fromValue(iter.Value(), file, depth+1)
			if e.kind == kindNull {
				continue
			}
			k := iter.Key()
			if k.Kind() == reflect.String {
				n.obj[k.String()] = e
			} else {
				n.obj[fmt.Sprint(k.Interface())] = e
			}
		}
		return n
	default:
		if rv.CanInterface() {
			return newString(fmt.Sprint(rv.Interface()), file, 0)
		}
		return &node{kind: kindNull, file: file}
	}
}
