package engine

// SearchIndexDefinitions returns the search indexes a rebuilding fold creates, by name.
func SearchIndexDefinitions() map[string]string {
	out := map[string]string{}
	for _, ix := range searchIndexes() {
		out[ix.name] = ix.def
	}
	return out
}
