package model

import (
	"strconv"
	"strings"
)

// IsValidURL reports whether s parses as an absolute URL under the WHATWG URL standard, which
// is what Backstage checks with `new URL(value)`. It follows the parts of the standard that
// decide success: leading and trailing control characters and spaces are ignored, tabs and
// newlines are removed, a scheme is required, and the special schemes (http, https, ws, wss,
// ftp) need a valid host and port. Other schemes (mailto:, urn:, file:, custom ones) accept
// any remainder.
func IsValidURL(s string) bool {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
	}
	colon := strings.IndexByte(s, ':')
	if colon < 1 {
		return false
	}
	scheme := strings.ToLower(s[:colon])
	if c := scheme[0]; c < 'a' || c > 'z' {
		return false
	}
	for i := 1; i < len(scheme); i++ {
		c := scheme[i]
		if !(('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	rest := s[colon+1:]
	switch scheme {
	case "http", "https", "ws", "wss", "ftp":
		return validSpecialAuthority(rest)
	case "file":
		return true
	default:
		// A non-special URL with an authority ("//host") must have a parsable host.
		if strings.HasPrefix(rest, "//") {
			auth := rest[2:]
			if i := strings.IndexAny(auth, "/?#"); i >= 0 {
				auth = auth[:i]
			}
			host, port, ok := splitAuthority(auth)
			if !ok || !validPort(port) {
				return false
			}
			return host == "" || validOpaqueHost(host)
		}
		return true
	}
}

// validSpecialAuthority checks the part after "scheme:" of a special URL.
func validSpecialAuthority(rest string) bool {
	rest = strings.TrimLeft(rest, "/\\")
	end := strings.IndexAny(rest, "/\\?#")
	if end >= 0 {
		rest = rest[:end]
	}
	host, port, ok := splitAuthority(rest)
	if !ok || host == "" || !validPort(port) {
		return false
	}
	return validDomainHost(host)
}

// splitAuthority drops user info and splits host and port.
func splitAuthority(auth string) (host, port string, ok bool) {
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		auth = auth[i+1:]
	}
	if strings.HasPrefix(auth, "[") {
		end := strings.IndexByte(auth, ']')
		if end < 0 {
			return "", "", false
		}
		host, rest := auth[:end+1], auth[end+1:]
		if rest == "" {
			return host, "", validIPv6(host[1:end])
		}
		if rest[0] != ':' {
			return "", "", false
		}
		return host, rest[1:], validIPv6(host[1:end])
	}
	if i := strings.LastIndexByte(auth, ':'); i >= 0 {
		return auth[:i], auth[i+1:], true
	}
	return auth, "", true
}

func validPort(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	p = strings.TrimLeft(p, "0")
	if p == "" {
		return true
	}
	if len(p) > 5 {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}

func validIPv6(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') || c == ':' || c == '.') {
			return false
		}
	}
	return strings.Contains(s, ":")
}

// validDomainHost rejects hosts with forbidden domain code points.
func validDomainHost(h string) bool {
	if strings.HasPrefix(h, "[") {
		return true // checked by splitAuthority
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= 0x20 || c == 0x7f {
			return false
		}
		switch c {
		case '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|', '%':
			return false
		}
	}
	return true
}

// validOpaqueHost rejects hosts with forbidden host code points (non-special URLs).
func validOpaqueHost(h string) bool {
	if strings.HasPrefix(h, "[") {
		return true
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= 0x20 {
			return false
		}
		switch c {
		case '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|':
			return false
		}
	}
	return true
}
