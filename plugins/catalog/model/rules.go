package model

import "strings"

// The building-block checks of Backstage's default field format validators
// (KubernetesValidatorFunctions and CommonValidatorFunctions). They are exported so forms and
// other plugins can check single values the same way the catalog does.

// IsValidDNSLabel: 1–63 characters, sequences of [a-z0-9] separated by single '-'.
func IsValidDNSLabel(s string) bool {
	if len(s) < 1 || len(s) > 63 {
		return false
	}
	return isDashSeparated(s, func(c byte) bool { return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') })
}

// IsValidDNSSubdomain: 1–253 characters, DNS labels separated by '.'.
func IsValidDNSSubdomain(s string) bool {
	if len(s) < 1 || len(s) > 253 {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if !IsValidDNSLabel(part) {
			return false
		}
	}
	return true
}

// isDashSeparated reports whether s is one or more runs of ok characters joined by single '-'.
func isDashSeparated(s string, ok func(byte) bool) bool {
	prevDash := true // no leading dash
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			if prevDash {
				return false
			}
			prevDash = true
			continue
		}
		if !ok(c) {
			return false
		}
		prevDash = false
	}
	return !prevDash
}

func isAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// IsValidObjectName: 1–63 characters matching ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$.
// Runs of separators such as "a--b" are allowed, as the expression allows them.
// This is the rule for metadata.name, label values and link icons.
func IsValidObjectName(s string) bool {
	n := len(s)
	if n < 1 || n > 63 || !isAlnum(s[0]) || !isAlnum(s[n-1]) {
		return false
	}
	for i := 1; i < n-1; i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// IsValidEntityName is the rule for metadata.name (an object name).
func IsValidEntityName(s string) bool { return IsValidObjectName(s) }

// IsValidNamespace is the rule for metadata.namespace (a DNS label: lower case only).
func IsValidNamespace(s string) bool { return IsValidDNSLabel(s) }

// IsValidKind: 1–63 characters matching ^[a-zA-Z][a-z0-9A-Z]*$.
func IsValidKind(s string) bool {
	if len(s) < 1 || len(s) > 63 {
		return false
	}
	c := s[0]
	if !(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// isValidPrefixAndOrSuffix splits on '/': one part must pass suffix; two parts must pass prefix
// and suffix; more parts are invalid.
func isValidPrefixAndOrSuffix(s string, prefix, suffix func(string) bool) bool {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return suffix(s)
	}
	if strings.IndexByte(s[i+1:], '/') >= 0 {
		return false
	}
	return prefix(s[:i]) && suffix(s[i+1:])
}

// IsValidAPIVersion: an optional DNS subdomain prefix and '/', then 1–63 of [a-z0-9A-Z].
func IsValidAPIVersion(s string) bool {
	return isValidPrefixAndOrSuffix(s, IsValidDNSSubdomain, func(v string) bool {
		if len(v) < 1 || len(v) > 63 {
			return false
		}
		for i := 0; i < len(v); i++ {
			if !isAlnum(v[i]) {
				return false
			}
		}
		return true
	})
}

// IsValidLabelKey: an optional DNS subdomain prefix and '/', then an object name.
func IsValidLabelKey(s string) bool {
	return isValidPrefixAndOrSuffix(s, IsValidDNSSubdomain, IsValidObjectName)
}

// IsValidLabelValue: empty, or an object name.
func IsValidLabelValue(s string) bool { return s == "" || IsValidObjectName(s) }

// IsValidAnnotationKey: the same rule as a label key.
func IsValidAnnotationKey(s string) bool { return IsValidLabelKey(s) }

// IsValidTag: 1–63 characters, sequences of [a-z0-9:+#] separated by single '-'. Upper case is
// not allowed. This accepts what Backstage's documentation describes, a superset of the older
// DNS-label rule.
func IsValidTag(s string) bool {
	if len(s) < 1 || len(s) > 63 {
		return false
	}
	return isDashSeparated(s, func(c byte) bool {
		return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == ':' || c == '+' || c == '#'
	})
}

// IsValidNonEmptyString: non-blank after trimming white space (link titles).
func IsValidNonEmptyString(s string) bool {
	return strings.TrimSpace(s) != ""
}
