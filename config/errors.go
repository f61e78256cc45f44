package config

import (
	"strconv"
	"strings"
)

// Error is a configuration problem a user can cause: a bad file, a bad value, a bad override.
// Its text is one line: "file:line: key: message", leaving out the parts that are unknown.
type Error struct {
	File    string // file the value came from, "env" for APP_CONFIG_* overrides
	Line    int    // 1-based line in File, 0 when unknown
	Key     string // full dot path of the value from the config root
	Message string
}

func (e *Error) Error() string {
	return formatLocated(e.File, e.Line, e.Key, e.Message)
}

// formatLocated renders "file:line: key: message" and keeps the result on one line.
func formatLocated(file string, line int, key, msg string) string {
	var b strings.Builder
	if file != "" {
		b.WriteString(file)
		if line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(line))
		}
		b.WriteString(": ")
	}
	if key != "" {
		b.WriteString(key)
		b.WriteString(": ")
	}
	b.WriteString(msg)
	return oneLine(b.String())
}

// oneLine folds a multi-line message so every error stays a single line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return strings.Join(fields, "; ")
}

// errAt builds an Error located at a value.
func errAt(n *node, key, msg string) *Error {
	e := &Error{Key: key, Message: msg}
	if n != nil {
		e.File, e.Line = n.file, n.line
	}
	return e
}
