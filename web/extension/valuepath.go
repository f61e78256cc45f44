package extension

// lookupString returns the string at a plain (dot-free keys) path, or false.
func lookupString(v any, keys ...string) (string, bool) {
	for _, k := range keys {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v, ok = obj[k]
		if !ok {
			return "", false
		}
	}
	s, ok := v.(string)
	return s, ok
}
