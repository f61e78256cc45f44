package nunjucks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// Limits that keep a hostile template from exhausting the server.
const (
	maxOutput     = 16 << 20 // bytes of output per render
	maxIterations = 100_000  // loop iterations (and list items) per render
)

// RenderError reports a failure while evaluating a template.
type RenderError struct{ Msg string }

func (e *RenderError) Error() string { return e.Msg }

func renderErr(format string, args ...any) error {
	return &RenderError{Msg: fmt.Sprintf(format, args...)}
}

// method is a function bound to a value (a string's split, a dict's items…).
type method func(args []any) (any, error)

type state struct {
	e          *Engine
	ctx        map[string]any
	frames     []map[string]any
	iterations int
	depth      int // macro call depth

	rctx    context.Context // the render's context
	done    <-chan struct{}
	ops     int64 // operations spent (see tick)
	nesting int   // evaluator recursion depth (see enter)
	output  int   // bytes of the strings of a RenderValue rendered so far
	stopped error // set once the render is stopped; sticky
}

func (e *Engine) newState(ctx map[string]any) *state {
	n := make(map[string]any, len(ctx))
	for k, v := range ctx {
		n[k] = normalize(v)
	}
	return &state{e: e, ctx: n, frames: []map[string]any{{}}, rctx: context.Background()}
}

func (s *state) lookup(name string) any {
	for i := len(s.frames) - 1; i >= 0; i-- {
		if v, ok := s.frames[i][name]; ok {
			return v
		}
	}
	if v, ok := s.ctx[name]; ok {
		return v
	}
	if v, ok := s.e.globals[name]; ok {
		return v
	}
	return undefined
}

// set defines a loop variable in the innermost frame.
func (s *state) set(name string, v any) { s.frames[len(s.frames)-1][name] = v }

// assign is `{% set %}`: like Nunjucks, it updates the variable in the nearest frame that
// already has it (so a set inside a loop changes an outer variable), else defines it in the
// innermost frame.
func (s *state) assign(name string, v any) {
	for i := len(s.frames) - 1; i >= 0; i-- {
		if _, ok := s.frames[i][name]; ok {
			s.frames[i][name] = v
			return
		}
	}
	s.set(name, v)
}

func (s *state) render(nodes []node, out *strings.Builder) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	for _, n := range nodes {
		if err := s.tick(1); err != nil {
			return err
		}
		if s.output+out.Len() > s.e.limits.OutputBytes {
			s.stopped = limitErr("template output exceeds %d bytes", s.e.limits.OutputBytes)
			return s.stopped
		}
		switch n := n.(type) {
		case textNode:
			out.WriteString(n.s)
		case outputNode:
			v, err := s.eval(n.x)
			if err != nil {
				return err
			}
			if _, isFn := v.(method); isFn {
				return renderErr("cannot output a function; call it with ()")
			}
			out.WriteString(outputString(v))
		case ifNode:
			done := false
			for i, c := range n.conds {
				v, err := s.eval(c)
				if err != nil {
					return err
				}
				if truthy(v) {
					if err := s.render(n.bodies[i], out); err != nil {
						return err
					}
					done = true
					break
				}
			}
			if !done && n.els != nil {
				if err := s.render(n.els, out); err != nil {
					return err
				}
			}
		case forNode:
			if err := s.renderFor(n, out); err != nil {
				return err
			}
		case setNode:
			var v any
			if n.x != nil {
				var err error
				if v, err = s.eval(n.x); err != nil {
					return err
				}
			} else {
				var b strings.Builder
				if err := s.render(n.body, &b); err != nil {
					return err
				}
				v = b.String()
			}
			for _, name := range n.names {
				s.assign(name, v)
			}
		case macroNode:
			s.assign(n.name, s.macro(n))
		case callNode:
			call := n.call
			call.kwargs = append(append([]kwarg{}, call.kwargs...), kwarg{name: "caller", x: valueExpr{s.callerOf(n.caller)}})
			v, err := s.evalCall(call)
			if err != nil {
				return err
			}
			out.WriteString(outputString(v))
		case filterNode:
			var b strings.Builder
			if err := s.render(n.body, &b); err != nil {
				return err
			}
			v, err := s.applyFilter(n.f, b.String())
			if err != nil {
				return err
			}
			out.WriteString(outputString(v))
		}
	}
	return nil
}

func (s *state) renderFor(n forNode, out *strings.Builder) error {
	it, err := s.eval(n.iter)
	if err != nil {
		return err
	}
	type item struct{ k, v any }
	var items []item
	switch x := it.(type) {
	case []any:
		for _, v := range x {
			items = append(items, item{v: v})
		}
	case *object:
		// Nunjucks walks an object only with two loop variables (`for k, v in obj`), with
		// JavaScript's for…in: in the object's key order.
		if len(n.vars) >= 2 {
			for _, k := range x.Keys() {
				v, _ := x.Get(k)
				items = append(items, item{k: k, v: v})
			}
		}
	case string:
		for _, r := range x {
			items = append(items, item{v: string(r)})
		}
	}
	if len(items) == 0 {
		if n.els != nil {
			return s.render(n.els, out)
		}
		return nil
	}
	s.frames = append(s.frames, map[string]any{})
	defer func() { s.frames = s.frames[:len(s.frames)-1] }()
	_, isMap := it.(*object)
	for i, item := range items {
		s.iterations++
		if s.iterations > maxIterations {
			s.stopped = limitErr("template loops exceed %d iterations", maxIterations)
			return s.stopped
		}
		if err := s.tick(1); err != nil {
			return err
		}
		switch {
		case isMap:
			s.set(n.vars[0], item.k)
			s.set(n.vars[1], item.v)
		case len(n.vars) >= 2:
			// Unpack each element: `for a, b in [[1, 2], [3, 4]]`.
			arr, _ := item.v.([]any)
			for j, name := range n.vars {
				if j < len(arr) {
					s.set(name, arr[j])
				} else {
					s.set(name, undefined)
				}
			}
		default:
			s.set(n.vars[0], item.v)
		}
		l := float64(len(items))
		s.set("loop", newObject(
			"index", float64(i+1), "index0", float64(i),
			"revindex", l-float64(i), "revindex0", l-float64(i)-1,
			"first", i == 0, "last", i == len(items)-1, "length", l,
		))
		if err := s.render(n.body, out); err != nil {
			return err
		}
	}
	return nil
}

func (s *state) eval(x expr) (any, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := s.tick(1); err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case literal:
		return x.v, nil
	case nameExpr:
		return s.lookup(x.name), nil
	case valueExpr:
		return x.v, nil
	case attrExpr:
		obj, err := s.eval(x.obj)
		if err != nil {
			return nil, err
		}
		return member(obj, x.name), nil
	case indexExpr:
		obj, err := s.eval(x.obj)
		if err != nil {
			return nil, err
		}
		k, err := s.eval(x.key)
		if err != nil {
			return nil, err
		}
		return index(obj, k), nil
	case sliceExpr:
		return s.evalSlice(x)
	case callExpr:
		return s.evalCall(x)
	case filterExpr:
		v, err := s.eval(x.x)
		if err != nil {
			return nil, err
		}
		return s.applyFilter(&x, v)
	case unaryExpr:
		v, err := s.eval(x.x)
		if err != nil {
			return nil, err
		}
		switch x.op {
		case "not":
			return !truthy(v), nil
		case "-":
			return -toNumber(v), nil
		default:
			return toNumber(v), nil
		}
	case binaryExpr:
		return s.evalBinary(x)
	case condExpr:
		c, err := s.eval(x.cond)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return s.eval(x.then)
		}
		if x.els == nil {
			return "", nil // Nunjucks compiles a missing else to ""
		}
		return s.eval(x.els)
	case testExpr:
		v, err := s.eval(x.x)
		if err != nil {
			return nil, err
		}
		args, err := s.evalList(x.args)
		if err != nil {
			return nil, err
		}
		r, err := runTest(x.name, v, args)
		if err != nil {
			return nil, err
		}
		return r != x.negate, nil
	case parenExpr:
		return s.eval(x.x)
	case listExpr:
		return s.evalList(x.items)
	case dictExpr:
		m := jsvalue.NewObject(len(x.keys))
		for i := range x.keys {
			k, err := s.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := s.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.Set(jsString(k), v)
		}
		return m, nil
	}
	return nil, renderErr("unknown expression %T", x)
}

func (s *state) evalList(xs []expr) ([]any, error) {
	out := make([]any, len(xs))
	for i, x := range xs {
		v, err := s.eval(x)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (s *state) evalArgs(args []expr, kwargs []kwarg) ([]any, error) {
	out, err := s.evalList(args)
	if err != nil {
		return nil, err
	}
	if len(kwargs) > 0 {
		kw := make(Kwargs, len(kwargs))
		for _, k := range kwargs {
			v, err := s.eval(k.x)
			if err != nil {
				return nil, err
			}
			kw[k.name] = v
		}
		out = append(out, kw)
	}
	return out, nil
}

func (s *state) applyFilter(f *filterExpr, v any) (any, error) {
	fn, ok := s.e.filters[f.name]
	if !ok || fn == nil {
		return nil, renderErr("filter not found: %s", f.name)
	}
	args, err := s.evalArgs(f.args, f.kwargs)
	if err != nil {
		return nil, err
	}
	r, err := fn(v, args...)
	if err != nil {
		if IsStopped(err) {
			return nil, err
		}
		var re *RenderError
		if errors.As(err, &re) {
			return nil, err
		}
		return nil, renderErr("filter %s: %v", f.name, err)
	}
	return s.checkSize(normalize(r))
}

func (s *state) evalCall(x callExpr) (any, error) {
	fn, err := s.eval(x.fn)
	if err != nil {
		return nil, err
	}
	args, err := s.evalArgs(x.args, x.kwargs)
	if err != nil {
		return nil, err
	}
	var r any
	switch f := fn.(type) {
	case method:
		r, err = f(args)
	case Func:
		r, err = f(args...)
	case Filter:
		if len(args) == 0 {
			r, err = f(undefined)
		} else {
			r, err = f(args[0], args[1:]...)
		}
	default:
		return nil, renderErr("unable to call `%s`, which is undefined or falsey", exprName(x.fn))
	}
	if err != nil {
		var re *RenderError
		if errors.As(err, &re) || IsStopped(err) {
			return nil, err
		}
		return nil, renderErr("%s: %v", exprName(x.fn), err)
	}
	return s.checkSize(normalize(r))
}

func exprName(x expr) string {
	switch x := x.(type) {
	case parenExpr:
		return exprName(x.x)
	case nameExpr:
		return x.name
	case attrExpr:
		return exprName(x.obj) + "." + x.name
	}
	return "expression"
}

func (s *state) evalBinary(x binaryExpr) (any, error) {
	l, err := s.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "and":
		if !truthy(l) {
			return l, nil
		}
		return s.eval(x.r)
	case "or":
		if truthy(l) {
			return l, nil
		}
		return s.eval(x.r)
	}
	r, err := s.eval(x.r)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "==":
		return looseEqual(l, r), nil
	case "!=":
		return !looseEqual(l, r), nil
	case "===":
		return strictEqual(l, r), nil
	case "!==":
		return !strictEqual(l, r), nil
	case "<", ">", "<=", ">=":
		return compare(x.op, l, r), nil
	case "~":
		return s.checkSize(jsString(l) + jsString(r))
	case "+":
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs || isObjectLike(l) || isObjectLike(r) {
			return s.checkSize(jsString(l) + jsString(r))
		}
		return toNumber(l) + toNumber(r), nil
	case "-":
		return toNumber(l) - toNumber(r), nil
	case "*":
		return toNumber(l) * toNumber(r), nil
	case "/":
		return toNumber(l) / toNumber(r), nil
	case "//":
		return math.Floor(toNumber(l) / toNumber(r)), nil
	case "%":
		return math.Mod(toNumber(l), toNumber(r)), nil
	case "**":
		return math.Pow(toNumber(l), toNumber(r)), nil
	case "in", "notin":
		in, err := contains(r, l)
		if err != nil {
			return nil, err
		}
		return in == (x.op == "in"), nil
	}
	return nil, renderErr("unknown operator %q", x.op)
}

func isObjectLike(v any) bool {
	switch v.(type) {
	case []any, *object:
		return true
	}
	return false
}

// contains is Nunjucks' `in`: array membership, object key or substring.
func contains(container, v any) (bool, error) {
	switch c := container.(type) {
	case []any:
		for _, e := range c {
			if strictEqual(e, v) {
				return true, nil
			}
		}
		return false, nil
	case *object:
		_, ok := c.Get(jsString(v))
		return ok, nil
	case string:
		return strings.Contains(c, jsString(v)), nil
	}
	return false, renderErr("cannot use \"in\" operator to search for %q in unexpected types", jsString(v))
}

func (s *state) evalSlice(x sliceExpr) (any, error) {
	obj, err := s.eval(x.obj)
	if err != nil {
		return nil, err
	}
	var bounds [3]any
	for i, e := range []expr{x.start, x.stop, x.step} {
		bounds[i] = undefined
		if e != nil {
			if bounds[i], err = s.eval(e); err != nil {
				return nil, err
			}
		}
	}
	var elems []any
	str, isStr := obj.(string)
	switch o := obj.(type) {
	case []any:
		elems = o
	case string:
		for _, r := range o {
			elems = append(elems, string(r))
		}
	default:
		return undefined, nil
	}
	n := len(elems)
	step := 1
	if bounds[2] != any(undefined) && bounds[2] != nil {
		step = int(toNumber(bounds[2]))
		if step == 0 {
			return nil, renderErr("slice step cannot be zero")
		}
	}
	norm := func(v any, def int) int {
		if v == any(undefined) || v == nil {
			return def
		}
		i := int(toNumber(v))
		if i < 0 {
			i += n
		}
		return i
	}
	var out []any
	if step > 0 {
		start, stop := max(norm(bounds[0], 0), 0), min(norm(bounds[1], n), n)
		for i := start; i < stop; i += step {
			out = append(out, elems[i])
		}
	} else {
		start, stop := min(norm(bounds[0], n-1), n-1), max(norm(bounds[1], -1), -1)
		if bounds[1] != any(undefined) && bounds[1] != nil && toNumber(bounds[1]) < 0 && norm(bounds[1], -1) < 0 {
			stop = -1
		}
		for i := start; i > stop; i += step {
			out = append(out, elems[i])
		}
	}
	if isStr {
		var b strings.Builder
		for _, e := range out {
			b.WriteString(e.(string))
		}
		_ = str
		return b.String(), nil
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// index is obj[key].
func index(obj, key any) any {
	switch o := obj.(type) {
	case []any:
		if f, ok := key.(float64); ok {
			i := int(f)
			if float64(i) == f && i >= 0 && i < len(o) {
				return o[i]
			}
			return undefined
		}
	case string:
		if f, ok := key.(float64); ok {
			r := []rune(o)
			i := int(f)
			if float64(i) == f && i >= 0 && i < len(r) {
				return string(r[i])
			}
			return undefined
		}
	}
	return member(obj, jsString(key))
}

// member is obj.name: an object's property, or a method of strings, arrays and objects.
func member(obj any, name string) any {
	switch o := obj.(type) {
	case *object:
		if v, ok := o.Get(name); ok {
			return v
		}
		if m := dictMethod(o, name); m != nil {
			return m
		}
	case []any:
		if name == "length" {
			return float64(len(o))
		}
		if m := arrayMethod(o, name); m != nil {
			return m
		}
		var i int
		if _, err := fmt.Sscanf(name, "%d", &i); err == nil && fmt.Sprint(i) == name && i >= 0 && i < len(o) {
			return o[i]
		}
	case string:
		if name == "length" {
			return float64(len([]rune(o)))
		}
		if m := stringMethod(o, name); m != nil {
			return m
		}
	case float64:
		if m := numberMethod(o, name); m != nil {
			return m
		}
	case *regexValue:
		switch name {
		case "source":
			return o.source
		case "flags":
			return o.flags
		case "test":
			return method(func(args []any) (any, error) {
				return o.re.MatchString(jsString(arg(args, 0))), nil
			})
		}
	}
	return undefined
}

func arg(args []any, i int) any {
	if i >= 0 && i < len(args) {
		return args[i]
	}
	return undefined
}

func isSet(v any) bool { return v != any(undefined) && v != nil }

// checkSize refuses strings and arrays beyond the render limits, so doubling a value in a
// loop cannot exhaust memory, and charges the work of building them to the budget.
func (s *state) checkSize(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if len(x) > s.e.limits.OutputBytes {
			s.stopped = limitErr("template value exceeds %d bytes", s.e.limits.OutputBytes)
			return nil, s.stopped
		}
		if err := s.tick(int64(len(x) / 64)); err != nil {
			return nil, err
		}
	case []any:
		if len(x) > maxIterations {
			s.stopped = limitErr("template list exceeds %d items", maxIterations)
			return nil, s.stopped
		}
		if err := s.tick(int64(len(x))); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// maxDepth bounds macro recursion.
const maxDepth = 64

// macro turns a macro definition into a callable. A call renders the body in a fresh scope
// holding the arguments; the caller's loop and set variables are not visible, the render
// context and globals are.
func (s *state) macro(n macroNode) method {
	return s.callable(n, nil)
}

// callable renders n's body as a function. Its scope is the globals and render context, or,
// when site is set, the frames of a call block's site.
func (s *state) callable(n macroNode, site []map[string]any) method {
	return func(args []any) (any, error) {
		if s.depth >= maxDepth {
			return nil, renderErr("macro %s: calls nested deeper than %d", n.name, maxDepth)
		}
		var kw Kwargs
		if k, ok := arg(args, len(args)-1).(Kwargs); ok {
			kw, args = k, args[:len(args)-1]
		}
		frame := map[string]any{}
		saved := s.frames
		if site != nil {
			s.frames = append(slices.Clone(site), frame)
		} else {
			s.frames = []map[string]any{saved[0], frame}
		}
		s.depth++
		defer func() { s.frames = saved; s.depth-- }()
		for i, name := range n.params {
			switch v, ok := kw[name]; {
			case ok:
				frame[name] = v
			case i < len(args):
				frame[name] = args[i]
			case n.defaults[name] != nil:
				d, err := s.eval(n.defaults[name])
				if err != nil {
					return nil, err
				}
				frame[name] = d
			default:
				frame[name] = undefined
			}
		}
		if c, ok := kw["caller"]; ok && !slices.Contains(n.params, "caller") {
			frame["caller"] = c // the body of a {% call %} block
		}
		var b strings.Builder
		if err := s.render(n.body, &b); err != nil {
			return nil, err
		}
		return b.String(), nil
	}
}

// callerOf is the caller() of a call block: like a macro, but its body sees the scope of
// the call site (its loop and set variables), as in Jinja.
func (s *state) callerOf(n macroNode) method {
	return s.callable(n, slices.Clone(s.frames))
}
