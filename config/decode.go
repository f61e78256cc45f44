package config

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Unmarshaler is implemented by a field type that reads its own value (a key that may be a
// boolean or a duration, say). UnmarshalConfig is called only when key is present in parent; it
// reads key with parent's getters, so its errors name the key, file and line like Decode's.
type Unmarshaler interface {
	UnmarshalConfig(parent *Config, key string) error
}

var (
	durationType    = reflect.TypeFor[time.Duration]()
	configPtrType   = reflect.TypeFor[*Config]()
	unmarshalerType = reflect.TypeFor[Unmarshaler]()
)

// Decode reads the object at key ("" for this reader's own object) into the struct dst points
// to. Only fields tagged `config:"name"` are read, "name" being the app-config key relative to
// the struct's object; `config:"name,required"` makes an absent key an error. A field whose key
// is absent keeps the value it had, so the caller sets the defaults before decoding, and an
// absent key leaves all of dst alone. Keys without a field are not errors: the config schema
// judges them.
//
// Field types:
//   - string: a non-empty string (an empty one is an error, as with String);
//   - bool: a boolean, or the strings "true" and "false";
//   - int and uint types, float32/64: numbers or numeric strings, integral and in range;
//   - time.Duration: Backstage's forms ('5s', '2 minutes', 'PT1M', {minutes: 1}, or milliseconds);
//   - struct: a nested object, decoded field by field over the field's current value;
//   - *T: nil while absent, a fresh T (starting from the old pointee, if any) when present;
//   - []T: an array; present, it replaces the old slice (present and empty gives an empty,
//     non-nil slice);
//   - map[string]T: an object; present, it replaces the old map;
//   - *Config: a reader of the object, for blocks read by hand;
//   - any: the plain value (as Get returns it);
//   - a type implementing Unmarshaler (on its pointer): reads itself.
//
// Errors are *Error values naming the key from the config root and the file and line the value
// came from. dst that is not a pointer to a struct, or a field of another type, is a programming
// error and is reported as such (not as an *Error).
func (c *Config) Decode(key string, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: Decode needs a non-nil pointer to a struct, got %T", dst)
	}
	n, err := c.lookup(key)
	if err != nil || n == nil || n.kind == kindNull {
		return err
	}
	if n.kind != kindObject {
		return c.typeErr(n, key, "object")
	}
	return c.sub(n, c.fullKey(key)).decodeStruct(rv.Elem())
}

// ErrorAt returns an error located at key's value: "file:line: full.key: message". Plugins use
// it for limits Decode cannot know ("must be positive").
func (c *Config) ErrorAt(key, format string, args ...any) error {
	n, _ := c.lookup(key)
	return errAt(n, c.fullKey(key), fmt.Sprintf(format, args...))
}

// fieldTag is a parsed `config:"..."` tag.
type fieldTag struct {
	name     string
	required bool
}

func parseTag(f reflect.StructField) (fieldTag, bool) {
	tag, ok := f.Tag.Lookup("config")
	if !ok || tag == "-" {
		return fieldTag{}, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	t := fieldTag{name: name}
	for _, o := range strings.Split(opts, ",") {
		if o == "required" {
			t.required = true
		}
	}
	return t, name != ""
}

// decodeStruct fills the tagged fields of sv from c's object. Untagged anonymous struct fields
// are decoded inline, as if their fields were sv's own.
func (c *Config) decodeStruct(sv reflect.Value) error {
	st := sv.Type()
	for i := range st.NumField() {
		f := st.Field(i)
		tag, ok := parseTag(f)
		if !ok {
			if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("config") != "-" {
				if err := c.decodeStruct(sv.Field(i)); err != nil {
					return err
				}
			}
			continue
		}
		if !f.IsExported() {
			return fmt.Errorf("config: field %s.%s has a config tag but is not exported", st, f.Name)
		}
		n := c.n.obj[tag.name]
		if n == nil || n.kind == kindNull {
			if tag.required {
				return c.missing(tag.name)
			}
			continue
		}
		if err := c.decodeValue(n, tag.name, sv.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue stores n, found at key (relative to c), into v.
func (c *Config) decodeValue(n *node, key string, v reflect.Value) error {
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		return v.Addr().Interface().(Unmarshaler).UnmarshalConfig(c, key)
	}
	switch v.Type() {
	case durationType:
		d, err := c.duration(n, key)
		if err == nil {
			v.SetInt(int64(d))
		}
		return err
	case configPtrType:
		sub, err := c.object(n, key)
		if err == nil {
			v.Set(reflect.ValueOf(sub))
		}
		return err
	}
	switch v.Kind() {
	case reflect.String:
		str, err := c.str(n, key)
		if err != nil {
			return err
		}
		v.SetString(str)
	case reflect.Bool:
		b, err := c.boolean(n, key)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, err := c.integer(n, key)
		if err != nil {
			return err
		}
		bits := v.Type().Bits()
		if f < -math.Ldexp(1, bits-1) || f >= math.Ldexp(1, bits-1) {
			return errAt(n, c.fullKey(key), fmt.Sprintf("%v is out of range for a %d-bit integer", f, bits))
		}
		v.SetInt(int64(f))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, err := c.integer(n, key)
		if err != nil {
			return err
		}
		if f < 0 || f >= math.Ldexp(1, v.Type().Bits()) {
			return errAt(n, c.fullKey(key), fmt.Sprintf("%v is out of range for an unsigned %d-bit integer", f, v.Type().Bits()))
		}
		v.SetUint(uint64(f))
	case reflect.Float32, reflect.Float64:
		f, err := c.number(n, key)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case reflect.Struct:
		if n.kind != kindObject {
			return c.typeErr(n, key, "object")
		}
		return c.sub(n, c.fullKey(key)).decodeStruct(v)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			p.Elem().Set(v.Elem())
		}
		if err := c.decodeValue(n, key, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		if n.kind != kindArray {
			return c.typeErr(n, key, "array")
		}
		s := reflect.MakeSlice(v.Type(), len(n.arr), len(n.arr))
		for i, e := range n.arr {
			if e.kind == kindNull {
				return c.typeErr(e, indexKey(key, i), typeWanted(s.Index(i).Type()))
			}
			if err := c.decodeValue(e, indexKey(key, i), s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("config: %s: map keys must be strings, got %s", c.fullKey(key), v.Type())
		}
		if n.kind != kindObject {
			return c.typeErr(n, key, "object")
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.obj))
		for _, k := range slices.Sorted(maps.Keys(n.obj)) {
			e := n.obj[k]
			if e.kind == kindNull {
				continue
			}
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := c.decodeValue(e, joinKey(key, k), ev); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return fmt.Errorf("config: %s: cannot decode into %s", c.fullKey(key), v.Type())
		}
		if p := plain(n); p != nil {
			v.Set(reflect.ValueOf(p))
		}
	default:
		return fmt.Errorf("config: %s: cannot decode into %s", c.fullKey(key), v.Type())
	}
	return nil
}

// typeWanted names what a Go type reads, for "wanted ..." messages.
func typeWanted(t reflect.Type) string {
	switch {
	case t == durationType:
		return "duration"
	case t == configPtrType:
		return "object"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "array"
	case reflect.Pointer:
		return typeWanted(t.Elem())
	default:
		return "object"
	}
}
