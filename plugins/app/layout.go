package app

import (
	"cmp"
	"slices"
	"strings"
)

// gridColumns is the width of the home page grid, as Backstage's custom home page grid has it
// on wide screens.
const gridColumns = 12

// layoutItem is one entry of page:home's config.defaultConfig (Backstage's names: column, row,
// width, height, in grid cells; newer Backstage writes x and y in config.layoutConfig).
// movable, deletable and resizable are accepted and unused: a server-rendered page has
// nothing to drag, remove or resize.
type layoutItem struct {
	Component     string
	Column, Row   int
	Width, Height int
}

// cell is a placed widget: its grid position after compaction.
type cell struct {
	Index               int // position in the list the cell came from
	Column, Row         int
	Width, Height       int
	Component, WidgetID string
}

// layoutFromConfig reads config.defaultConfig, else config.layoutConfig, of page:home; nil
// when neither is set.
func layoutFromConfig(cfg map[string]any) []layoutItem {
	list, _ := cfg["defaultConfig"].([]any)
	xy := false
	if list == nil {
		list, _ = cfg["layoutConfig"].([]any)
		xy = true
	}
	var out []layoutItem
	for _, it := range list {
		m, _ := it.(map[string]any)
		if m == nil {
			continue
		}
		var li layoutItem
		li.Component, _ = m["component"].(string)
		colKey, rowKey := "column", "row"
		if xy {
			colKey, rowKey = "x", "y"
		}
		li.Column = intOf(m[colKey])
		li.Row = intOf(m[rowKey])
		li.Width = intOf(m["width"])
		li.Height = intOf(m["height"])
		out = append(out, li)
	}
	return out
}

// intOf reads a JSON number as an int (0 when absent).
func intOf(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}

// compact places items on the 12-column grid as Backstage's grid does: widths clamped to the
// grid, then, in order of row and column, each item floats up to the highest row where it
// overlaps nothing placed before it (vertical compaction), so a widget the layout names but
// Portico skips leaves no hole. The result is sorted by row, then column: the order in which
// the widgets stack on a phone.
func compact(items []cell) []cell {
	items = slices.Clone(items)
	for i := range items {
		c := &items[i]
		c.Column = min(max(c.Column, 0), gridColumns-1)
		c.Width = min(max(c.Width, 1), gridColumns-c.Column)
		c.Height = max(c.Height, 1)
		c.Row = max(c.Row, 0)
	}
	slices.SortStableFunc(items, func(a, b cell) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Column, b.Column))
	})
	var placed []cell
	collider := func(c cell) *cell {
		for i := range placed {
			p := &placed[i]
			if c.Column < p.Column+p.Width && p.Column < c.Column+c.Width && c.Row < p.Row+p.Height && p.Row < c.Row+c.Height {
				return p
			}
		}
		return nil
	}
	for _, c := range items {
		for c.Row > 0 {
			up := c
			up.Row--
			if collider(up) != nil {
				break
			}
			c = up
		}
		for p := collider(c); p != nil; p = collider(c) {
			c.Row = p.Row + p.Height
		}
		placed = append(placed, c)
	}
	slices.SortStableFunc(placed, func(a, b cell) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(a.Column, b.Column))
	})
	return placed
}

// defaultCells lays widgets out when page:home has no defaultConfig: the search bar (any
// widget that asks for the full width) across the top, the others three to a row, each row as
// tall as its content.
func defaultCells(widgets []*widgetNode) []cell {
	var out []cell
	row, col := 0, 0
	for i, w := range widgets {
		if w.widget.fullWidth {
			if col > 0 {
				row, col = row+1, 0
			}
			out = append(out, cell{Index: i, Column: 0, Row: row, Width: gridColumns, Height: 1, Component: w.widget.components[0], WidgetID: w.node.ID()})
			row++
			continue
		}
		out = append(out, cell{Index: i, Column: col, Row: row, Width: 4, Height: 1, Component: w.widget.components[0], WidgetID: w.node.ID()})
		if col += 4; col >= gridColumns {
			row, col = row+1, 0
		}
	}
	return out
}

// plan is the home page's layout: the cells to render and what the layout named that Portico
// could not place.
type plan struct {
	cells   []cell
	skipped []string // "GettingStarted (no such widget in Portico)"…
}

// planLayout matches the layout's components with the enabled widgets. A component matches a
// widget by one of its Backstage component names (HomePageToolkit), its extension ID
// (home-page-widget:home/toolkit) or that ID without the kind (home/toolkit).
func planLayout(items []layoutItem, widgets []*widgetNode, declared map[string]bool) plan {
	if items == nil {
		return plan{cells: compact(defaultCells(widgets))}
	}
	var p plan
	var cells []cell
	for i, it := range items {
		w := findWidget(widgets, it.Component)
		if w == nil {
			reason := "no such widget in Portico"
			if declared[it.Component] {
				reason = "its widget is disabled in app.extensions"
			}
			p.skipped = append(p.skipped, it.Component+" ("+reason+")")
			continue
		}
		width, height := it.Width, it.Height
		if width <= 0 {
			width = 4
		}
		if height <= 0 {
			height = 4
		}
		cells = append(cells, cell{Index: i, Column: it.Column, Row: it.Row, Width: width, Height: height, Component: it.Component, WidgetID: w.node.ID()})
	}
	p.cells = compact(cells)
	return p
}

func findWidget(widgets []*widgetNode, name string) *widgetNode {
	for _, w := range widgets {
		id := w.node.ID()
		_, short, _ := strings.Cut(id, ":")
		if name == id || name == short || slices.Contains(w.widget.components, name) {
			return w
		}
	}
	return nil
}
