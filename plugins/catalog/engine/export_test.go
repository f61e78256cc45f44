package engine

import "github.com/portico-dev/portico/plugins/catalog/store"

// SearchIndexDefinitions returns the search indexes a rebuilding fold creates, by name.
func SearchIndexDefinitions() map[string]string {
	out := map[string]string{}
	for _, ix := range store.SearchIndexes() {
		out[ix.Name] = ix.Def
	}
	return out
}
