package jsvalue

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Lower is JavaScript's s.toLocaleLowerCase('en-US'), which Backstage applies to the keys and
// values of the catalog's search table and to filter values. Unlike strings.ToLower it uses
// Unicode's full mappings: "İ" becomes "i̇" (i and a combining dot) and a capital sigma that
// ends a word "ς".
func Lower(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	return mapRunes(s, func(b *strings.Builder, i int, r rune) {
		switch {
		case r == 'İ':
			b.WriteString("i\u0307")
		case r == 'Σ' && finalSigma(s, i):
			b.WriteRune('ς')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	})
}

// Upper is JavaScript's s.toLocaleUpperCase('en-US'), which Backstage's filter predicates use
// for case-insensitive equality and prefixes: "ß" becomes "SS", "ﬀ" "FF" and "ı" "I", so
// "straße" equals "STRASSE".
func Upper(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	return mapRunes(s, func(b *strings.Builder, _ int, r rune) {
		if m, ok := specialUpper[r]; ok {
			b.WriteString(m)
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
	})
}

// mapRunes writes what write makes of each rune of s (at byte offset i).
func mapRunes(s string, write func(b *strings.Builder, i int, r rune)) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i, r := range s {
		write(&b, i, r)
	}
	return b.String()
}

// EqualFold reports whether a and b are equal once both are upper-cased as Upper does: the
// case-insensitive equality of Backstage's filter predicates.
func EqualFold(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return strings.EqualFold(a, b)
	}
	return Upper(a) == Upper(b)
}

// HasPrefixFold reports whether s starts with prefix once both are upper-cased as Upper does:
// Backstage's $hasPrefix.
func HasPrefixFold(s, prefix string) bool {
	return strings.HasPrefix(Upper(s), Upper(prefix))
}

// Length is JavaScript's s.length: the number of UTF-16 code units (a character outside the
// Basic Multilingual Plane counts two).
func Length(s string) int {
	n := 0
	for _, r := range s {
		if utf16.RuneLen(r) == 2 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// finalSigma is Unicode's Final_Sigma condition for the capital sigma at byte i of s: a cased
// letter comes before it and none after it, skipping case-ignorable characters both ways.
func finalSigma(s string, i int) bool {
	before := false
	for j := i; j > 0; {
		r, n := utf8.DecodeLastRuneInString(s[:j])
		j -= n
		if caseIgnorable(r) {
			continue
		}
		before = cased(r)
		break
	}
	if !before {
		return false
	}
	for j := i + len("Σ"); j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		j += n
		if caseIgnorable(r) {
			continue
		}
		return !cased(r)
	}
	return true
}

// cased is Unicode's Cased property.
func cased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.In(r, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// caseIgnorable is Unicode's Case_Ignorable property: marks, format characters, modifiers
// and the word-internal punctuation of Word_Break MidLetter, MidNumLet and Single_Quote.
func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '·', '\u0387', '\u055F', '\u05F4', '‘', '’', '\u2024', '\u2027',
		'\uFE13', '\uFE52', '\uFE55', '\uFF07', '\uFF0E', '\uFF1A':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
