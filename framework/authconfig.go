package framework

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/auth"
)

// AuthConfigFromConfig reads backend.auth: externalAccess, the old keys list and
// dangerouslyDisableDefaultAuthPolicy. Every problem is reported with its config key.
func AuthConfigFromConfig(cfg *config.Config) (auth.Config, error) {
	var out auth.Config
	v, _, err := cfg.OptionalBool("backend.auth.dangerouslyDisableDefaultAuthPolicy")
	if err != nil {
		return out, err
	}
	out.DangerouslyDisableDefaultAuthPolicy = v
	entries, _, err := cfg.OptionalConfigArray("backend.auth.externalAccess")
	if err != nil {
		return out, err
	}
	staticTokens := map[string]bool{}
	for i, e := range entries {
		ea, err := readExternalAccess(e)
		if err != nil {
			return out, fmt.Errorf("backend.auth.externalAccess[%d]: %w", i, err)
		}
		if ea.Type == "static" {
			if staticTokens[ea.Token] {
				return out, fmt.Errorf("backend.auth.externalAccess[%d]: static token declared more than once", i)
			}
			staticTokens[ea.Token] = true
		}
		out.ExternalAccess = append(out.ExternalAccess, ea)
	}
	keys, _, err := cfg.OptionalConfigArray("backend.auth.keys")
	if err != nil {
		return out, err
	}
	for i, k := range keys {
		secret, err := k.String("secret")
		if err != nil {
			return out, err
		}
		dec, err := decodeSecret(secret)
		if err != nil {
			return out, fmt.Errorf("backend.auth.keys[%d].secret: %w", i, err)
		}
		out.ExternalAccess = append(out.ExternalAccess, auth.ExternalAccess{Type: "legacy", Secret: dec, Subject: "external:backstage-plugin"})
	}
	return out, nil
}

func readExternalAccess(e *config.Config) (auth.ExternalAccess, error) {
	var ea auth.ExternalAccess
	typ, err := e.String("type")
	if err != nil {
		return ea, err
	}
	ea.Type = typ
	switch typ {
	case "static":
		if ea.Token, err = e.String("options.token"); err != nil {
			return ea, err
		}
		if ea.Subject, err = e.String("options.subject"); err != nil {
			return ea, err
		}
		if len(ea.Token) < 8 || strings.ContainsAny(ea.Token, " \t\r\n") {
			return ea, errors.New("options.token: must be at least 8 characters with no whitespace")
		}
	case "legacy":
		secret, err := e.String("options.secret")
		if err != nil {
			return ea, err
		}
		if ea.Secret, err = decodeSecret(secret); err != nil {
			return ea, fmt.Errorf("options.secret: %w", err)
		}
		if ea.Subject, err = e.String("options.subject"); err != nil {
			return ea, err
		}
	case "jwks":
		if ea.URL, err = e.String("options.url"); err != nil {
			return ea, err
		}
		if u, perr := url.Parse(ea.URL); perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ea, fmt.Errorf("options.url: want an http(s) URL, got %q", ea.URL)
		}
		if ea.Issuers, err = spaceOrCommaList(e, "options.issuer"); err != nil {
			return ea, err
		}
		if ea.Audiences, err = spaceOrCommaList(e, "options.audience"); err != nil {
			return ea, err
		}
		if ea.Algorithms, err = spaceOrCommaList(e, "options.algorithm"); err != nil {
			return ea, err
		}
		for _, a := range ea.Algorithms {
			if strings.HasPrefix(a, "HS") || a == "none" {
				return ea, fmt.Errorf("options.algorithm: %q is not allowed for jwks (asymmetric algorithms only)", a)
			}
		}
		if ea.SubjectPrefix, _, err = e.OptionalString("options.subjectPrefix"); err != nil {
			return ea, err
		}
	default:
		return ea, fmt.Errorf("type: want static, jwks or legacy, got %q", typ)
	}
	if ea.Subject != "" && strings.ContainsAny(ea.Subject, " \t\r\n") {
		return ea, errors.New("options.subject: must have no whitespace")
	}
	restrictions, _, err := e.OptionalConfigArray("accessRestrictions")
	if err != nil {
		return ea, err
	}
	for i, r := range restrictions {
		for _, k := range r.Keys() {
			if k != "plugin" && k != "permission" && k != "permissionAttribute" {
				return ea, fmt.Errorf("accessRestrictions[%d]: unknown key %q (want plugin, permission or permissionAttribute)", i, k)
			}
		}
		plugin, err := r.String("plugin")
		if err != nil {
			return ea, err
		}
		if ea.AccessRestrictions == nil {
			ea.AccessRestrictions = map[string]auth.AccessRestrictions{}
		}
		if _, dup := ea.AccessRestrictions[plugin]; dup {
			return ea, fmt.Errorf("accessRestrictions[%d]: plugin %q listed twice", i, plugin)
		}
		var ar auth.AccessRestrictions
		if ar.PermissionNames, err = spaceOrCommaList(r, "permission"); err != nil {
			return ea, err
		}
		actions, err := spaceOrCommaList(r, "permissionAttribute.action")
		if err != nil {
			return ea, err
		}
		for _, a := range actions {
			if !slices.Contains([]string{"create", "read", "update", "delete"}, a) {
				return ea, fmt.Errorf("accessRestrictions[%d].permissionAttribute.action: want create, read, update or delete, got %q", i, a)
			}
		}
		if len(actions) > 0 {
			ar.PermissionAttributes = map[string][]string{"action": actions}
		}
		ea.AccessRestrictions[plugin] = ar
	}
	return ea, nil
}

// spaceOrCommaList reads a string ("a, b" or "a b") or a list of strings, deduplicated.
func spaceOrCommaList(c *config.Config, key string) ([]string, error) {
	raw, ok := c.Get(key)
	if !ok {
		return nil, nil
	}
	var values []string
	switch raw.(type) {
	case []any:
		vs, err := c.StringArray(key)
		if err != nil {
			return nil, err
		}
		values = vs
	default:
		s, err := c.String(key)
		if err != nil {
			return nil, err
		}
		values = []string{s}
	}
	var out []string
	for _, v := range values {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

func decodeSecret(s string) ([]byte, error) {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return nil, errors.New("must be a base64 string")
	}
	s = strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("must be a base64 string")
}
