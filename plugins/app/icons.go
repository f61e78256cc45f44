package app

import (
	"html/template"
	"strings"
)

// iconShapes are Portico's icons: 24×24 line drawings in currentColor, named as Backstage's
// icons API names them (the app's built-in names and the catalog's "kind:" icons), so config
// written for Backstage (the toolkit's tools, app.support items) picks a fitting one.
var iconShapes = map[string]string{
	"docs":           `<path d="M6 3h9l4 4v14H6z"/><path d="M15 3v4h4M9 11h7M9 15h7M9 19h4"/>`,
	"github":         `<circle cx="7" cy="5" r="2"/><circle cx="7" cy="19" r="2"/><circle cx="17" cy="7" r="2"/><path d="M7 7v10M17 9c0 5-10 3-10 8"/>`,
	"kind:component": `<path d="M12 2l9 5v10l-9 5-9-5V7z"/><path d="M3 7l9 5 9-5M12 12v10"/>`,
	"kind:api":       `<path d="M8 4c-3 0-3 2-3 4s-2 4-2 4 2 2 2 4 0 4 3 4M16 4c3 0 3 2 3 4s2 4 2 4-2 2-2 4 0 4-3 4"/>`,
	"kind:system":    `<path d="M12 3l9 4-9 4-9-4z"/><path d="M3 12l9 4 9-4M3 17l9 4 9-4"/>`,
	"kind:domain":    `<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18"/>`,
	"kind:group":     `<circle cx="9" cy="8" r="3"/><circle cx="17" cy="9" r="2.5"/><path d="M3 20c0-4 3-6 6-6s6 2 6 6M15 14c3 0 6 1.5 6 5"/>`,
	"kind:user":      `<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-7 8-7s8 3 8 7"/>`,
	"kind:resource":  `<ellipse cx="12" cy="5" rx="8" ry="3"/><path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/>`,
	"kind:template":  `<rect x="3" y="3" width="18" height="18" rx="3"/><path d="M12 8v8M8 12h8"/>`,
	"kind:location":  `<path d="M12 22s7-7 7-12a7 7 0 0 0-14 0c0 5 7 12 7 12z"/><circle cx="12" cy="10" r="2.5"/>`,
	"catalog":        `<rect x="3" y="3" width="7" height="7"/><rect x="14" y="3" width="7" height="7"/><rect x="3" y="14" width="7" height="7"/><rect x="14" y="14" width="7" height="7"/>`,
	"search":         `<circle cx="10" cy="10" r="6"/><path d="M15 15l6 6"/>`,
	"home":           `<path d="M3 11l9-8 9 8"/><path d="M5 9v12h14V9M10 21v-6h4v6"/>`,
	"help":           `<circle cx="12" cy="12" r="9"/><path d="M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v1"/><circle cx="12" cy="17.5" r=".6"/>`,
	"chat":           `<path d="M4 5h16v11H9l-5 4z"/>`,
	"email":          `<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 7l9 6 9-6"/>`,
	"dashboard":      `<rect x="3" y="3" width="8" height="10"/><rect x="13" y="3" width="8" height="6"/><rect x="3" y="15" width="8" height="6"/><rect x="13" y="11" width="8" height="10"/>`,
	"warning":        `<path d="M12 3l10 18H2z"/><path d="M12 10v5"/><circle cx="12" cy="18" r=".6"/>`,
	"star":           `<path d="M12 3l2.8 5.8 6.2.9-4.5 4.4 1.1 6.2L12 17.3l-5.6 3 1.1-6.2L3 9.7l6.2-.9z"/>`,
	"settings":       `<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1"/>`,
	"link":           `<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1"/><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>`,
}

// iconAliases map other names Backstage apps use onto the drawings above.
var iconAliases = map[string]string{
	"techdocs": "docs", "scaffolder": "kind:template", "create": "kind:template",
	"group": "kind:group", "user": "kind:user", "kind:apis": "kind:api",
	"kind:resources": "kind:resource", "brokenImage": "warning", "support": "help",
	"slack": "chat", "mail": "email",
}

// iconHTML renders the named icon as inline SVG; a name Portico has no drawing for gets the
// link icon, so a tool or support item never loses its picture.
func iconHTML(name string) template.HTML {
	key := strings.TrimSpace(name)
	shape, ok := iconShapes[key]
	if !ok {
		shape, ok = iconShapes[iconAliases[key]]
	}
	if !ok {
		shape, ok = iconShapes[strings.ToLower(key)]
	}
	if !ok {
		shape = iconShapes["link"]
	}
	// #nosec: fixed markup from the table above; the name is never written into it.
	return template.HTML(`<svg class="icon-svg" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">` + shape + `</svg>`)
}
