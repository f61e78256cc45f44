package model

// Value returns the generic JSON form of the entity (the form the validator checks). Spec and
// other unknown values are shared with the entity, not copied.
func (e *Entity) Value() map[string]any {
	out := make(map[string]any, 6+len(e.Extra))
	for k, v := range e.Extra {
		if !isRootKey(k) {
			out[k] = v
		}
	}
	if e.APIVersion != "" {
		out["apiVersion"] = e.APIVersion
	}
	if e.Kind != "" {
		out["kind"] = e.Kind
	}
	out["metadata"] = e.Metadata.value()
	if e.Spec != nil {
		out["spec"] = e.Spec
	}
	if e.Relations != nil {
		rels := make([]any, len(e.Relations))
		for i, r := range e.Relations {
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
			rels[i] = ro
		}
		out["relations"] = rels
	}
	if e.Status != nil {
		so := make(map[string]any, 1+len(e.Status.Extra))
		for k, v := range e.Status.Extra {
			if k != "items" {
				so[k] = v
			}
		}
		if e.Status.Items != nil {
			items := make([]any, len(e.Status.Items))
			for i, it := range e.Status.Items {
				io := make(map[string]any, 4+len(it.Extra))
				for k, v := range it.Extra {
					if !isStatusItemKey(k) {
						io[k] = v
					}
				}
				putString(io, "type", it.Type)
				putString(io, "level", it.Level)
				io["message"] = it.Message
				if it.Error != nil {
					io["error"] = it.Error.value()
				}
				items[i] = io
			}
			so["items"] = items
		}
		out["status"] = so
	}
	return out
}

func (m *Metadata) value() map[string]any {
	out := make(map[string]any, 4+len(m.Extra))
	for k, v := range m.Extra {
		if !isMetadataKey(k) {
			out[k] = v
		}
	}
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
		tags := make([]any, len(m.Tags))
		for i, t := range m.Tags {
			tags[i] = t
		}
		out["tags"] = tags
	}
	if m.Links != nil {
		links := make([]any, len(m.Links))
		for i, l := range m.Links {
			lo := make(map[string]any, 4+len(l.Extra))
			for k, v := range l.Extra {
				if !isLinkKey(k) {
					lo[k] = v
				}
			}
			putString(lo, "url", l.URL)
			putString(lo, "title", l.Title)
			putString(lo, "icon", l.Icon)
			putString(lo, "type", l.Type)
			links[i] = lo
		}
		out["links"] = links
	}
	return out
}

func (s *SerializedError) value() map[string]any {
	out := make(map[string]any, 2+len(s.Extra))
	for k, v := range s.Extra {
		if !s.knownKey(k) {
			out[k] = v
		}
	}
	out["name"] = s.Name
	out["message"] = s.Message
	putString(out, "code", s.Code)
	putString(out, "stack", s.Stack)
	if s.Cause != nil {
		out["cause"] = s.Cause.value()
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
