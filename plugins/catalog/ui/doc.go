// Package ui is the catalog's part of the web UI: the catalog index page (page:catalog at
// /catalog, a filtered, sorted, cursor-paginated table of entities with counts per filter
// value) and the entity page (page:catalog/entity at /catalog/{namespace}/{kind}/{name}, a
// header, processing errors, tabs, and the Overview tab whose entity cards are extensions
// resolved through app.extensions with their entity filters).
//
// Pages are server-rendered from typed view models with the shell's templates
// (web/templates/catalog*.html and entity*.html) and work without JavaScript. The package
// reads the catalog through the small Reader interface, which *reader.Reader satisfies; it
// never touches SQL.
package ui
