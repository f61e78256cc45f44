package apidef

import (
	"os"
	"testing"
)

// TestHighlightCSSUpToDate keeps the checked-in stylesheet equal to what chroma generates.
func TestHighlightCSSUpToDate(t *testing.T) {
	want, err := HighlightCSS()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../ui/static/highlight.css")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("plugins/apidocs/ui/static/highlight.css is stale: run go generate ./plugins/apidocs/...")
	}
}
