package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Known keys of the envelope's objects; other keys are kept in Extra maps.

func isRootKey(k string) bool {
	switch k {
	case "apiVersion", "kind", "metadata", "spec", "relations", "status":
		return true
	}
	return false
}

func isMetadataKey(k string) bool {
	switch k {
	case "name", "namespace", "uid", "etag", "generation", "title", "description", "labels", "annotations", "tags", "links":
		return true
	}
	return false
}

func isLinkKey(k string) bool {
	return k == "url" || k == "title" || k == "icon" || k == "type"
}

func isStatusItemKey(k string) bool {
	return k == "type" || k == "level" || k == "message" || k == "error"
}

// knownKey reports whether k is written from a typed field of the error. A non-string code or
// a non-object cause is kept in Extra instead, so it is only known when the typed field is set.
func (s *SerializedError) knownKey(k string) bool {
	switch k {
	case "name", "message", "stack":
		return true
	case "code":
		return s.Code != ""
	case "cause":
		return s.Cause != nil
	}
	return false
}

// MarshalJSON writes the entity with known fields in a fixed order and unknown keys sorted.
func (e Entity) MarshalJSON() ([]byte, error) {
	w := jsonWriter{b: make([]byte, 0, 1024)}
	e.write(&w)
	return w.b, nil
}

func (e *Entity) write(w *jsonWriter) {
	o := w.object()
	o.str("apiVersion", e.APIVersion)
	o.str("kind", e.Kind)
	o.key("metadata")
	e.Metadata.write(w)
	if e.Spec != nil {
		o.key("spec")
		w.value(e.Spec)
	}
	if e.Relations != nil {
		o.key("relations")
		writeArray(w, e.Relations, func(r Relation) {
			ro := w.object()
			ro.str("type", r.Type)
			ro.str("targetRef", r.TargetRef)
			if r.Target != nil {
				ro.key("target")
				to := w.object()
				to.str("kind", r.Target.Kind)
				to.str("namespace", r.Target.Namespace)
				to.str("name", r.Target.Name)
				to.end()
			}
			ro.end()
		})
	}
	if e.Status != nil {
		o.key("status")
		so := w.object()
		if e.Status.Items != nil {
			so.key("items")
			writeArray(w, e.Status.Items, func(it StatusItem) {
				io := w.object()
				io.str("type", it.Type)
				io.str("level", it.Level)
				io.key("message")
				w.str(it.Message)
				if it.Error != nil {
					io.key("error")
					it.Error.write(w)
				}
				io.extra(it.Extra, isStatusItemKey)
				io.end()
			})
		}
		so.extra(e.Status.Extra, func(k string) bool { return k == "items" })
		so.end()
	}
	o.extra(e.Extra, isRootKey)
	o.end()
}

func (m *Metadata) write(w *jsonWriter) {
	o := w.object()
	o.str("name", m.Name)
	o.str("namespace", m.Namespace)
	o.str("uid", m.UID)
	o.str("etag", m.Etag)
	if m.Generation != 0 {
		o.key("generation")
		w.b = appendJSNumber(w.b, float64(m.Generation), true)
	}
	o.str("title", m.Title)
	o.str("description", m.Description)
	for _, sm := range []struct {
		key string
		m   map[string]string
	}{{"labels", m.Labels}, {"annotations", m.Annotations}} {
		if sm.m != nil {
			o.key(sm.key)
			writeSortedObject(w, sm.m, w.str)
		}
	}
	if m.Tags != nil {
		o.key("tags")
		writeArray(w, m.Tags, w.str)
	}
	if m.Links != nil {
		o.key("links")
		writeArray(w, m.Links, func(l Link) {
			lo := w.object()
			lo.str("url", l.URL)
			lo.str("title", l.Title)
			lo.str("icon", l.Icon)
			lo.str("type", l.Type)
			lo.extra(l.Extra, isLinkKey)
			lo.end()
		})
	}
	o.extra(m.Extra, isMetadataKey)
	o.end()
}

// MarshalJSON writes the error with known fields first.
func (s SerializedError) MarshalJSON() ([]byte, error) {
	w := jsonWriter{}
	s.write(&w)
	return w.b, nil
}

func (s *SerializedError) write(w *jsonWriter) {
	o := w.object()
	o.key("name")
	w.str(s.Name)
	o.key("message")
	w.str(s.Message)
	o.str("code", s.Code)
	o.str("stack", s.Stack)
	if s.Cause != nil {
		o.key("cause")
		s.Cause.write(w)
	}
	o.extra(s.Extra, s.knownKey)
	o.end()
}

// UnmarshalJSON decodes an entity strictly: a field of the wrong type is an error. To get every
// problem of an entity in Backstage's wording, decode into an `any` and use
// [Validator.ValidateValue] and [DecodeEntity] instead.
func (e *Entity) UnmarshalJSON(data []byte) error {
	v, err := decodeJSONValue(data)
	if err != nil {
		return err
	}
	d, err := DecodeEntity(v)
	if d != nil {
		*e = *d
	}
	return err
}

// ParseEntityJSON decodes a JSON document into its generic value, for [Validator.ValidateValue]
// and [DecodeEntity]. Numbers become float64, as in JavaScript.
func ParseEntityJSON(data []byte) (any, error) {
	return decodeJSONValue(data)
}

func decodeJSONValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode entity json: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode entity json: unexpected data after the entity")
	}
	return v, nil
}
