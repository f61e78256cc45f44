package model

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/portico-dev/portico/framework/apierr/errkind"
)

// EntityRef is the compound form of an entity reference: kind, namespace and name.
//
// References compare case-insensitively; [EntityRef.String] gives the canonical lower-case
// string form that the catalog uses as key and in relations. The fields keep the case they were
// written with.
type EntityRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// RefContext holds the defaults used while parsing a reference that leaves parts out.
type RefContext struct {
	// DefaultKind is used when the reference names no kind; "" means the kind is required.
	DefaultKind string
	// DefaultNamespace is used when the reference names no namespace; "" means "default".
	DefaultNamespace string
}

// Errors returned by reference parsing; the returned errors wrap one of these and carry
// Backstage's message.
var (
	// ErrInvalidRef: the string is not of the form [<kind>:][<namespace>/]<name>.
	ErrInvalidRef = errkind.New(errkind.Input, "invalid entity reference")
	// ErrIncompleteRef: a part is missing and the context gives no default.
	ErrIncompleteRef = errors.New("incomplete entity reference")
)

// refError carries Backstage's message and the JavaScript error class it throws.
type refError struct {
	msg      string
	typeErr  bool
	sentinel error
}

func (e *refError) Error() string { return e.msg }
func (e *refError) Unwrap() error { return e.sentinel }

// errorName returns the JavaScript error class Backstage throws for a reference error.
func refErrorName(err error) string {
	var re *refError
	if errors.As(err, &re) && re.typeErr {
		return ErrorNameTypeError
	}
	return ErrorNameError
}

// splitRef splits a reference string as Backstage does: the first ':' ends the kind unless a
// '/' comes before it, and the first '/' ends the namespace. Absent parts are reported as such;
// present but empty parts are an error.
func splitRef(ref string) (kind, namespace, name string, hasKind, hasNamespace bool, err error) {
	colon := strings.IndexByte(ref, ':')
	slash := strings.IndexByte(ref, '/')
	if slash != -1 && slash < colon {
		colon = -1
	}
	start := 0
	if colon != -1 {
		kind, hasKind = ref[:colon], true
		start = colon + 1
	}
	if slash != -1 {
		namespace, hasNamespace = ref[colon+1:slash], true
		start = max(start, slash+1)
	}
	name = ref[start:]
	if (hasKind && kind == "") || (hasNamespace && namespace == "") || name == "" {
		return "", "", "", false, false, &refError{
			msg:      "Entity reference \"" + ref + "\" was not on the form [<kind>:][<namespace>/]<name>",
			typeErr:  true,
			sentinel: ErrInvalidRef,
		}
	}
	return kind, namespace, name, hasKind, hasNamespace, nil
}

// ParseEntityRef parses the string form [<kind>:][<namespace>/]<name> of a reference, taking
// missing parts from ctx, exactly as Backstage's parseEntityRef does. The name may itself
// contain ':' or '/' characters after the split points. Case is kept.
func ParseEntityRef(ref string, ctx RefContext) (EntityRef, error) {
	if ref == "" {
		return EntityRef{}, &refError{msg: "Entity reference must not be empty", sentinel: ErrInvalidRef}
	}
	kind, namespace, name, hasKind, hasNamespace, err := splitRef(ref)
	if err != nil {
		return EntityRef{}, err
	}
	if !hasKind {
		kind = ctx.DefaultKind
	}
	if !hasNamespace {
		namespace = ctx.DefaultNamespace
		if namespace == "" {
			namespace = DefaultNamespace
		}
	}
	if kind == "" {
		return EntityRef{}, &refError{
			msg:      fmt.Sprintf("Entity reference %s had missing or empty kind (e.g. did not start with \"component:\" or similar)", jsQuote(ref)),
			sentinel: ErrIncompleteRef,
		}
	}
	return EntityRef{Kind: kind, Namespace: namespace, Name: name}, nil
}

// CompleteEntityRef fills the missing parts of a compound reference from ctx, as Backstage's
// parseEntityRef does for its object form. An empty field counts as absent.
func CompleteEntityRef(ref EntityRef, ctx RefContext) (EntityRef, error) {
	textual := compoundText(ref)
	if ref.Kind == "" {
		ref.Kind = ctx.DefaultKind
	}
	if ref.Namespace == "" {
		ref.Namespace = ctx.DefaultNamespace
		if ref.Namespace == "" {
			ref.Namespace = DefaultNamespace
		}
	}
	switch {
	case ref.Kind == "":
		return EntityRef{}, &refError{
			msg:      fmt.Sprintf("Entity reference %s had missing or empty kind (e.g. did not start with \"component:\" or similar)", textual),
			sentinel: ErrIncompleteRef,
		}
	case ref.Name == "":
		return EntityRef{}, &refError{msg: fmt.Sprintf("Entity reference %s had missing or empty name", textual), sentinel: ErrIncompleteRef}
	}
	return ref, nil
}

// compoundText renders a compound reference as JSON.stringify would render the object form,
// leaving out absent parts.
func compoundText(r EntityRef) string {
	w := jsonWriter{}
	o := w.object()
	o.str("kind", r.Kind)
	o.str("namespace", r.Namespace)
	o.str("name", r.Name)
	o.end()
	return string(w.b)
}

// ParseEntityRefValue parses a reference given as a generic JSON value: a string, or an object
// with optional "kind" and "namespace" and a "name".
func ParseEntityRefValue(v any, ctx RefContext) (EntityRef, error) {
	switch t := v.(type) {
	case string:
		return ParseEntityRef(t, ctx)
	case map[string]any:
		var r EntityRef
		for _, f := range []struct {
			key string
			dst *string
		}{{"kind", &r.Kind}, {"namespace", &r.Namespace}, {"name", &r.Name}} {
			switch x := t[f.key].(type) {
			case nil:
			case string:
				*f.dst = x
			default:
				return EntityRef{}, &refError{msg: fmt.Sprintf("Entity reference %s had an invalid %s", jsString(v), f.key), sentinel: ErrInvalidRef}
			}
		}
		return CompleteEntityRef(r, ctx)
	case nil:
		return EntityRef{}, &refError{msg: "Entity reference must not be empty", sentinel: ErrInvalidRef}
	default:
		return EntityRef{}, &refError{msg: fmt.Sprintf("Entity reference %s is not a string or an object", jsString(v)), typeErr: true, sentinel: ErrInvalidRef}
	}
}

// String returns the canonical form kind:namespace/name, all lower case, with the namespace
// defaulted: the catalog's key for the entity and the form of every relation's targetRef.
func (r EntityRef) String() string {
	ns := r.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	var b strings.Builder
	b.Grow(len(r.Kind) + len(ns) + len(r.Name) + 2)
	writeLower(&b, r.Kind)
	b.WriteByte(':')
	writeLower(&b, ns)
	b.WriteByte('/')
	writeLower(&b, r.Name)
	return b.String()
}

// Equal reports whether two references name the same entity (case-insensitively, with the
// namespace defaulted).
func (r EntityRef) Equal(o EntityRef) bool {
	return r.String() == o.String()
}

// CompareEntityRefs orders references by their canonical string form.
func CompareEntityRefs(a, b EntityRef) int {
	return strings.Compare(a.String(), b.String())
}

// NormalizeEntityRef parses a full reference (kind required) and returns its canonical string.
func NormalizeEntityRef(ref string) (string, error) {
	r, err := ParseEntityRef(ref, RefContext{})
	if err != nil {
		return "", err
	}
	return r.String(), nil
}

func writeLower(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			b.WriteString(strings.ToLower(s[i:]))
			return
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
}

// jsQuote quotes a string as JSON.stringify does.
func jsQuote(s string) string {
	w := jsonWriter{}
	w.str(s)
	return string(w.b)
}
