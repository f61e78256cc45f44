package model

import (
	"errors"
	"fmt"
	"strings"
)

// Location reference types the catalog itself uses.
const (
	LocationTypeURL       = "url"
	LocationTypeFile      = "file"
	LocationTypeBootstrap = "bootstrap"
)

// LocationRef is a location reference: where catalog data comes from, written as type:target
// (for example url:https://github.com/o/r/blob/main/catalog-info.yaml or file:/abs/path.yaml).
// It is a different format from an entity reference.
type LocationRef struct {
	Type   string `json:"type"`
	Target string `json:"target"`
}

// ErrInvalidLocationRef is wrapped by every location reference parsing error.
var ErrInvalidLocationRef = errors.New("invalid location reference")

type locationRefError struct{ msg string }

func (e *locationRefError) Error() string { return e.msg }
func (e *locationRefError) Unwrap() error { return ErrInvalidLocationRef }

// ParseLocationRef parses type:target as Backstage's parseLocationRef does: it splits on the
// first ':' only, trims both parts, requires both to be non-empty and rejects a bare http(s) URL
// that lacks the url: prefix.
func ParseLocationRef(ref string) (LocationRef, error) {
	i := strings.IndexByte(ref, ':')
	if i < 0 {
		return LocationRef{}, &locationRefError{fmt.Sprintf("Unable to parse location reference '%s', expected '<type>:<target>', e.g. 'url:https://host/path'", ref)}
	}
	l := LocationRef{Type: strings.TrimSpace(ref[:i]), Target: strings.TrimSpace(ref[i+1:])}
	if l.Type == "" || l.Target == "" {
		return LocationRef{}, &locationRefError{fmt.Sprintf("Unable to parse location reference '%s', expected '<type>:<target>', e.g. 'url:https://host/path'", ref)}
	}
	if l.Type == "http" || l.Type == "https" {
		return LocationRef{}, &locationRefError{fmt.Sprintf("Invalid location reference '%s', please prefix it with 'url:', e.g. 'url:%s'", ref, ref)}
	}
	return l, nil
}

// String returns type:target. It does not check the parts; see [LocationRef.Validate].
func (l LocationRef) String() string {
	return l.Type + ":" + l.Target
}

// Validate reports an empty type or target with Backstage's stringifyLocationRef messages.
func (l LocationRef) Validate() error {
	switch {
	case l.Type == "":
		return &locationRefError{"Unable to stringify location reference, empty type"}
	case l.Target == "":
		return &locationRefError{"Unable to stringify location reference, empty target"}
	}
	return nil
}

// URLLocation returns the location reference url:<target>.
func URLLocation(target string) LocationRef {
	return LocationRef{Type: LocationTypeURL, Target: target}
}

// FileLocation returns the location reference file:<path>.
func FileLocation(path string) LocationRef { return LocationRef{Type: LocationTypeFile, Target: path} }

// SourceLocation returns where an entity's source lives: the backstage.io/source-location
// annotation, or else backstage.io/managed-by-location, as Backstage's getEntitySourceLocation.
func SourceLocation(e *Entity) (LocationRef, error) {
	ref, ok := e.Annotation(AnnotationSourceLocation)
	if !ok || ref == "" {
		ref, ok = e.Annotation(AnnotationManagedByLocation)
	}
	if !ok || ref == "" {
		return LocationRef{}, &locationRefError{fmt.Sprintf("Entity '%s' is missing location", e.Ref())}
	}
	return ParseLocationRef(ref)
}
