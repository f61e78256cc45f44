package model

// AnnotationRejectedURL replaces a view-url or edit-url annotation that uses a javascript:
// scheme.
const AnnotationRejectedURL = "https://backstage.io/annotation-rejected-for-security-reasons"

// IsScriptURL reports whether s starts with a javascript: scheme the way browsers read it:
// leading control characters and spaces are ignored, tabs and newlines inside the scheme too,
// and case does not matter.
func IsScriptURL(s string) bool {
	i := 0
	for i < len(s) && s[i] <= 0x20 {
		i++
	}
	const scheme = "javascript:"
	for j := 0; j < len(scheme); {
		if i >= len(s) {
			return false
		}
		c := s[i]
		i++
		if j > 0 && (c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != scheme[j] {
			return false
		}
		j++
	}
	return true
}

// SanitizeURLAnnotations replaces view-url and edit-url annotations that use a javascript:
// scheme with [AnnotationRejectedURL], as Backstage's stitcher does before serving an entity.
// It reports whether anything changed.
func SanitizeURLAnnotations(e *Entity) bool {
	changed := false
	for _, key := range []string{AnnotationViewURL, AnnotationEditURL} {
		if v, ok := e.Metadata.Annotations[key]; ok && IsScriptURL(v) {
			e.Metadata.Annotations[key] = AnnotationRejectedURL
			changed = true
		}
	}
	return changed
}
