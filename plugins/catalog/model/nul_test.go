package model

import (
	"testing"
)

// TestValidateNUL pins the NUL rule: a NUL character in any key or string value makes an entity
// invalid (PostgreSQL cannot store it); in the fields of its reference it fails the envelope.
func TestValidateNUL(t *testing.T) {
	msg := func(what, path string) string { return "The " + what + " at " + path + " " + MessageNUL }
	v := NewValidator(Options{})
	runSrcCases(t, []srcCase{
		{"description", componentWith(`  description: "evil\0text"`+"\n", ""),
			[]string{"policy /metadata/description: " + msg("value", "/metadata/description")}},
		{"annotation key", componentWith(`  annotations: {"x.io/k\0": v}`+"\n", ""),
			[]string{"policy /metadata/annotations/x.io~1k\x00: " + msg("key", "/metadata/annotations/x.io~1k\\u0000")}},
		{"array element", componentWith(`  tags: [a, "b\0"]`+"\n", ""),
			[]string{"policy /metadata/tags/1: " + msg("value", "/metadata/tags/1")}},
		{"deep spec value", componentWith("", "  x: {y: [{z: \"\\0\"}]}\n"),
			[]string{"policy /spec/x/y/0/z: " + msg("value", "/spec/x/y/0/z")}},
		{"name", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: \"a\\0b\"}\nspec: {type: service, lifecycle: production, owner: team-a}\n",
			[]string{"envelope /metadata/name: " + msg("value", "/metadata/name")}},
		{"escaped backslash is no NUL", componentWith(`  description: 'a\0b'`+"\n", ""), nil},
	}, validateLines(v))
	t.Run("envelope", func(t *testing.T) {
		src := "apiVersion: backstage.io/v1alpha1\nkind: \"Compo\\0nent\"\nmetadata: {name: a, namespace: \"n\\0\", description: \"\\0\"}\n"
		got := summarize(v.ValidateEnvelope(mustValue(t, src)))
		equalLines(t, src, got, []string{
			"envelope /kind: " + msg("value", "/kind"),
			"envelope /metadata/namespace: " + msg("value", "/metadata/namespace"),
		})
	})
}
