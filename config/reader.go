package config

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is an immutable, merged configuration tree, or a sub-tree of one. Keys are dot paths
// relative to the reader ("backend.listen.port"); errors name the full path from the root and
// the file and line the value came from. A Config is safe for concurrent use.
type Config struct {
	n      *node  // this reader's object
	root   *node  // the whole tree n belongs to (schemas and visibility work from the root)
	prefix string // full path of n from the root, "" at the root
}

func newRoot(n *node) *Config {
	return &Config{n: n, root: n}
}

func (c *Config) sub(n *node, prefix string) *Config {
	return &Config{n: n, root: c.root, prefix: prefix}
}

// Path returns this reader's key prefix from the root ("" at the root).
func (c *Config) Path() string { return c.prefix }

func (c *Config) fullKey(key string) string {
	if key == "" {
		return c.prefix
	}
	return joinKey(c.prefix, key)
}

// lookup finds key. A missing key returns nil and no error; a path that runs through a
// non-object value is a type error on that value.
func (c *Config) lookup(key string) (*node, error) {
	if key == "" {
		return c.n, nil
	}
	cur := c.n
	walked := ""
	for _, part := range strings.Split(key, ".") {
		if cur.kind != kindObject {
			return nil, c.typeErr(cur, walked, "object")
		}
		next, ok := cur.obj[part]
		if !ok {
			return nil, nil
		}
		walked = joinKey(walked, part)
		cur = next
	}
	return cur, nil
}

func (c *Config) typeErr(n *node, key, wanted string) *Error {
	got := typeName(n)
	if n.kind == kindString && n.str == "" {
		got = "empty-string"
	}
	return errAt(n, c.fullKey(key), fmt.Sprintf("invalid type, got %s, wanted %s", got, wanted))
}

func (c *Config) missing(key string) *Error {
	return &Error{Message: fmt.Sprintf("missing required config value at '%s'", c.fullKey(key))}
}

// Has reports whether key holds a value.
func (c *Config) Has(key string) bool {
	n, err := c.lookup(key)
	return err == nil && n != nil
}

// Keys lists the direct child keys of this reader, sorted.
func (c *Config) Keys() []string {
	return slices.Sorted(maps.Keys(c.n.obj))
}

// Get returns a copy of the raw merged value at key as map[string]any, []any, string, float64
// or bool; "" returns the whole tree of this reader.
func (c *Config) Get(key string) (any, bool) {
	n, err := c.lookup(key)
	if err != nil || n == nil {
		return nil, false
	}
	return plain(n), true
}

// required reads key with read (an Optional getter) and fails when it is absent.
func required[T any](c *Config, key string, read func(string) (T, bool, error)) (T, error) {
	v, ok, err := read(key)
	if err == nil && !ok {
		err = c.missing(key)
	}
	return v, err
}

// Origin returns the file and line a value came from: "env" and 0 for APP_CONFIG_ overrides,
// "" and 0 when key is absent. Merged objects report the highest-priority file that set them.
func (c *Config) Origin(key string) (file string, line int) {
	n, err := c.lookup(key)
	if err != nil || n == nil {
		return "", 0
	}
	return n.file, n.line
}

// String reads a non-empty string. As in Backstage, an empty string is a type error: it
// usually means an environment variable was set but empty.
func (c *Config) String(key string) (string, error) {
	return required(c, key, c.OptionalString)
}

// OptionalString reads a non-empty string; ok is false when key is absent.
func (c *Config) OptionalString(key string) (string, bool, error) {
	return optional(c, key, c.str)
}

func (c *Config) str(n *node, key string) (string, error) {
	if n.kind != kindString || n.str == "" {
		return "", c.typeErr(n, key, "string")
	}
	return n.str, nil
}

// Number reads a number. Numeric strings ("7007", as ${PORT} interpolation yields) are accepted.
func (c *Config) Number(key string) (float64, error) {
	return required(c, key, c.OptionalNumber)
}

// OptionalNumber reads a number; ok is false when key is absent.
func (c *Config) OptionalNumber(key string) (float64, bool, error) {
	return optional(c, key, c.number)
}

func (c *Config) number(n *node, key string) (float64, error) {
	switch n.kind {
	case kindNumber:
		return n.num, nil
	case kindString:
		if f, ok := parseNumeric(n.str); ok {
			return f, nil
		}
		return 0, errAt(n, c.fullKey(key), "invalid type, got string that is not a number, wanted number")
	default:
		return 0, c.typeErr(n, key, "number")
	}
}

// parseNumeric accepts decimal numbers written as strings, surrounding whitespace allowed.
func parseNumeric(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "_xXpPiInN") { // no hex, underscores, Inf or NaN
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Int reads an integral number; numeric strings are accepted.
func (c *Config) Int(key string) (int, error) {
	return required(c, key, c.OptionalInt)
}

// OptionalInt reads an integral number; ok is false when key is absent.
func (c *Config) OptionalInt(key string) (int, bool, error) {
	return optional(c, key, func(n *node, key string) (int, error) {
		f, err := c.integer(n, key)
		if err == nil && (f < math.MinInt || f >= math.MaxInt) {
			err = errAt(n, c.fullKey(key), "invalid type, got non-integer number, wanted integer")
		}
		return int(f), err
	})
}

// integer reads an integral number; numeric strings are accepted.
func (c *Config) integer(n *node, key string) (float64, error) {
	f, err := c.number(n, key)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) {
		return 0, errAt(n, c.fullKey(key), "invalid type, got non-integer number, wanted integer")
	}
	return f, nil
}

// Bool reads a boolean. The strings "true" and "false" (from interpolation) are accepted too.
func (c *Config) Bool(key string) (bool, error) {
	return required(c, key, c.OptionalBool)
}

// OptionalBool reads a boolean; ok is false when key is absent.
func (c *Config) OptionalBool(key string) (bool, bool, error) {
	return optional(c, key, c.boolean)
}

func (c *Config) boolean(n *node, key string) (bool, error) {
	switch {
	case n.kind == kindBool:
		return n.b, nil
	case n.kind == kindString && (n.str == "true" || n.str == "false"):
		return n.str == "true", nil
	default:
		return false, c.typeErr(n, key, "boolean")
	}
}

// StringArray reads an array of non-empty strings.
func (c *Config) StringArray(key string) ([]string, error) {
	return required(c, key, c.OptionalStringArray)
}

// OptionalStringArray reads an array of non-empty strings; ok is false when key is absent.
func (c *Config) OptionalStringArray(key string) ([]string, bool, error) {
	return optional(c, key, func(n *node, key string) ([]string, error) {
		return arrayOf(c, n, key, "string-array", c.str)
	})
}

// Config returns a reader for the object at key; its errors keep naming full paths.
func (c *Config) Config(key string) (*Config, error) {
	return required(c, key, c.OptionalConfig)
}

// OptionalConfig returns a reader for the object at key; ok is false when key is absent.
func (c *Config) OptionalConfig(key string) (*Config, bool, error) {
	return optional(c, key, c.object)
}

func (c *Config) object(n *node, key string) (*Config, error) {
	if n.kind != kindObject {
		return nil, c.typeErr(n, key, "object")
	}
	return c.sub(n, c.fullKey(key)), nil
}

// ConfigArray returns readers for an array of objects at key.
func (c *Config) ConfigArray(key string) ([]*Config, error) {
	return required(c, key, c.OptionalConfigArray)
}

// OptionalConfigArray returns readers for an array of objects; ok is false when key is absent.
func (c *Config) OptionalConfigArray(key string) ([]*Config, bool, error) {
	return optional(c, key, func(n *node, key string) ([]*Config, error) {
		return arrayOf(c, n, key, "object-array", c.object)
	})
}

// Duration reads a duration: '5s', '2 minutes', '1h30m', ISO 8601 'PT1M', an object such as
// {minutes: 1, seconds: 30}, or a plain number of milliseconds.
func (c *Config) Duration(key string) (time.Duration, error) {
	return required(c, key, c.OptionalDuration)
}

// OptionalDuration reads a duration; ok is false when key is absent.
func (c *Config) OptionalDuration(key string) (time.Duration, bool, error) {
	return optional(c, key, c.duration)
}

func (c *Config) duration(n *node, key string) (time.Duration, error) {
	return durationFromNode(n, c.fullKey(key))
}

// optional reads key with conv; ok is false when key is absent.
func optional[T any](c *Config, key string, conv func(n *node, key string) (T, error)) (T, bool, error) {
	var zero T
	n, err := c.lookup(key)
	if err != nil || n == nil {
		return zero, false, err
	}
	v, err := conv(n, key)
	if err != nil {
		return zero, false, err
	}
	return v, true, nil
}

// arrayOf converts the array n, found at key, element by element; kind names it in errors.
func arrayOf[T any](c *Config, n *node, key, kind string, conv func(n *node, key string) (T, error)) ([]T, error) {
	if n.kind != kindArray {
		return nil, c.typeErr(n, key, kind)
	}
	out := make([]T, len(n.arr))
	for i, e := range n.arr {
		v, err := conv(e, indexKey(key, i))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func indexKey(key string, i int) string {
	return key + "[" + strconv.Itoa(i) + "]"
}
