package nunjucks

import (
	"fmt"
	"regexp"
	"strings"
)

// syntax holds the options that change how a template is split into text and tags.
type syntax struct {
	cookiecutter bool // `{{ }}` instead of `${{ }}` for expressions
	trimBlocks   bool
	lstripBlocks bool
}

type segKind int

const (
	segText segKind = iota
	segVar
	segBlock
)

// segment is a piece of template source: literal text, an expression tag or a block tag.
type segment struct {
	kind segKind
	text string  // segText
	toks []token // segVar, segBlock
	pos  int     // offset in the source, for errors
}

type tokKind int

const (
	tokName tokKind = iota
	tokString
	tokNumber
	tokOp
	tokRegex
)

type token struct {
	kind tokKind
	val  string
	num  float64
	re   *regexValue
	pos  int
}

// SyntaxError reports a template that cannot be parsed.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("template syntax error at offset %d: %s", e.Pos, e.Msg)
}

func syntaxErr(pos int, format string, args ...any) error {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

var endRawRe = regexp.MustCompile(`\{%-?\s*end(raw|verbatim)\s*-?%\}`)

// lex splits src into segments, applying whitespace control (`{%-`, `-%}`, trimBlocks,
// lstripBlocks) to the text around tags.
func lex(src string, syn syntax) ([]segment, error) {
	varStart := "${{"
	if syn.cookiecutter {
		varStart = "{{"
	}
	var segs []segment
	trimNext := false    // strip leading whitespace of the next text
	trimNewline := false // drop one newline at the start of the next text (trimBlocks)
	addText := func(s string) {
		if trimNext {
			s = strings.TrimLeft(s, " \t\r\n")
			trimNext = false
		}
		if trimNewline {
			if strings.HasPrefix(s, "\r\n") {
				s = s[2:]
			} else if strings.HasPrefix(s, "\n") {
				s = s[1:]
			}
			trimNewline = false
		}
		if s != "" {
			segs = append(segs, segment{kind: segText, text: s})
		}
	}
	// trimPrev removes trailing whitespace from the last text segment.
	trimPrev := func(all bool) {
		if len(segs) == 0 || segs[len(segs)-1].kind != segText {
			return
		}
		t := segs[len(segs)-1].text
		if all {
			t = strings.TrimRight(t, " \t\r\n")
		} else {
			// lstripBlocks: only spaces and tabs, and only when they start the line.
			trimmed := strings.TrimRight(t, " \t")
			if trimmed == "" || strings.HasSuffix(trimmed, "\n") {
				t = trimmed
			}
		}
		segs[len(segs)-1].text = t
		if t == "" {
			segs = segs[:len(segs)-1]
		}
	}
	i := 0
	for i < len(src) {
		j, which := nextOpen(src, i, varStart)
		if j < 0 {
			addText(src[i:])
			break
		}
		addText(src[i:j])
		switch which {
		case "{#":
			end := strings.Index(src[j+2:], "#}")
			if end < 0 {
				return nil, syntaxErr(j, "expected end of comment, got end of file")
			}
			body := src[j+2 : j+2+end]
			if strings.HasPrefix(body, "-") {
				trimPrev(true)
			} else if syn.lstripBlocks {
				trimPrev(false)
			}
			if strings.HasSuffix(body, "-") {
				trimNext = true
			}
			i = j + 2 + end + 2
			if syn.trimBlocks {
				trimNewline = true
			}
		case "{%":
			p := j + 2
			if strings.HasPrefix(src[p:], "-") {
				trimPrev(true)
				p++
			} else if syn.lstripBlocks {
				trimPrev(false)
			}
			toks, next, trimAfter, err := lexTag(src, p, "%}")
			if err != nil {
				return nil, err
			}
			i = next
			trimNext = trimAfter
			if syn.trimBlocks {
				trimNewline = true
			}
			if len(toks) > 0 && toks[0].kind == tokName && (toks[0].val == "raw" || toks[0].val == "verbatim") {
				loc := endRawRe.FindStringIndex(src[i:])
				if loc == nil {
					return nil, syntaxErr(j, "expected end%s", toks[0].val)
				}
				raw := src[i : i+loc[0]]
				endTag := src[i+loc[0] : i+loc[1]]
				if trimNext {
					raw = strings.TrimLeft(raw, " \t\r\n")
					trimNext = false
				}
				if trimNewline {
					raw = strings.TrimPrefix(strings.TrimPrefix(raw, "\r"), "\n")
					trimNewline = false
				}
				if strings.HasPrefix(endTag, "{%-") {
					raw = strings.TrimRight(raw, " \t\r\n")
				}
				if raw != "" {
					segs = append(segs, segment{kind: segText, text: raw})
				}
				trimNext = strings.HasSuffix(endTag, "-%}")
				trimNewline = syn.trimBlocks
				i += loc[1]
				continue
			}
			segs = append(segs, segment{kind: segBlock, toks: toks, pos: j})
		default: // expression
			p := j + len(varStart)
			if strings.HasPrefix(src[p:], "-") {
				trimPrev(true)
				p++
			}
			toks, next, trimAfter, err := lexTag(src, p, "}}")
			if err != nil {
				return nil, err
			}
			i = next
			trimNext = trimAfter
			segs = append(segs, segment{kind: segVar, toks: toks, pos: j})
		}
	}
	return segs, nil
}

// nextOpen finds the next tag opening at or after i, scanning forward once.
func nextOpen(src string, i int, varStart string) (int, string) {
	for i < len(src) {
		k := strings.IndexAny(src[i:], "{$")
		if k < 0 {
			return -1, ""
		}
		j := i + k
		rest := src[j:]
		switch {
		case strings.HasPrefix(rest, varStart):
			return j, varStart
		case strings.HasPrefix(rest, "{%"):
			return j, "{%"
		case strings.HasPrefix(rest, "{#"):
			return j, "{#"
		}
		i = j + 1
	}
	return -1, ""
}

// lexTag tokenizes from p up to the closing delimiter end ("}}" or "%}"), which may be
// preceded by "-" for whitespace control. Braces opened inside the tag (object literals) are
// tracked so that `{a: {b: 1}}` does not end an expression early.
func lexTag(src string, p int, end string) (toks []token, next int, trimAfter bool, err error) {
	depth := 0
	start := p
	for {
		for p < len(src) && strings.ContainsRune(" \t\r\n", rune(src[p])) {
			p++
		}
		if p >= len(src) {
			return nil, 0, false, syntaxErr(start, "unexpected end of template: expected %q", end)
		}
		if depth == 0 {
			if strings.HasPrefix(src[p:], "-"+end) {
				return toks, p + 1 + len(end), true, nil
			}
			if strings.HasPrefix(src[p:], end) {
				return toks, p + len(end), false, nil
			}
		}
		c := src[p]
		switch {
		case c == '"' || c == '\'':
			s, n, err := lexString(src, p)
			if err != nil {
				return nil, 0, false, err
			}
			toks = append(toks, token{kind: tokString, val: s, pos: p})
			p = n
		case c >= '0' && c <= '9', c == '-' && p+1 < len(src) && src[p+1] >= '0' && src[p+1] <= '9' && !afterValue(toks):
			// Like Nunjucks, a minus sign glued to a number where no operand precedes it is
			// part of the literal: `-2 | abs` is 2.
			n := p
			if c == '-' {
				n++
			}
			for n < len(src) && src[n] >= '0' && src[n] <= '9' {
				n++
			}
			if n+1 < len(src) && src[n] == '.' && src[n+1] >= '0' && src[n+1] <= '9' {
				n++
				for n < len(src) && src[n] >= '0' && src[n] <= '9' {
					n++
				}
			}
			if n < len(src) && (src[n] == 'e' || src[n] == 'E') {
				k := n + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					n = k
				}
			}
			var f float64
			if _, err := fmt.Sscan(src[p:n], &f); err != nil {
				return nil, 0, false, syntaxErr(p, "invalid number %q", src[p:n])
			}
			toks = append(toks, token{kind: tokNumber, num: f, val: src[p:n], pos: p})
			p = n
		case c == 'r' && p+1 < len(src) && src[p+1] == '/':
			re, n, err := lexRegex(src, p)
			if err != nil {
				return nil, 0, false, err
			}
			toks = append(toks, token{kind: tokRegex, re: re, pos: p})
			p = n
		case isNameStart(c):
			n := p + 1
			for n < len(src) && isNameChar(src[n]) {
				n++
			}
			toks = append(toks, token{kind: tokName, val: src[p:n], pos: p})
			p = n
		default:
			op := ""
			for _, o := range []string{"===", "!==", "**", "//", "==", "!=", "<=", ">="} {
				if strings.HasPrefix(src[p:], o) {
					op = o
					break
				}
			}
			if op == "" {
				if !strings.ContainsRune("+-*/%~<>=()[]{},.:|!?", rune(c)) {
					return nil, 0, false, syntaxErr(p, "unexpected character %q", c)
				}
				op = string(c)
			}
			switch op {
			case "{":
				depth++
			case "}":
				depth--
			}
			toks = append(toks, token{kind: tokOp, val: op, pos: p})
			p += len(op)
		}
	}
}

func isNameStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

func lexString(src string, p int) (string, int, error) {
	q := src[p]
	var b strings.Builder
	i := p + 1
	for i < len(src) {
		c := src[i]
		if c == q {
			return b.String(), i + 1, nil
		}
		if c == '\\' && i+1 < len(src) {
			i++
			switch src[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(src[i])
			}
			i++
			continue
		}
		b.WriteByte(c)
		i++
	}
	return "", 0, syntaxErr(p, "unterminated string")
}

func lexRegex(src string, p int) (*regexValue, int, error) {
	i := p + 2
	var b strings.Builder
	inClass := false
	for i < len(src) {
		c := src[i]
		if c == '\\' && i+1 < len(src) {
			b.WriteString(src[i : i+2])
			i += 2
			continue
		}
		if c == '[' {
			inClass = true
		} else if c == ']' {
			inClass = false
		} else if c == '/' && !inClass {
			break
		}
		b.WriteByte(c)
		i++
	}
	if i >= len(src) {
		return nil, 0, syntaxErr(p, "unterminated regular expression")
	}
	i++
	flagStart := i
	for i < len(src) && strings.ContainsRune("gimy", rune(src[i])) {
		i++
	}
	re, err := newRegex(b.String(), src[flagStart:i])
	if err != nil {
		return nil, 0, syntaxErr(p, "%v", err)
	}
	return re, i, nil
}

// afterValue reports whether the last token ends an operand, so that a following "-" is the
// binary operator.
func afterValue(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[len(toks)-1]
	switch t.kind {
	case tokNumber, tokString, tokRegex:
		return true
	case tokName:
		return !isKeyword(t.val)
	}
	return t.val == ")" || t.val == "]" || t.val == "}"
}
