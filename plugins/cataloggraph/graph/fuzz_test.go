package graph

import (
	"strings"
	"testing"
)

// FuzzNormalizeRef: a normalised ref is lower-case, has all three parts and normalises to
// itself.
func FuzzNormalizeRef(f *testing.F) {
	for _, s := range []string{"component:default/a", "Group:Team-A", "a:b/c/d", ":/", "user:x/", "k:ns/name:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		c, err := NormalizeRef(ref)
		if err != nil {
			return
		}
		if c != strings.ToLower(c) || strings.Count(c, ":") != 1 || strings.Count(c, "/") != 1 {
			t.Fatalf("NormalizeRef(%q) = %q", ref, c)
		}
		if again, err := NormalizeRef(c); err != nil || again != c {
			t.Fatalf("NormalizeRef(%q) = %q, %v; want itself", c, again, err)
		}
	})
}
