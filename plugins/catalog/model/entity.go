package model

import "slices"

// DefaultNamespace is the namespace of entities that do not name one.
const DefaultNamespace = "default"

// Entity is the typed form of a catalog entity: the envelope shared by every kind.
//
// Optional string fields use "" for "absent". Spec is kept as the generic JSON value the author
// wrote (see the package documentation), because every kind shapes it differently. Unknown keys
// of the root and of metadata are kept in Extra maps so nothing is lost between decoding and
// encoding; Backstage rejects unknown root keys, and the validator reports them.
//
// The JSON encoding writes the known fields in a fixed order followed by unknown keys in sorted
// order, so the same entity always encodes to the same bytes.
type Entity struct {
	APIVersion string
	Kind       string
	Metadata   Metadata
	// Spec is the kind-specific part; nil when absent.
	Spec map[string]any
	// Relations are written by the catalog (stitching) and absent in authored YAML.
	Relations []Relation
	// Status is written by the catalog (processing errors) and absent in authored YAML.
	Status *Status
	// Extra holds root keys other than the six above.
	Extra map[string]any
}

// Metadata holds the fields common to all kinds.
type Metadata struct {
	Name string
	// Namespace is "" when absent, which means [DefaultNamespace].
	Namespace string
	// UID, Etag and Generation are written by the catalog.
	UID         string
	Etag        string
	Generation  int64
	Title       string
	Description string
	Labels      map[string]string
	Annotations map[string]string
	// Tags and Links keep the difference between absent (nil) and empty.
	Tags  []string
	Links []Link
	// Extra holds metadata keys other than the ones above; Backstage allows any.
	Extra map[string]any
}

// Link is an external hyperlink attached to an entity.
type Link struct {
	URL   string
	Title string
	Icon  string
	Type  string
	// Extra holds unknown keys of the link object.
	Extra map[string]any
}

// Relation is a relation as served in an entity's relations array.
type Relation struct {
	// Type is the relation type, e.g. [RelationOwnedBy].
	Type string
	// TargetRef is the canonical (lower-case) reference of the target entity.
	TargetRef string
	// Target is the legacy compound form of the target; only kept when an input had it.
	Target *EntityRef
}

// Status holds status items about an entity, such as processing errors.
type Status struct {
	Items []StatusItem
	// Extra holds keys of the status object other than items.
	Extra map[string]any
}

// Status item levels and the status type of catalog processing errors.
const (
	StatusLevelInfo             = "info"
	StatusLevelWarning          = "warning"
	StatusLevelError            = "error"
	StatusTypeCatalogProcessing = "backstage.io/catalog-processing"
)

// StatusItem is one status entry.
type StatusItem struct {
	Type    string
	Level   string
	Message string
	Error   *SerializedError
	// Extra holds unknown keys of the item.
	Extra map[string]any
}

// SerializedError is a JavaScript error in its serialized JSON form, as Backstage stores
// processing errors and returns them from the API.
type SerializedError struct {
	Name    string
	Message string
	Code    string
	Stack   string
	Cause   *SerializedError
	// Extra holds any other keys.
	Extra map[string]any
}

// Ref returns the entity's compound reference, with the namespace defaulted.
// Case is kept; use [EntityRef.String] for the canonical lower-case form.
func (e *Entity) Ref() EntityRef {
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	return EntityRef{Kind: e.Kind, Namespace: ns, Name: e.Metadata.Name}
}

// SetDefaults applies Backstage's DefaultNamespaceEntityPolicy: an entity without a namespace
// gets [DefaultNamespace]. The catalog stores and serves entities in this form.
func SetDefaults(e *Entity) {
	if e.Metadata.Namespace == "" {
		e.Metadata.Namespace = DefaultNamespace
	}
}

// Annotation returns the value of an annotation and whether it is set.
func (e *Entity) Annotation(key string) (string, bool) {
	v, ok := e.Metadata.Annotations[key]
	return v, ok
}

// SetAnnotation sets an annotation, creating the map when needed.
func (e *Entity) SetAnnotation(key, value string) {
	if e.Metadata.Annotations == nil {
		e.Metadata.Annotations = map[string]string{}
	}
	e.Metadata.Annotations[key] = value
}

// Clone returns a deep copy of the entity.
func (e *Entity) Clone() *Entity {
	if e == nil {
		return nil
	}
	c := *e
	c.Metadata = e.Metadata.clone()
	c.Spec = cloneObject(e.Spec)
	c.Relations = cloneEach(e.Relations, func(r *Relation) {
		if r.Target != nil {
			t := *r.Target
			r.Target = &t
		}
	})
	if e.Status != nil {
		c.Status = &Status{Extra: cloneObject(e.Status.Extra), Items: cloneEach(e.Status.Items, func(it *StatusItem) {
			it.Error = it.Error.clone()
			it.Extra = cloneObject(it.Extra)
		})}
	}
	c.Extra = cloneObject(e.Extra)
	return &c
}

func (m Metadata) clone() Metadata {
	c := m
	c.Labels = cloneStrings(m.Labels)
	c.Annotations = cloneStrings(m.Annotations)
	c.Tags = slices.Clone(m.Tags)
	c.Links = cloneEach(m.Links, func(l *Link) { l.Extra = cloneObject(l.Extra) })
	c.Extra = cloneObject(m.Extra)
	return c
}

func (s *SerializedError) clone() *SerializedError {
	if s == nil {
		return nil
	}
	c := *s
	c.Cause = s.Cause.clone()
	c.Extra = cloneObject(s.Extra)
	return &c
}

// cloneEach copies a (nil stays nil), then deepens each copied element in place.
func cloneEach[T any](a []T, deepen func(*T)) []T {
	out := slices.Clone(a)
	for i := range out {
		deepen(&out[i])
	}
	return out
}

func cloneStrings(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func cloneObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneObject(t)
	case []any:
		c := make([]any, len(t))
		for i, x := range t {
			c[i] = cloneValue(x)
		}
		return c
	case map[string]string:
		return cloneStrings(t)
	case []string:
		return append([]string(nil), t...)
	default:
		return v
	}
}
