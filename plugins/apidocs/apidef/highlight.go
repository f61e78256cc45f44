package apidef

import (
	"html/template"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// maxHighlight is the largest source highlighted; bigger ones are shown as plain text, since
// tokenising megabytes would slow the page for little gain.
const maxHighlight = 512 << 10

// Language names for Highlight.
const (
	LangGraphQL  = "graphql"
	LangProtobuf = "protobuf"
	LangYAML     = "yaml"
	LangJSON     = "json"
)

// Highlight renders source as a <pre class="chroma"> block whose tokens carry chroma's CSS
// classes (the stylesheet is in web/static/portico.css). Unknown languages, oversized sources
// and lexer failures fall back to escaped plain text.
func Highlight(source, lang string) template.HTML {
	plain := template.HTML(`<pre class="chroma"><code>` + template.HTMLEscapeString(source) + `</code></pre>`)
	if len(source) > maxHighlight {
		return plain
	}
	lexer := lexers.Get(lang)
	if lexer == nil {
		return plain
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, source)
	if err != nil {
		return plain
	}
	var b strings.Builder
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4))
	if err := f.Format(&b, styles.Fallback, it); err != nil {
		return plain
	}
	return template.HTML(b.String()) // chroma escapes every token
}

// SourceLanguage guesses the language of a document for the raw view: JSON when it starts
// with { or [, else YAML.
func SourceLanguage(source string) string {
	if t := strings.TrimSpace(source); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return LangJSON
	}
	return LangYAML
}
