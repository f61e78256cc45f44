package nunjucks_test

import (
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// BenchmarkRenderValue renders a typical step input.
func BenchmarkRenderValue(b *testing.B) {
	e := nunjucks.New(nunjucks.Options{})
	ctx := map[string]any{
		"parameters": map[string]any{"name": "payments", "owner": "group:default/team-a", "repoUrl": "github.com?owner=acme&repo=payments", "count": 3},
		"steps":      map[string]any{"publish": map[string]any{"output": map[string]any{"repoContentsUrl": "https://github.com/acme/payments/blob/main"}}},
	}
	input := map[string]any{
		"url":    "./skeleton",
		"values": map[string]any{"name": "${{ parameters.name }}", "owner": "${{ parameters.owner | parseEntityRef | pick('name') }}", "count": "${{ parameters.count }}"},
		"repo":   "${{ (parameters.repoUrl | parseRepoUrl).owner }}/${{ parameters.name | lower }}",
		"link":   "${{ steps.publish.output.repoContentsUrl }}/catalog-info.yaml",
	}
	for b.Loop() {
		if _, err := e.RenderValue(b.Context(), input, ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderFile renders a 200-line skeleton file (parsed once per render, as
// fetch:template does for each file).
func BenchmarkRenderFile(b *testing.B) {
	src := ""
	for range 50 {
		src += "# ${{ values.name }}\n{% if values.useDb %}db: ${{ values.db }}{% endif %}\n{% for t in values.tags %}- ${{ t | upper }}\n{% endfor %}plain line of text\n"
	}
	ctx := map[string]any{"values": map[string]any{"name": "svc", "useDb": true, "db": "pg", "tags": []any{"a", "b", "c"}}}
	for b.Loop() {
		e := nunjucks.New(nunjucks.Options{})
		if _, err := e.RenderString(b.Context(), src, ctx); err != nil {
			b.Fatal(err)
		}
	}
}
