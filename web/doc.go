// Package web is Portico's UI shell: the page layout (header with global search, sidebar
// navigation, main area), the light and dark themes, the embedded static assets, and the
// registry through which plugins contribute pages and nav items as declarative extensions
// (web/extension), resolved against app.extensions at start-up. Pages are server-rendered
// html/template views that work without JavaScript; small scripts only enhance them.
package web
