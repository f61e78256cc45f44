package model

import (
	"errors"
	"fmt"
	"math"
)

// DecodeEntity converts the generic JSON form of an entity into an [Entity]. It is lenient: a
// known field holding a value of the wrong type is left out and reported in the returned error,
// and the rest is still decoded so the entity's reference stays available. The returned entity is
// nil only when v is not an object. Nested values (spec, unknown keys) are shared with v.
func DecodeEntity(v any) (*Entity, error) {
	root, ok := asObject(v)
	if !ok {
		return nil, fmt.Errorf("decode entity: expected an object, got %s", jsonType(v))
	}
	d := decoder{}
	e := &Entity{}
	for k, val := range root {
		switch k {
		case "apiVersion":
			e.APIVersion = d.str("/apiVersion", val)
		case "kind":
			e.Kind = d.str("/kind", val)
		case "metadata":
			if m, ok := d.object("/metadata", val); ok {
				e.Metadata = d.metadata(m)
			}
		case "spec":
			if m, ok := d.object("/spec", val); ok {
				e.Spec = m
			}
		case "relations":
			e.Relations = d.relations(val)
		case "status":
			e.Status = d.status(val)
		default:
			putExtra(&e.Extra, k, val)
		}
	}
	return e, d.err()
}

type decoder struct {
	errs []error
}

func (d *decoder) fail(path, want string, got any) {
	if path == "" {
		path = "<root>"
	}
	d.errs = append(d.errs, fmt.Errorf("%s: expected %s, got %s", path, want, jsonType(got)))
}

func (d *decoder) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	return fmt.Errorf("decode entity: %w", errors.Join(d.errs...))
}

func (d *decoder) str(path string, v any) string {
	s, ok := v.(string)
	if !ok {
		d.fail(path, "string", v)
	}
	return s
}

func (d *decoder) object(path string, v any) (map[string]any, bool) {
	m, ok := asObject(v)
	if !ok {
		d.fail(path, "object", v)
	}
	return m, ok
}

func (d *decoder) array(path string, v any) ([]any, bool) {
	a, ok := asArray(v)
	if !ok {
		d.fail(path, "array", v)
	}
	return a, ok
}

// objects decodes an array of objects at path, calling fn with each object and its path.
func (d *decoder) objects(path string, v any, fn func(p string, m map[string]any)) bool {
	a, ok := d.array(path, v)
	if !ok {
		return false
	}
	for i, x := range a {
		p := fmt.Sprintf("%s/%d", path, i)
		if m, ok := d.object(p, x); ok {
			fn(p, m)
		}
	}
	return true
}

// strField decodes the string field k of the object at path into *dst when k is dst's name.
type strField struct {
	name string
	dst  *string
}

// fields decodes the string fields of m into strs; other keys go to other, when given, or else
// to *extra.
func (d *decoder) fields(path string, m map[string]any, strs []strField, other func(k string, v any) bool, extra *map[string]any) {
next:
	for k, v := range m {
		for _, f := range strs {
			if f.name == k {
				*f.dst = d.str(path+"/"+k, v)
				continue next
			}
		}
		if other != nil && other(k, v) {
			continue
		}
		if extra != nil {
			putExtra(extra, k, v)
		}
	}
}

// putExtra keeps an unknown key in *extra.
func putExtra(extra *map[string]any, k string, v any) {
	if *extra == nil {
		*extra = map[string]any{}
	}
	(*extra)[k] = v
}

func (d *decoder) stringMap(path string, v any) map[string]string {
	m, ok := d.object(path, v)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		} else {
			d.fail(path+"/"+escapePointer(k), "string", x)
		}
	}
	return out
}

func (d *decoder) metadata(m map[string]any) Metadata {
	var md Metadata
	strs := []strField{
		{"name", &md.Name}, {"namespace", &md.Namespace}, {"uid", &md.UID}, {"etag", &md.Etag},
		{"title", &md.Title}, {"description", &md.Description},
	}
	d.fields("/metadata", m, strs, func(k string, v any) bool {
		p := "/metadata/" + k
		switch k {
		case "generation":
			f, ok := asFloat(v)
			if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				d.fail(p, "integer", v)
				return true
			}
			md.Generation = int64(f)
		case "labels":
			md.Labels = d.stringMap(p, v)
		case "annotations":
			md.Annotations = d.stringMap(p, v)
		case "tags":
			a, ok := d.array(p, v)
			if !ok {
				return true
			}
			md.Tags = make([]string, 0, len(a))
			for i, x := range a {
				if s, ok := x.(string); ok {
					md.Tags = append(md.Tags, s)
				} else {
					d.fail(fmt.Sprintf("%s/%d", p, i), "string", x)
				}
			}
		case "links":
			md.Links = []Link{}
			if !d.objects(p, v, func(lp string, lm map[string]any) {
				var l Link
				d.fields(lp, lm, []strField{{"url", &l.URL}, {"title", &l.Title}, {"icon", &l.Icon}, {"type", &l.Type}}, nil, &l.Extra)
				md.Links = append(md.Links, l)
			}) {
				md.Links = nil
			}
		default:
			return false
		}
		return true
	}, &md.Extra)
	return md
}

func (d *decoder) relations(v any) []Relation {
	out := []Relation{}
	if !d.objects("/relations", v, func(p string, m map[string]any) {
		var r Relation
		d.fields(p, m, []strField{{"type", &r.Type}, {"targetRef", &r.TargetRef}}, func(k string, rv any) bool {
			if k != "target" {
				return true // Backstage's relation has no other keys; drop them
			}
			if tm, ok := d.object(p+"/target", rv); ok {
				t := EntityRef{}
				t.Kind, _ = tm["kind"].(string)
				t.Namespace, _ = tm["namespace"].(string)
				t.Name, _ = tm["name"].(string)
				r.Target = &t
			}
			return true
		}, nil)
		out = append(out, r)
	}) {
		return nil
	}
	return out
}

func (d *decoder) status(v any) *Status {
	m, ok := d.object("/status", v)
	if !ok {
		return nil
	}
	s := &Status{}
	for k, sv := range m {
		if k != "items" {
			putExtra(&s.Extra, k, sv)
			continue
		}
		s.Items = []StatusItem{}
		if !d.objects("/status/items", sv, func(p string, im map[string]any) {
			var it StatusItem
			d.fields(p, im, []strField{{"type", &it.Type}, {"level", &it.Level}, {"message", &it.Message}}, func(k string, v any) bool {
				if k != "error" {
					return false
				}
				it.Error = d.serializedError(p+"/error", v)
				return true
			}, &it.Extra)
			s.Items = append(s.Items, it)
		}) {
			s.Items = nil
		}
	}
	return s
}

func (d *decoder) serializedError(path string, v any) *SerializedError {
	m, ok := d.object(path, v)
	if !ok {
		return nil
	}
	s := &SerializedError{}
	for k, x := range m {
		switch k {
		case "name":
			s.Name = d.str(path+"/name", x)
		case "message":
			s.Message = d.str(path+"/message", x)
		case "code":
			// Node errors sometimes carry numeric codes; keep those as unknown keys.
			if c, ok := x.(string); ok {
				s.Code = c
			} else {
				s.extra(k, x)
			}
		case "stack":
			s.Stack = d.str(path+"/stack", x)
		case "cause":
			if _, ok := asObject(x); ok {
				s.Cause = d.serializedError(path+"/cause", x)
			} else {
				s.extra(k, x)
			}
		default:
			s.extra(k, x)
		}
	}
	return s
}

func (s *SerializedError) extra(k string, v any) { putExtra(&s.Extra, k, v) }
