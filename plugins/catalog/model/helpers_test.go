package model

import (
	"strings"
	"testing"
)

// mustValue parses a single YAML document into its generic value.
func mustValue(t testing.TB, src string) any {
	t.Helper()
	docs := ParseDescriptor([]byte(src), ParseOptions{})
	if len(docs) != 1 {
		t.Fatalf("want 1 document, got %d in:\n%s", len(docs), src)
	}
	if len(docs[0].Problems) > 0 {
		t.Fatalf("parse problems %v in:\n%s", docs[0].Problems, src)
	}
	return docs[0].Value
}

// mustEntity parses a single YAML document into an entity.
func mustEntity(t testing.TB, src string) *Entity {
	t.Helper()
	e, err := DecodeEntity(mustValue(t, src))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return e
}

// summarize renders problems as "stage path: message" lines for comparison.
func summarize(ps Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p.Stage) + " " + p.Path + ": " + p.Message
	}
	return out
}

// fieldMsg builds FieldFormatEntityPolicy's message for an invalid value.
func fieldMsg(field, expect, found string) string {
	return `"` + field + `" is not valid; expected ` + expect + ` but found "` + found + `". ` + MessageFormatDocsSuffix
}

func equalLines(t *testing.T, input string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("input:\n%s\ngot:\n  %s\nwant:\n  %s", input, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
