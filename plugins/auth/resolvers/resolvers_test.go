package resolvers

import (
	"strings"
	"testing"
)

func TestUserRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"jane", "user:default/jane"},
		{"Jane.Doe", "user:default/jane.doe"},
		{"dev/jane", "user:dev/jane"},
		{"user:development/guest", "user:development/guest"},
		{"User:Default/Jane", "user:default/jane"},
		{"group:default/team", ""},
		{"", ""},
		{"jane doe", ""},
		{"-jane", ""},
		{"a/b/c", ""},
		{"jane@example.com", ""},
		{strings.Repeat("x", 64), ""},
	}
	for _, tc := range tests {
		got, ok := userRef(tc.in)
		if (tc.want == "") == ok || got != tc.want {
			t.Errorf("userRef(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestStripPlus(t *testing.T) {
	for in, want := range map[string]string{"joe+x@a.com": "joe@a.com", "joe@a.com": "joe@a.com", "plain": "plain", "+x@a.com": "@a.com"} {
		if got := stripPlus(in); got != want {
			t.Errorf("stripPlus(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzUserRef(f *testing.F) {
	for _, s := range []string{"jane", "user:dev/jane", "a/b", "x:y/z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ref, ok := userRef(in)
		if !ok {
			return
		}
		if !strings.HasPrefix(ref, "user:") || strings.Count(ref, "/") != 1 || ref != strings.ToLower(ref) {
			t.Fatalf("userRef(%q) = %q", in, ref)
		}
		if again, ok := userRef(ref); !ok || again != ref {
			t.Fatalf("userRef is not idempotent on %q: %q", ref, again)
		}
	})
}
