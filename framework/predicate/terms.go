package predicate

// Terms returns the operands of an $all or $any node as one flat list: operands of the same
// operator nested inside are inlined (a∨(b∨c) is a∨b∨c), and under $any the value matches of
// one key are merged into a single match of every value, in first-seen order without
// duplicates (kind=a ∨ kind=b is kind∈{a,b}). The result matches the same entities as e.
//
// Permission policies produce such alternatives by the thousand (one rule per kind or per
// owner); merged, they compile into one IN list instead of thousands of subqueries.
func (e Expr) Terms() []Expr {
	if e.Op != OpAll && e.Op != OpAny {
		return nil
	}
	var flat []Expr
	var inline func(args []Expr)
	inline = func(args []Expr) {
		for _, a := range args {
			if a.Op == e.Op {
				inline(a.Args)
				continue
			}
			flat = append(flat, a)
		}
	}
	inline(e.Args)
	if e.Op != OpAny {
		return flat
	}
	out := make([]Expr, 0, len(flat))
	merged := map[string]int{} // key → index in out of its merged value match
	seen := map[string]map[string]bool{}
	for _, a := range flat {
		m := a.Match
		if a.Op != OpMatch || m == nil || m.HasPrefix || len(m.Values) == 0 {
			out = append(out, a)
			continue
		}
		i, ok := merged[m.Key]
		if !ok {
			i = len(out)
			merged[m.Key] = i
			seen[m.Key] = map[string]bool{}
			out = append(out, Expr{Op: OpMatch, Match: &Match{Key: m.Key}})
		}
		for _, v := range m.Values {
			if !seen[m.Key][v] {
				seen[m.Key][v] = true
				out[i].Match.Values = append(out[i].Match.Values, v)
			}
		}
	}
	return out
}

// CompiledSize counts e's nodes and values as a SQL compiler that merges each $all and $any
// with [Expr.Terms] writes them: what bounds the cost of a policy's conditions, where Size
// counts them as written (what bounds a request).
func (e Expr) CompiledSize() (nodes, values int) {
	nodes = 1
	if e.Match != nil {
		values = len(e.Match.Values)
	}
	args := e.Args
	if e.Op == OpAll || e.Op == OpAny {
		args = e.Terms()
	}
	for _, a := range args {
		n, v := a.CompiledSize()
		nodes += n
		values += v
	}
	return nodes, values
}
