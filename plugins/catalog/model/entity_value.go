package model

import "maps"

// Value returns the generic JSON form of the entity (the form the validator checks). Spec and
// other unknown values are shared with the entity, not copied.
func (e *Entity) Value() map[string]any {
	out := withExtra(e.Extra, 6, isRootKey)
	putString(out, "apiVersion", e.APIVersion)
	putString(out, "kind", e.Kind)
	out["metadata"] = e.Metadata.value()
	if e.Spec != nil {
		out["spec"] = e.Spec
	}
	if e.Relations != nil {
		out["relations"] = toArray(e.Relations, func(r Relation) any {
			ro := map[string]any{}
			putString(ro, "type", r.Type)
			putString(ro, "targetRef", r.TargetRef)
			if r.Target != nil {
				t := map[string]any{}
				putString(t, "kind", r.Target.Kind)
				putString(t, "namespace", r.Target.Namespace)
				putString(t, "name", r.Target.Name)
				ro["target"] = t
			}
			return ro
		})
	}
	if e.Status != nil {
		so := withExtra(e.Status.Extra, 1, func(k string) bool { return k == "items" })
		if e.Status.Items != nil {
			so["items"] = toArray(e.Status.Items, func(it StatusItem) any {
				io := withExtra(it.Extra, 4, isStatusItemKey)
				putString(io, "type", it.Type)
				putString(io, "level", it.Level)
				io["message"] = it.Message
				if it.Error != nil {
					io["error"] = it.Error.value()
				}
				return io
			})
		}
		out["status"] = so
	}
	return out
}

func (m *Metadata) value() map[string]any {
	out := withExtra(m.Extra, 4, isMetadataKey)
	putString(out, "name", m.Name)
	putString(out, "namespace", m.Namespace)
	putString(out, "uid", m.UID)
	putString(out, "etag", m.Etag)
	if m.Generation != 0 {
		out["generation"] = float64(m.Generation)
	}
	putString(out, "title", m.Title)
	putString(out, "description", m.Description)
	if m.Labels != nil {
		out["labels"] = stringsToObject(m.Labels)
	}
	if m.Annotations != nil {
		out["annotations"] = stringsToObject(m.Annotations)
	}
	if m.Tags != nil {
		out["tags"] = toArray(m.Tags, func(t string) any { return t })
	}
	if m.Links != nil {
		out["links"] = toArray(m.Links, func(l Link) any {
			lo := withExtra(l.Extra, 4, isLinkKey)
			putString(lo, "url", l.URL)
			putString(lo, "title", l.Title)
			putString(lo, "icon", l.Icon)
			putString(lo, "type", l.Type)
			return lo
		})
	}
	return out
}

func (s *SerializedError) value() map[string]any {
	out := withExtra(s.Extra, 2, s.knownKey)
	out["name"] = s.Name
	out["message"] = s.Message
	putString(out, "code", s.Code)
	putString(out, "stack", s.Stack)
	if s.Cause != nil {
		out["cause"] = s.Cause.value()
	}
	return out
}

// withExtra returns a new object holding the unknown keys of extra, with room for known more.
func withExtra(extra map[string]any, known int, isKnown func(string) bool) map[string]any {
	out := make(map[string]any, known+len(extra))
	maps.Copy(out, extra)
	maps.DeleteFunc(out, func(k string, _ any) bool { return isKnown(k) })
	return out
}

// toArray converts a typed slice to a generic JSON array, element by element.
func toArray[T any](a []T, fn func(T) any) []any {
	out := make([]any, len(a))
	for i, x := range a {
		out[i] = fn(x)
	}
	return out
}

func putString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func stringsToObject(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
