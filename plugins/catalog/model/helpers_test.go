package model

import (
	"errors"
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

// wantedErr reports whether the case wanted an error; it fails the test unless err then has the
// wanted text and, when is is not nil, wraps is.
func wantedErr(t *testing.T, err error, want string, is error) bool {
	t.Helper()
	if want == "" {
		return false
	}
	if err == nil || err.Error() != want || (is != nil && !errors.Is(err, is)) {
		t.Fatalf("error = %v, want %q (is %v)", err, want, is)
	}
	return true
}

// srcCase is a descriptor and the lines a check of it should give.
type srcCase struct {
	name string
	src  string
	want []string
}

// runSrcCases checks each case's descriptor with check and compares the lines it gives.
func runSrcCases(t *testing.T, tests []srcCase, check func(t *testing.T, src string) []string) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equalLines(t, tt.src, check(t, tt.src), tt.want)
		})
	}
}

// validateLines checks a descriptor with v and summarizes the problems.
func validateLines(v *Validator) func(t *testing.T, src string) []string {
	return func(t *testing.T, src string) []string {
		return summarize(v.ValidateValue(mustValue(t, src)))
	}
}
