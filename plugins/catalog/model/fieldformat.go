package model

import (
	"maps"
	"slices"
	"strconv"
)

// What FieldFormatEntityPolicy says it expected, per rule.
const (
	expectObjectName  = "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total"
	expectPrefixed    = "a valid prefix and/or suffix"
	expectDNSLabel    = "a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total"
	expectTag         = "a string that is sequences of [a-z0-9+#] separated by [-], at most 63 characters in total"
	expectString      = "a string"
	expectKind        = "a string that is a sequence of [a-zA-Z][a-z0-9A-Z], at most 63 characters in total"
	expectURL         = "a string that is a valid url"
	expectNonEmptyStr = "a non empty string"
)

// fieldRule is one FieldFormatEntityPolicy rule: what it expects, as Backstage words it, and
// the check of a string (every rule requires a string).
type fieldRule struct {
	expect string
	check  func(string) bool
}

var (
	ruleAPIVersion      = fieldRule{expectPrefixed, IsValidAPIVersion}
	ruleKind            = fieldRule{expectKind, IsValidKind}
	ruleObjectName      = fieldRule{expectObjectName, IsValidObjectName}
	ruleNamespace       = fieldRule{expectDNSLabel, IsValidNamespace}
	ruleLabelKey        = fieldRule{expectPrefixed, IsValidLabelKey}
	ruleLabelValue      = fieldRule{expectObjectName, IsValidLabelValue}
	ruleAnnotationKey   = fieldRule{expectPrefixed, IsValidAnnotationKey}
	ruleAnnotationValue = fieldRule{expectString, func(string) bool { return true }}
	ruleTag             = fieldRule{expectTag, IsValidTag}
	ruleURL             = fieldRule{expectURL, IsValidURL}
	ruleNonEmptyString  = fieldRule{expectNonEmptyStr, IsValidNonEmptyString}
)

// valid applies the rule.
func (r fieldRule) valid(v any) bool {
	s, ok := v.(string)
	return ok && r.check(s)
}

// fieldFormat is FieldFormatEntityPolicy: the format rules of the envelope's fields, checked in
// Backstage's order and reported with its messages.
func (c *checker) fieldFormat(root map[string]any) {
	c.require("apiVersion", "/apiVersion", root["apiVersion"], ruleAPIVersion)
	c.require("kind", "/kind", root["kind"], ruleKind)
	meta, ok := asObject(root["metadata"])
	if !ok {
		return
	}
	c.require("metadata.name", "/metadata/name", meta["name"], ruleObjectName)
	if ns, ok := meta["namespace"]; ok {
		c.require("metadata.namespace", "/metadata/namespace", ns, ruleNamespace)
	}
	for _, group := range []struct {
		key        string
		keyRule    fieldRule
		valueRule  fieldRule
		fieldStart string
	}{
		{"labels", ruleLabelKey, ruleLabelValue, "labels."},
		{"annotations", ruleAnnotationKey, ruleAnnotationValue, "annotations."},
	} {
		m, ok := asObject(meta[group.key])
		if !ok {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			field := group.fieldStart + k
			path := "/metadata/" + group.key + "/" + escapePointer(k)
			c.require(field, path, k, group.keyRule)
			c.require(field, path, m[k], group.valueRule)
		}
	}
	if tags, ok := asArray(meta["tags"]); ok {
		for i, t := range tags {
			is := strconv.Itoa(i)
			c.require("tags."+is, "/metadata/tags/"+is, t, ruleTag)
		}
	}
	if links, ok := asArray(meta["links"]); ok {
		for i, l := range links {
			is := strconv.Itoa(i)
			lm, _ := asObject(l)
			c.require("links."+is+".url", "/metadata/links/"+is+"/url", lm["url"], ruleURL)
			if t, ok := lm["title"]; ok {
				c.require("links."+is+".title", "/metadata/links/"+is+"/title", t, ruleNonEmptyString)
			}
			if ic, ok := lm["icon"]; ok {
				c.require("links."+is+".icon", "/metadata/links/"+is+"/icon", ic, ruleObjectName)
			}
		}
	}
}

// require reports a missing or invalid field unless an earlier check already reported it.
func (c *checker) require(field, path string, value any, rule fieldRule) {
	if c.flagged[path] {
		return
	}
	p := Problem{Stage: StagePolicy, Path: path, ErrorName: ErrorNameError}
	switch {
	case value == nil:
		p.Message = field + " must have a value"
	case !rule.valid(value):
		p.Message = `"` + field + `" is not valid; expected ` + rule.expect + ` but found "` + jsString(value) + `". ` + MessageFormatDocsSuffix
	default:
		return
	}
	c.add(p)
}
