package nunjucks

// template is a parsed template.
type template struct {
	nodes []node
}

type node interface{ isNode() }

type (
	textNode   struct{ s string }
	outputNode struct{ x expr }
	ifNode     struct {
		conds  []expr
		bodies [][]node
		els    []node
	}
	forNode struct {
		vars []string
		iter expr
		body []node
		els  []node
	}
	setNode struct {
		names []string
		x     expr   // nil for a block set
		body  []node // block set: {% set x %}…{% endset %}
	}
	filterNode struct {
		f    *filterExpr // x is nil: the body is the input
		body []node
	}
)

// macroNode is `{% macro name(a, b=default) %}…{% endmacro %}`: it defines a function that
// renders its body. Macros only render text; they cannot reach files.
type macroNode struct {
	name     string
	params   []string
	defaults map[string]expr
	body     []node
}

func (macroNode) isNode() {}

// callNode is `{% call(params) name(args) %}…{% endcall %}`: it calls the macro with a
// `caller` keyword argument, a function rendering the body (in the call site's scope) with
// the given parameters.
type callNode struct {
	caller macroNode
	call   callExpr
}

func (callNode) isNode() {}

// valueExpr is an already evaluated value (the caller of a call block).
type valueExpr struct{ v any }

func (valueExpr) isExpr() {}

func (textNode) isNode()   {}
func (outputNode) isNode() {}
func (ifNode) isNode()     {}
func (forNode) isNode()    {}
func (setNode) isNode()    {}
func (filterNode) isNode() {}

type expr interface{ isExpr() }

type (
	literal  struct{ v any }
	nameExpr struct {
		name string
		pos  int
	}
	attrExpr struct {
		obj  expr
		name string
	}
	indexExpr struct{ obj, key expr }
	sliceExpr struct{ obj, start, stop, step expr }
	callExpr  struct {
		fn     expr
		args   []expr
		kwargs []kwarg
		pos    int
	}
	filterExpr struct {
		x      expr
		name   string
		args   []expr
		kwargs []kwarg
		pos    int
	}
	unaryExpr struct {
		op string
		x  expr
	}
	binaryExpr struct {
		op   string
		l, r expr
	}
	condExpr struct{ cond, then, els expr } // els may be nil
	testExpr struct {
		x      expr
		name   string
		args   []expr
		negate bool
		pos    int
	}
	listExpr  struct{ items []expr }
	parenExpr struct{ x expr } // kept so that `not (a == b)` negates the whole comparison
	dictExpr  struct {
		keys []expr
		vals []expr
	}
)

type kwarg struct {
	name string
	x    expr
}

func (literal) isExpr()    {}
func (nameExpr) isExpr()   {}
func (attrExpr) isExpr()   {}
func (indexExpr) isExpr()  {}
func (sliceExpr) isExpr()  {}
func (callExpr) isExpr()   {}
func (filterExpr) isExpr() {}
func (unaryExpr) isExpr()  {}
func (binaryExpr) isExpr() {}
func (condExpr) isExpr()   {}
func (testExpr) isExpr()   {}
func (listExpr) isExpr()   {}
func (dictExpr) isExpr()   {}

func parseTemplate(src string, syn syntax) (*template, error) {
	segs, err := lex(src, syn)
	if err != nil {
		return nil, err
	}
	for _, sg := range segs {
		if len(sg.toks) > maxTagTokens {
			return nil, syntaxErr(sg.pos, "tag has more than %d tokens", maxTagTokens)
		}
	}
	p := &parser{segs: segs}
	nodes, end, err := p.parseBody()
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, syntaxErr(end.pos, "unexpected tag %q", end.toks[0].val)
	}
	return &template{nodes: nodes}, nil
}

type parser struct {
	segs  []segment
	i     int
	depth int // nested bodies
}

// maxTagTokens bounds one tag, which bounds the length of operator chains (parsed in loops,
// but walked recursively later).
const maxTagTokens = 50_000

// parseBody parses nodes until a block tag it does not know as a statement start (endif,
// else, …), which it returns unconsumed-as-node for the caller to check, or until the end.
func (p *parser) parseBody() ([]node, *segment, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseNesting {
		pos := 0
		if p.i > 0 {
			pos = p.segs[p.i-1].pos
		}
		return nil, nil, syntaxErr(pos, "tags nested deeper than %d levels", maxParseNesting)
	}
	var nodes []node
	for p.i < len(p.segs) {
		s := &p.segs[p.i]
		p.i++
		switch s.kind {
		case segText:
			nodes = append(nodes, textNode{s.text})
		case segVar:
			ep := &exprParser{toks: s.toks, pos: s.pos}
			x, err := ep.parseExpression()
			if err != nil {
				return nil, nil, err
			}
			if err := ep.expectEnd(); err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, outputNode{x})
		case segBlock:
			if len(s.toks) == 0 || s.toks[0].kind != tokName {
				return nil, nil, syntaxErr(s.pos, "expected a tag name")
			}
			n, err := p.parseStatement(s)
			if err != nil {
				return nil, nil, err
			}
			if n == nil {
				return nodes, s, nil
			}
			nodes = append(nodes, n)
		}
	}
	return nodes, nil, nil
}

func (p *parser) parseStatement(s *segment) (node, error) {
	ep := &exprParser{toks: s.toks[1:], pos: s.pos}
	switch tag := s.toks[0].val; tag {
	case "if":
		return p.parseIf(ep)
	case "for":
		return p.parseFor(ep, s)
	case "set":
		return p.parseSet(ep, s)
	case "filter":
		return p.parseFilterBlock(ep, s)
	case "endif", "elif", "elseif", "else", "endfor", "endset", "endfilter":
		return nil, nil
	case "macro":
		return p.parseMacro(ep, s)
	case "endmacro", "endcall":
		return nil, nil
	case "call":
		return p.parseCall(ep, s)
	case "include", "import", "from", "extends", "block":
		return nil, syntaxErr(s.pos, "the %q tag is not supported in scaffolder templates", tag)
	default:
		return nil, syntaxErr(s.pos, "unknown block tag %q", tag)
	}
}

func tagName(s *segment) string {
	if s == nil {
		return ""
	}
	return s.toks[0].val
}

func (p *parser) parseIf(ep *exprParser) (node, error) {
	var n ifNode
	cond, err := ep.parseExpression()
	if err != nil {
		return nil, err
	}
	if err := ep.expectEnd(); err != nil {
		return nil, err
	}
	for {
		body, end, err := p.parseBody()
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.bodies = append(n.bodies, body)
		switch tagName(end) {
		case "elif", "elseif":
			ep := &exprParser{toks: end.toks[1:], pos: end.pos}
			if cond, err = ep.parseExpression(); err != nil {
				return nil, err
			}
			if err := ep.expectEnd(); err != nil {
				return nil, err
			}
			continue
		case "else":
			els, end2, err := p.parseBody()
			if err != nil {
				return nil, err
			}
			if tagName(end2) != "endif" {
				return nil, unclosed(end2, "if")
			}
			n.els = els
			return n, nil
		case "endif":
			return n, nil
		default:
			return nil, unclosed(end, "if")
		}
	}
}

func unclosed(end *segment, tag string) error {
	if end == nil {
		return syntaxErr(0, "unexpected end of template: expected end%s", tag)
	}
	return syntaxErr(end.pos, "unexpected tag %q: expected end%s", end.toks[0].val, tag)
}

func (p *parser) parseFor(ep *exprParser, s *segment) (node, error) {
	var n forNode
	for {
		t, ok := ep.next()
		if !ok || t.kind != tokName {
			return nil, syntaxErr(s.pos, "expected a loop variable")
		}
		n.vars = append(n.vars, t.val)
		if !ep.acceptOp(",") {
			break
		}
	}
	if !ep.acceptName("in") {
		return nil, syntaxErr(s.pos, "expected \"in\" in for loop")
	}
	iter, err := ep.parseExpression()
	if err != nil {
		return nil, err
	}
	if err := ep.expectEnd(); err != nil {
		return nil, err
	}
	n.iter = iter
	body, end, err := p.parseBody()
	if err != nil {
		return nil, err
	}
	n.body = body
	if tagName(end) == "else" {
		if n.els, end, err = p.parseBody(); err != nil {
			return nil, err
		}
	}
	if tagName(end) != "endfor" {
		return nil, unclosed(end, "for")
	}
	return n, nil
}

func (p *parser) parseSet(ep *exprParser, s *segment) (node, error) {
	var n setNode
	for {
		t, ok := ep.next()
		if !ok || t.kind != tokName {
			return nil, syntaxErr(s.pos, "expected a variable name in set")
		}
		n.names = append(n.names, t.val)
		if !ep.acceptOp(",") {
			break
		}
	}
	if ep.acceptOp("=") {
		x, err := ep.parseExpression()
		if err != nil {
			return nil, err
		}
		if err := ep.expectEnd(); err != nil {
			return nil, err
		}
		n.x = x
		return n, nil
	}
	if err := ep.expectEnd(); err != nil {
		return nil, err
	}
	body, end, err := p.parseBody()
	if err != nil {
		return nil, err
	}
	if tagName(end) != "endset" {
		return nil, unclosed(end, "set")
	}
	n.body = body
	return n, nil
}

func (p *parser) parseFilterBlock(ep *exprParser, s *segment) (node, error) {
	t, ok := ep.next()
	if !ok || t.kind != tokName {
		return nil, syntaxErr(s.pos, "expected a filter name")
	}
	f := &filterExpr{name: t.val, pos: t.pos}
	if ep.acceptOp("(") {
		args, kwargs, err := ep.parseArgs()
		if err != nil {
			return nil, err
		}
		f.args, f.kwargs = args, kwargs
	}
	if err := ep.expectEnd(); err != nil {
		return nil, err
	}
	body, end, err := p.parseBody()
	if err != nil {
		return nil, err
	}
	if tagName(end) != "endfilter" {
		return nil, unclosed(end, "filter")
	}
	return filterNode{f: f, body: body}, nil
}

// exprParser parses the tokens of one tag.
type exprParser struct {
	toks  []token
	i     int
	pos   int
	depth int // recursion depth (parentheses, brackets, prefix operators)
}

// nest counts one level of recursion; the caller defers ep.depth--.
func (ep *exprParser) nest() error {
	ep.depth++
	if ep.depth > maxParseNesting {
		return ep.unexpected("expression nested deeper than %d levels", maxParseNesting)
	}
	return nil
}

func (ep *exprParser) peek() (token, bool) {
	if ep.i < len(ep.toks) {
		return ep.toks[ep.i], true
	}
	return token{}, false
}

func (ep *exprParser) next() (token, bool) {
	t, ok := ep.peek()
	if ok {
		ep.i++
	}
	return t, ok
}

func (ep *exprParser) isOp(op string) bool {
	t, ok := ep.peek()
	return ok && t.kind == tokOp && t.val == op
}

func (ep *exprParser) isName(n string) bool {
	t, ok := ep.peek()
	return ok && t.kind == tokName && t.val == n
}

func (ep *exprParser) acceptOp(op string) bool {
	if ep.isOp(op) {
		ep.i++
		return true
	}
	return false
}

func (ep *exprParser) acceptName(n string) bool {
	if ep.isName(n) {
		ep.i++
		return true
	}
	return false
}

func (ep *exprParser) expectOp(op string) error {
	if !ep.acceptOp(op) {
		return ep.unexpected("expected %q", op)
	}
	return nil
}

func (ep *exprParser) expectEnd() error {
	if t, ok := ep.peek(); ok {
		return syntaxErr(t.pos, "unexpected token %q", tokText(t))
	}
	return nil
}

func (ep *exprParser) unexpected(format string, args ...any) error {
	t, ok := ep.peek()
	if !ok {
		return syntaxErr(ep.pos, "unexpected end of tag: "+format, args...)
	}
	return syntaxErr(t.pos, "unexpected token %q: "+format, append([]any{tokText(t)}, args...)...)
}

func tokText(t token) string {
	if t.kind == tokRegex {
		return "r/" + t.re.source + "/"
	}
	return t.val
}

func (ep *exprParser) parseExpression() (expr, error) { return ep.parseInlineIf() }

func (ep *exprParser) parseInlineIf() (expr, error) {
	defer func() { ep.depth-- }()
	if err := ep.nest(); err != nil {
		return nil, err
	}
	x, err := ep.parseOr()
	if err != nil {
		return nil, err
	}
	if ep.acceptName("if") {
		cond, err := ep.parseOr()
		if err != nil {
			return nil, err
		}
		c := condExpr{cond: cond, then: x}
		if ep.acceptName("else") {
			if c.els, err = ep.parseInlineIf(); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	return x, nil
}

func (ep *exprParser) parseOr() (expr, error) {
	x, err := ep.parseAnd()
	if err != nil {
		return nil, err
	}
	for ep.acceptName("or") {
		r, err := ep.parseAnd()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: "or", l: x, r: r}
	}
	return x, nil
}

func (ep *exprParser) parseAnd() (expr, error) {
	x, err := ep.parseNot()
	if err != nil {
		return nil, err
	}
	for ep.acceptName("and") {
		r, err := ep.parseNot()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: "and", l: x, r: r}
	}
	return x, nil
}

func (ep *exprParser) parseNot() (expr, error) {
	defer func() { ep.depth-- }()
	if err := ep.nest(); err != nil {
		return nil, err
	}
	if ep.acceptName("not") {
		x, err := ep.parseNot()
		if err != nil {
			return nil, err
		}
		return applyNot(x), nil
	}
	return ep.parseIn()
}

// applyNot reproduces how Nunjucks 3 (the engine Backstage runs) evaluates `not`: it compiles
// `not X` to JavaScript `!X` without parentheses, so when X is an inline binary operation the
// `!` binds to its leftmost operand: `not a == b` is `(not a) == b` and `not 1 + 1` is 1.
// Parenthesised operands, `in`, `is`, filters and calls are not affected.
func applyNot(x expr) expr {
	if b, ok := x.(binaryExpr); ok && inlineJSOp(b.op) {
		b.l = applyNot(b.l)
		return b
	}
	return unaryExpr{op: "not", x: x}
}

func inlineJSOp(op string) bool {
	switch op {
	case "in", "notin", "**", "//":
		return false
	}
	return true
}

func (ep *exprParser) parseIn() (expr, error) {
	x, err := ep.parseIs()
	if err != nil {
		return nil, err
	}
	for {
		save := ep.i
		negate := ep.acceptName("not")
		if !ep.acceptName("in") {
			ep.i = save
			return x, nil
		}
		r, err := ep.parseIs()
		if err != nil {
			return nil, err
		}
		op := "in"
		if negate {
			op = "notin"
		}
		x = binaryExpr{op: op, l: x, r: r}
	}
}

func (ep *exprParser) parseIs() (expr, error) {
	x, err := ep.parseCompare()
	if err != nil {
		return nil, err
	}
	if ep.acceptName("is") {
		negate := ep.acceptName("not")
		t, ok := ep.next()
		if !ok || t.kind != tokName {
			return nil, ep.unexpected("expected a test name after \"is\"")
		}
		te := testExpr{x: x, name: t.val, negate: negate, pos: t.pos}
		if ep.acceptOp("(") {
			args, _, err := ep.parseArgs()
			if err != nil {
				return nil, err
			}
			te.args = args
		} else if pt, ok := ep.peek(); ok && (pt.kind == tokNumber || pt.kind == tokString || (pt.kind == tokName && !isKeyword(pt.val))) {
			// Jinja allows one bare argument: `x is divisibleby 3`.
			arg, err := ep.parsePrimary()
			if err != nil {
				return nil, err
			}
			te.args = []expr{arg}
		}
		return te, nil
	}
	return x, nil
}

func isKeyword(s string) bool {
	switch s {
	case "and", "or", "not", "in", "is", "if", "else":
		return true
	}
	return false
}

var compareOps = map[string]bool{"==": true, "===": true, "!=": true, "!==": true, "<": true, ">": true, "<=": true, ">=": true}

func (ep *exprParser) parseCompare() (expr, error) {
	x, err := ep.parseConcat()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := ep.peek()
		if !ok || t.kind != tokOp || !compareOps[t.val] {
			return x, nil
		}
		ep.i++
		r, err := ep.parseConcat()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: t.val, l: x, r: r}
	}
}

func (ep *exprParser) parseConcat() (expr, error) {
	x, err := ep.parseAdd()
	if err != nil {
		return nil, err
	}
	for ep.acceptOp("~") {
		r, err := ep.parseAdd()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: "~", l: x, r: r}
	}
	return x, nil
}

func (ep *exprParser) parseAdd() (expr, error) {
	x, err := ep.parseMul()
	if err != nil {
		return nil, err
	}
	for {
		var op string
		switch {
		case ep.isOp("+"):
			op = "+"
		case ep.isOp("-"):
			op = "-"
		default:
			return x, nil
		}
		ep.i++
		r, err := ep.parseMul()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: op, l: x, r: r}
	}
}

func (ep *exprParser) parseMul() (expr, error) {
	x, err := ep.parsePow()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := ep.peek()
		if !ok || t.kind != tokOp || (t.val != "*" && t.val != "/" && t.val != "//" && t.val != "%") {
			return x, nil
		}
		ep.i++
		r, err := ep.parsePow()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: t.val, l: x, r: r}
	}
}

func (ep *exprParser) parsePow() (expr, error) {
	x, err := ep.parseUnary()
	if err != nil {
		return nil, err
	}
	for ep.acceptOp("**") {
		r, err := ep.parseUnary()
		if err != nil {
			return nil, err
		}
		x = binaryExpr{op: "**", l: x, r: r}
	}
	return x, nil
}

func (ep *exprParser) parseUnary() (expr, error) {
	defer func() { ep.depth-- }()
	if err := ep.nest(); err != nil {
		return nil, err
	}
	if ep.acceptOp("-") {
		x, err := ep.parseUnary()
		if err != nil {
			return nil, err
		}
		return unaryExpr{op: "-", x: x}, nil
	}
	if ep.acceptOp("+") {
		x, err := ep.parseUnary()
		if err != nil {
			return nil, err
		}
		return unaryExpr{op: "+", x: x}, nil
	}
	x, err := ep.parsePrimary()
	if err != nil {
		return nil, err
	}
	return ep.parseFilters(x)
}

func (ep *exprParser) parseFilters(x expr) (expr, error) {
	for ep.acceptOp("|") {
		t, ok := ep.next()
		if !ok || t.kind != tokName {
			return nil, ep.unexpected("expected a filter name")
		}
		name := t.val
		// Dotted filter names (`| foo.bar`) exist in Nunjucks; join them.
		for ep.isOp(".") {
			ep.i++
			n, ok := ep.next()
			if !ok || n.kind != tokName {
				return nil, ep.unexpected("expected a filter name")
			}
			name += "." + n.val
		}
		f := filterExpr{x: x, name: name, pos: t.pos}
		if ep.acceptOp("(") {
			args, kwargs, err := ep.parseArgs()
			if err != nil {
				return nil, err
			}
			f.args, f.kwargs = args, kwargs
		}
		x = f
	}
	return x, nil
}

// parseArgs parses call arguments after "(" up to and including ")".
func (ep *exprParser) parseArgs() ([]expr, []kwarg, error) {
	var args []expr
	var kwargs []kwarg
	for !ep.acceptOp(")") {
		if len(args)+len(kwargs) > 0 {
			if err := ep.expectOp(","); err != nil {
				return nil, nil, err
			}
			if ep.acceptOp(")") {
				break
			}
		}
		if t, ok := ep.peek(); ok && t.kind == tokName && ep.i+1 < len(ep.toks) &&
			ep.toks[ep.i+1].kind == tokOp && ep.toks[ep.i+1].val == "=" {
			ep.i += 2
			x, err := ep.parseExpression()
			if err != nil {
				return nil, nil, err
			}
			kwargs = append(kwargs, kwarg{name: t.val, x: x})
			continue
		}
		x, err := ep.parseExpression()
		if err != nil {
			return nil, nil, err
		}
		args = append(args, x)
	}
	return args, kwargs, nil
}

func (ep *exprParser) parsePrimary() (expr, error) {
	t, ok := ep.next()
	if !ok {
		return nil, syntaxErr(ep.pos, "unexpected end of expression")
	}
	var x expr
	switch t.kind {
	case tokString:
		x = literal{t.val}
	case tokNumber:
		x = literal{t.num}
	case tokRegex:
		x = literal{t.re}
	case tokName:
		switch t.val {
		case "true", "True":
			x = literal{true}
		case "false", "False":
			x = literal{false}
		case "none", "None", "null":
			x = literal{nil}
		default:
			if isKeyword(t.val) {
				return nil, syntaxErr(t.pos, "unexpected keyword %q", t.val)
			}
			x = nameExpr{name: t.val, pos: t.pos}
		}
	case tokOp:
		switch t.val {
		case "(":
			inner, err := ep.parseExpression()
			if err != nil {
				return nil, err
			}
			if ep.acceptOp(",") { // a tuple: treat as a list
				items := []expr{inner}
				for !ep.acceptOp(")") {
					it, err := ep.parseExpression()
					if err != nil {
						return nil, err
					}
					items = append(items, it)
					if !ep.acceptOp(",") {
						if err := ep.expectOp(")"); err != nil {
							return nil, err
						}
						break
					}
				}
				x = listExpr{items}
			} else {
				if err := ep.expectOp(")"); err != nil {
					return nil, err
				}
				x = parenExpr{inner}
			}
		case "[":
			var l listExpr
			for !ep.acceptOp("]") {
				if len(l.items) > 0 {
					if err := ep.expectOp(","); err != nil {
						return nil, err
					}
					if ep.acceptOp("]") {
						break
					}
				}
				it, err := ep.parseExpression()
				if err != nil {
					return nil, err
				}
				l.items = append(l.items, it)
			}
			x = l
		case "{":
			var d dictExpr
			for !ep.acceptOp("}") {
				if len(d.keys) > 0 {
					if err := ep.expectOp(","); err != nil {
						return nil, err
					}
					if ep.acceptOp("}") {
						break
					}
				}
				var k expr
				if kt, ok := ep.peek(); ok && kt.kind == tokName {
					ep.i++
					k = literal{kt.val}
				} else {
					var err error
					if k, err = ep.parsePrimary(); err != nil {
						return nil, err
					}
				}
				if err := ep.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := ep.parseExpression()
				if err != nil {
					return nil, err
				}
				d.keys = append(d.keys, k)
				d.vals = append(d.vals, v)
			}
			x = d
		default:
			return nil, syntaxErr(t.pos, "unexpected token %q", t.val)
		}
	}
	return ep.parsePostfix(x)
}

func (ep *exprParser) parsePostfix(x expr) (expr, error) {
	for {
		switch {
		case ep.isOp("."):
			ep.i++
			t, ok := ep.next()
			if !ok || (t.kind != tokName && t.kind != tokNumber) {
				return nil, ep.unexpected("expected a name after \".\"")
			}
			x = attrExpr{obj: x, name: t.val}
		case ep.isOp("["):
			ep.i++
			var parts [3]expr
			n := 0
			isSlice := false
			for {
				if ep.isOp(":") {
					ep.i++
					isSlice = true
					n++
					if n > 2 {
						return nil, ep.unexpected("too many \":\" in slice")
					}
					continue
				}
				if ep.acceptOp("]") {
					break
				}
				if parts[n] != nil {
					return nil, ep.unexpected("expected \"]\"")
				}
				e, err := ep.parseExpression()
				if err != nil {
					return nil, err
				}
				parts[n] = e
			}
			if isSlice {
				x = sliceExpr{obj: x, start: parts[0], stop: parts[1], step: parts[2]}
			} else {
				if parts[0] == nil {
					return nil, ep.unexpected("empty index")
				}
				x = indexExpr{obj: x, key: parts[0]}
			}
		case ep.isOp("("):
			pos := ep.toks[ep.i].pos
			ep.i++
			args, kwargs, err := ep.parseArgs()
			if err != nil {
				return nil, err
			}
			x = callExpr{fn: x, args: args, kwargs: kwargs, pos: pos}
		default:
			return x, nil
		}
	}
}

func (p *parser) parseCall(ep *exprParser, s *segment) (node, error) {
	n := callNode{caller: macroNode{name: "caller", defaults: map[string]expr{}}}
	if ep.acceptOp("(") {
		if err := p.parseParams(ep, s, &n.caller); err != nil {
			return nil, err
		}
	}
	x, err := ep.parseExpression()
	if err != nil {
		return nil, err
	}
	c, ok := x.(callExpr)
	if !ok {
		return nil, syntaxErr(s.pos, "a call block needs a macro call, such as {%% call m() %%}")
	}
	n.call = c
	if err := ep.expectEnd(); err != nil {
		return nil, err
	}
	body, end, err := p.parseBody()
	if err != nil {
		return nil, err
	}
	if tagName(end) != "endcall" {
		return nil, unclosed(end, "call")
	}
	n.caller.body = body
	return n, nil
}

// parseParams reads a parameter list, after its "(", up to its ")".
func (p *parser) parseParams(ep *exprParser, s *segment, n *macroNode) error {
	for !ep.acceptOp(")") {
		if len(n.params) > 0 {
			if err := ep.expectOp(","); err != nil {
				return err
			}
		}
		pt, ok := ep.next()
		if !ok || pt.kind != tokName {
			return syntaxErr(s.pos, "expected a parameter name")
		}
		n.params = append(n.params, pt.val)
		if ep.acceptOp("=") {
			d, err := ep.parseExpression()
			if err != nil {
				return err
			}
			n.defaults[pt.val] = d
		}
	}
	return nil
}

func (p *parser) parseMacro(ep *exprParser, s *segment) (node, error) {
	t, ok := ep.next()
	if !ok || t.kind != tokName {
		return nil, syntaxErr(s.pos, "expected a macro name")
	}
	n := macroNode{name: t.val, defaults: map[string]expr{}}
	if ep.acceptOp("(") {
		if err := p.parseParams(ep, s, &n); err != nil {
			return nil, err
		}
	}
	if err := ep.expectEnd(); err != nil {
		return nil, err
	}
	body, end, err := p.parseBody()
	if err != nil {
		return nil, err
	}
	if tagName(end) != "endmacro" {
		return nil, unclosed(end, "macro")
	}
	n.body = body
	return n, nil
}
func (parenExpr) isExpr() {}
