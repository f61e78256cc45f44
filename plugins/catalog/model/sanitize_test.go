package model

import "testing"

func TestIsScriptURL(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"javascript:alert(1)", true},
		{"JavaScript:alert(1)", true},
		{"       javascript:bad()", true},
		{"\x00\x1fjavascript:x", true},
		{"java\tscr\nipt\r:x", true},
		{"https://github.com/o/r/edit/main/catalog-info.yaml", false},
		{"\tjava script:x", false},
		{"javascript", false},
		{"xjavascript:x", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			if got := IsScriptURL(tt.value); got != tt.want {
				t.Errorf("IsScriptURL(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestSanitizeURLAnnotations(t *testing.T) {
	e := &Entity{Metadata: Metadata{Annotations: map[string]string{
		AnnotationViewURL:   " javascript:bad()",
		AnnotationEditURL:   "https://ok.example.com",
		"example.com/other": "javascript:left-alone",
	}}}
	if !SanitizeURLAnnotations(e) {
		t.Fatal("SanitizeURLAnnotations reported no change")
	}
	want := map[string]string{
		AnnotationViewURL:   AnnotationRejectedURL,
		AnnotationEditURL:   "https://ok.example.com",
		"example.com/other": "javascript:left-alone",
	}
	for k, v := range want {
		if e.Metadata.Annotations[k] != v {
			t.Errorf("%s = %q, want %q", k, e.Metadata.Annotations[k], v)
		}
	}
	if SanitizeURLAnnotations(e) {
		t.Error("second pass changed something")
	}
}
