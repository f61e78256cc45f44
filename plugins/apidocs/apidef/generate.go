package apidef

//go:generate go run ./internal/gencss ../../../web/static/highlight.css
