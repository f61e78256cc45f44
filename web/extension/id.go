package extension

import (
	"fmt"
	"strings"
	"unicode"
)

// ID is a parsed extension ID of the form [kind:][namespace][/name], for example
// "entity-card:catalog/about" (kind entity-card, namespace catalog, name about), "app/nav"
// (namespace app, name nav) or "page:catalog" (kind page, namespace catalog).
type ID struct {
	Kind      string
	Namespace string
	Name      string
}

// Extension kinds of the shell's blueprints. The set is open: any kind matching the ID
// grammar is accepted (the catalog's entityui declares entity-card, entity-content and
// entity-header-action).
const (
	KindPage    = "page"
	KindNavItem = "nav-item"
)

// ParseID parses s in Backstage's [kind:][namespace][/name] form. The part after the kind must
// not be empty; a part without a slash is the namespace (as Backstage builds IDs, a lone name
// and a lone namespace print the same). IDs contain no whitespace; kind and namespace contain
// neither ':' nor '/'.
func ParseID(s string) (ID, error) {
	if s == "" {
		return ID{}, fmt.Errorf("extension id must not be empty")
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return ID{}, fmt.Errorf("extension id %q must not contain whitespace", s)
	}
	var id ID
	rest := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		id.Kind, rest = s[:i], s[i+1:]
		if id.Kind == "" {
			return ID{}, fmt.Errorf("extension id %q has an empty kind before ':'", s)
		}
		if strings.Contains(id.Kind, "/") {
			return ID{}, fmt.Errorf("extension id %q: kind %q must not contain '/'", s, id.Kind)
		}
	}
	if rest == "" {
		return ID{}, fmt.Errorf("extension id %q needs a namespace or name", s)
	}
	if strings.Contains(rest, ":") {
		return ID{}, fmt.Errorf("extension id %q must contain at most one ':'", s)
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		id.Namespace, id.Name = rest[:i], rest[i+1:]
		if id.Name == "" {
			return ID{}, fmt.Errorf("extension id %q has an empty name after '/'", s)
		}
	} else {
		id.Namespace = rest
	}
	return id, nil
}

// String formats the ID back into its [kind:][namespace][/name] form.
func (id ID) String() string {
	part := id.Namespace
	if id.Name != "" {
		part = id.Namespace + "/" + id.Name
	}
	if id.Kind != "" {
		return id.Kind + ":" + part
	}
	return part
}

// MakeID builds an ID string the way Backstage names extensions from a kind, the plugin's
// namespace and an optional name: "namespace/name" when both are set, otherwise whichever is.
func MakeID(kind, namespace, name string) string {
	if namespace == "" {
		namespace, name = name, ""
	}
	return ID{Kind: kind, Namespace: namespace, Name: name}.String()
}
