package apidef

//go:generate go run ./internal/gencss ../ui/static/highlight.css
