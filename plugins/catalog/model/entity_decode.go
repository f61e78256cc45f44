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
			if e.Extra == nil {
				e.Extra = map[string]any{}
			}
			e.Extra[k] = val
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
	for k, v := range m {
		p := "/metadata/" + k
		switch k {
		case "name":
			md.Name = d.str(p, v)
		case "namespace":
			md.Namespace = d.str(p, v)
		case "uid":
			md.UID = d.str(p, v)
		case "etag":
			md.Etag = d.str(p, v)
		case "generation":
			f, ok := asFloat(v)
			if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				d.fail(p, "integer", v)
				continue
			}
			md.Generation = int64(f)
		case "title":
			md.Title = d.str(p, v)
		case "description":
			md.Description = d.str(p, v)
		case "labels":
			md.Labels = d.stringMap(p, v)
		case "annotations":
			md.Annotations = d.stringMap(p, v)
		case "tags":
			a, ok := d.array(p, v)
			if !ok {
				continue
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
			a, ok := d.array(p, v)
			if !ok {
				continue
			}
			md.Links = make([]Link, 0, len(a))
			for i, x := range a {
				lp := fmt.Sprintf("%s/%d", p, i)
				lm, ok := d.object(lp, x)
				if !ok {
					continue
				}
				var l Link
				for lk, lv := range lm {
					switch lk {
					case "url":
						l.URL = d.str(lp+"/url", lv)
					case "title":
						l.Title = d.str(lp+"/title", lv)
					case "icon":
						l.Icon = d.str(lp+"/icon", lv)
					case "type":
						l.Type = d.str(lp+"/type", lv)
					default:
						if l.Extra == nil {
							l.Extra = map[string]any{}
						}
						l.Extra[lk] = lv
					}
				}
				md.Links = append(md.Links, l)
			}
		default:
			if md.Extra == nil {
				md.Extra = map[string]any{}
			}
			md.Extra[k] = v
		}
	}
	return md
}

func (d *decoder) relations(v any) []Relation {
	a, ok := d.array("/relations", v)
	if !ok {
		return nil
	}
	out := make([]Relation, 0, len(a))
	for i, x := range a {
		p := fmt.Sprintf("/relations/%d", i)
		m, ok := d.object(p, x)
		if !ok {
			continue
		}
		var r Relation
		for k, rv := range m {
			switch k {
			case "type":
				r.Type = d.str(p+"/type", rv)
			case "targetRef":
				r.TargetRef = d.str(p+"/targetRef", rv)
			case "target":
				tm, ok := d.object(p+"/target", rv)
				if !ok {
					continue
				}
				t := EntityRef{}
				if s, ok := tm["kind"].(string); ok {
					t.Kind = s
				}
				if s, ok := tm["namespace"].(string); ok {
					t.Namespace = s
				}
				if s, ok := tm["name"].(string); ok {
					t.Name = s
				}
				r.Target = &t
			}
		}
		out = append(out, r)
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
			if s.Extra == nil {
				s.Extra = map[string]any{}
			}
			s.Extra[k] = sv
			continue
		}
		a, ok := d.array("/status/items", sv)
		if !ok {
			continue
		}
		s.Items = make([]StatusItem, 0, len(a))
		for i, x := range a {
			p := fmt.Sprintf("/status/items/%d", i)
			im, ok := d.object(p, x)
			if !ok {
				continue
			}
			var it StatusItem
			for ik, iv := range im {
				switch ik {
				case "type":
					it.Type = d.str(p+"/type", iv)
				case "level":
					it.Level = d.str(p+"/level", iv)
				case "message":
					it.Message = d.str(p+"/message", iv)
				case "error":
					it.Error = d.serializedError(p+"/error", iv)
				default:
					if it.Extra == nil {
						it.Extra = map[string]any{}
					}
					it.Extra[ik] = iv
				}
			}
			s.Items = append(s.Items, it)
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

func (s *SerializedError) extra(k string, v any) {
	if s.Extra == nil {
		s.Extra = map[string]any{}
	}
	s.Extra[k] = v
}
