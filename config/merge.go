package config

// merge layers higher over lower: objects merge key by key, anything else (arrays included)
// replaces. A null in higher is kept so it also hides the key from sources merged below it;
// stripNulls removes such keys once every source is in.
func merge(lower, higher *node) *node {
	if lower == nil {
		return higher
	}
	if higher == nil {
		return lower
	}
	if lower.kind != kindObject || higher.kind != kindObject {
		return higher
	}
	out := newObject(higher.file, higher.line)
	for k, v := range lower.obj {
		out.obj[k] = v
	}
	for k, v := range higher.obj {
		out.obj[k] = merge(out.obj[k], v)
	}
	return out
}

// stripNulls drops object keys whose value is null, at every depth. Nulls inside arrays are
// values and stay.
func stripNulls(n *node) *node {
	switch n.kind {
	case kindObject:
		out := newObject(n.file, n.line)
		for k, v := range n.obj {
			if v.kind != kindNull {
				out.obj[k] = stripNulls(v)
			}
		}
		return out
	case kindArray:
		out := &node{kind: kindArray, arr: make([]*node, len(n.arr)), file: n.file, line: n.line}
		for i, e := range n.arr {
			out.arr[i] = stripNulls(e)
		}
		return out
	default:
		return n
	}
}
