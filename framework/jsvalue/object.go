package jsvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// Object is a JavaScript object holding JSON values: its keys come back in JavaScript's
// own-property order, which JSON.stringify, Object.entries and for…in follow: the keys that
// are array indices ("0", "2", "10": canonical integers below 2³²−1) first in ascending
// numeric order, then every other key in the order it was first set. A Go map forgets
// that order; templates (`| dump`, `{% for k, v in obj %}`, a step's `each:`) show it.
//
// The zero value is an empty object ready to use. An Object is not safe for concurrent
// writes.
type Object struct {
	keys    []string // indices first (ascending), then the others in insertion order
	indices int      // how many of keys are array indices
	vals    map[string]any
}

// NewObject returns an empty object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make(map[string]any, n)}
}

// Len is the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Keys returns the keys in JavaScript's order. The caller must not modify the slice.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

// Get returns the value of key k.
func (o *Object) Get(k string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[k]
	return v, ok
}

// Set sets key k to v. A new key takes its place in JavaScript's order; an existing one
// keeps its place, as in JavaScript.
func (o *Object) Set(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; ok {
		o.vals[k] = v
		return
	}
	o.vals[k] = v
	if idx, ok := arrayIndex(k); ok {
		i := sort.Search(o.indices, func(i int) bool {
			j, _ := arrayIndex(o.keys[i])
			return j > idx
		})
		o.keys = append(o.keys, "")
		copy(o.keys[i+1:], o.keys[i:])
		o.keys[i] = k
		o.indices++
		return
	}
	o.keys = append(o.keys, k)
}

// Delete removes key k.
func (o *Object) Delete(k string) {
	if o == nil {
		return
	}
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			if i < o.indices {
				o.indices--
			}
			return
		}
	}
}

// Map returns the entries as a map, the values as they are.
func (o *Object) Map() map[string]any {
	m := make(map[string]any, o.Len())
	if o != nil {
		for k, v := range o.vals {
			m[k] = v
		}
	}
	return m
}

// IsArrayIndex reports whether k is an array index: the canonical decimal form of an
// integer from 0 to 2³²−2, which JavaScript lists before an object's other keys.
func IsArrayIndex(k string) bool {
	_, ok := arrayIndex(k)
	return ok
}

func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n >= 1<<32-1 {
		return 0, false
	}
	return n, true
}

// MarshalJSON writes the object in its key order as JSON.stringify does (Stringify).
func (o *Object) MarshalJSON() ([]byte, error) {
	return []byte(Stringify(o, "")), nil
}

// UnmarshalJSON reads a JSON object keeping its keys' order, nested objects as *Object
// (DecodeJSON). A key given twice keeps its first place and its last value, as JSON.parse.
func (o *Object) UnmarshalJSON(b []byte) error {
	v, err := DecodeJSON(b)
	if err != nil {
		return err
	}
	obj, ok := v.(*Object)
	if !ok {
		return fmt.Errorf("jsvalue: want a JSON object, got %s", JSONType(v))
	}
	*o = *obj
	return nil
}

// DecodeJSON reads one JSON value as JSON.parse does, with objects as *Object in their
// text's key order, arrays as []any and numbers as float64.
func DecodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("jsvalue: data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := NewObject(0)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			_, err := dec.Token() // '}'
			return o, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token() // ']'
			return arr, err
		}
		return nil, fmt.Errorf("jsvalue: unexpected %v", t)
	case json.Number:
		f, _ := Number(t)
		return f, nil
	}
	return tok, nil // string, bool, nil
}

// Plain returns v with every *Object replaced by a map[string]any, deeply, for code that
// reads values as encoding/json decodes them.
func Plain(v any) any {
	switch x := v.(type) {
	case *Object:
		if x == nil {
			return nil
		}
		return Plain(x.vals)
	case []any:
		return mapSlice(x, Plain)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Plain(e)
		}
		return out
	}
	return v
}

// Ordered returns v with every map[string]any replaced by an *Object (its keys sorted: a map
// has no order), deeply; *Object values are copied with their order.
func Ordered(v any) any {
	switch x := v.(type) {
	case map[string]any:
		o := NewObject(len(x))
		for _, k := range sortedKeys(x) {
			o.Set(k, Ordered(x[k]))
		}
		return o
	case *Object:
		if x == nil {
			return nil
		}
		o := NewObject(len(x.keys))
		for _, k := range x.keys {
			o.Set(k, Ordered(x.vals[k]))
		}
		return o
	case []any:
		return mapSlice(x, Ordered)
	}
	return v
}

// mapSlice returns f of each element of x.
func mapSlice(x []any, f func(any) any) []any {
	out := make([]any, len(x))
	for i, e := range x {
		out[i] = f(e)
	}
	return out
}
