package extension

import (
	"github.com/portico-dev/portico/framework/predicate"
	"maps"

	"errors"
	"fmt"
	"slices"
	"strings"
)

// Override is one parsed entry of app.extensions.
type Override struct {
	// Index is the entry's position in app.extensions, used in error messages.
	Index int
	// ID is the extension the entry applies to.
	ID string
	// Disabled is the state the entry sets. As in Backstage, every entry sets it: a bare ID, a
	// null value, true, or an object without "disabled" all enable the extension.
	Disabled bool
	// AttachTo moves the extension when set.
	AttachTo *AttachTo
	// Config replaces the extension's config when non-nil.
	Config map[string]any
}

// ParseOverrides reads the value of app.extensions as decoded from config: nil (no entries) or
// a list whose items are an extension ID string, or a map with exactly one key, the ID, whose
// value is null, a boolean, the strings "true"/"false" (what ${VAR} substitution yields), or an
// object with the optional keys disabled, attachTo {id, input} and config. Every problem is
// reported, each naming the entry index, the extension ID and the key.
func ParseOverrides(v any) ([]Override, error) {
	if v == nil {
		return nil, nil
	}
	items, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("app.extensions: must be a list, got %s", typeName(v))
	}
	out := make([]Override, 0, len(items))
	var errs []error
	for i, item := range items {
		o, err := parseOverride(i, item)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, o)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func parseOverride(i int, item any) (Override, error) {
	fail := func(id, key string, format string, args ...any) (Override, error) {
		return Override{}, &ConfigError{Index: i, ExtensionID: id, Key: key, Err: fmt.Errorf(format, args...)}
	}
	checkID := func(id string) error {
		if _, err := ParseID(id); err != nil {
			return &ConfigError{Index: i, Err: err}
		}
		return nil
	}

	if s, ok := item.(string); ok {
		if err := checkID(s); err != nil {
			return Override{}, err
		}
		return Override{Index: i, ID: s}, nil
	}
	m, ok := item.(map[string]any)
	if !ok {
		return fail("", "", "must be an extension id or a map with one key, got %s", typeName(item))
	}
	if len(m) != 1 {
		keys := slices.Sorted(maps.Keys(m))
		got := "none"
		if len(keys) > 0 {
			got = "'" + strings.Join(keys, "', '") + "'"
		}
		return fail("", "", "must have exactly one key (the extension id), got %s", got)
	}
	var id string
	var value any
	for k, v := range m {
		id, value = k, v
	}
	if err := checkID(id); err != nil {
		return Override{}, err
	}
	o := Override{Index: i, ID: id}

	switch v := value.(type) {
	case nil:
		return o, nil
	case bool:
		o.Disabled = !v
		return o, nil
	case string:
		if v == "true" || v == "false" {
			o.Disabled = v == "false"
			return o, nil
		}
		return fail(id, "", "value must be a boolean, 'true', 'false' or an object, got string %q", v)
	case map[string]any:
		return parseOverrideObject(o, v)
	default:
		return fail(id, "", "value must be a boolean, 'true', 'false' or an object, got %s", typeName(value))
	}
}

var overrideKeys = []string{"attachTo", "config", "disabled"}

func parseOverrideObject(o Override, m map[string]any) (Override, error) {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, &ConfigError{Index: o.Index, ExtensionID: o.ID, Key: key, Err: fmt.Errorf(format, args...)})
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(overrideKeys, k) {
			fail(k, "unknown key, expected one of 'attachTo', 'config', 'disabled'")
		}
	}
	if raw, ok := m["disabled"]; ok {
		switch d := raw.(type) {
		case bool:
			o.Disabled = d
		case string:
			if d == "true" || d == "false" {
				o.Disabled = d == "true"
			} else {
				fail("disabled", "must be a boolean, 'true' or 'false', got string %q", d)
			}
		default:
			fail("disabled", "must be a boolean, 'true' or 'false', got %s", typeName(raw))
		}
	}
	if raw, ok := m["attachTo"]; ok {
		if at, ok := raw.(map[string]any); !ok {
			fail("attachTo", "must be an object with id and input, got %s", typeName(raw))
		} else {
			pid, _ := at["id"].(string)
			input, _ := at["input"].(string)
			if pid == "" {
				fail("attachTo.id", "must be a non-empty string")
			}
			if input == "" {
				fail("attachTo.input", "must be a non-empty string")
			}
			for _, k := range slices.Sorted(maps.Keys(at)) {
				if k != "id" && k != "input" {
					fail("attachTo."+k, "unknown key, expected 'id' or 'input'")
				}
			}
			o.AttachTo = &AttachTo{ID: pid, Input: input}
		}
	}
	if raw, ok := m["config"]; ok {
		if c, ok := raw.(map[string]any); ok {
			o.Config = c
		} else {
			fail("config", "must be an object, got %s", typeName(raw))
		}
	}
	if len(errs) > 0 {
		return Override{}, errors.Join(errs...)
	}
	return o, nil
}

func asList(v any) ([]any, bool) {
	switch l := v.(type) {
	case []any:
		return l, true
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(l))
		for i, m := range l {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// typeName names the JSON type of v in messages.
func typeName(v any) string { return predicate.TypeName(v) }
