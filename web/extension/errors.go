package extension

import (
	"errors"
	"strconv"
	"strings"
)

// ErrDuplicateExtension is wrapped by the error for two declared extensions sharing an ID.
var ErrDuplicateExtension = errors.New("duplicate extension id")

// ConfigError is an error about one extension, naming where it came from: the app.extensions
// entry (Index ≥ 0) or the extension declaration itself (Index -1), the extension ID and the key
// inside the entry ("config.filter", "attachTo.id", "disabled"), when known.
type ConfigError struct {
	Index       int
	ExtensionID string
	Key         string
	Err         error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.Index >= 0 {
		b.WriteString("app.extensions[")
		b.WriteString(strconv.Itoa(e.Index))
		b.WriteString("]")
	} else {
		b.WriteString("extension")
	}
	if e.ExtensionID != "" {
		b.WriteString(" ")
		b.WriteString(e.ExtensionID)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }
