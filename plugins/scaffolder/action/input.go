package action

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/urlreader"
)

// ErrInput marks an action input problem (Backstage's InputError); the task runner reports it
// as the step's failure.
var ErrInput = errkind.New(errkind.Input, "invalid input")

func inputErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, args...))
}

func str(in map[string]any, key string) string {
	switch v := in[key].(type) {
	case string:
		return v
	case nil:
		return ""
	case float64, bool, int, int64:
		return fmt.Sprint(v)
	}
	return ""
}

func strDefault(in map[string]any, key, def string) string {
	if s := str(in, key); s != "" {
		return s
	}
	return def
}

func boolean(in map[string]any, key string) bool {
	switch v := in[key].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

func number(in map[string]any, key string) float64 {
	switch v := in[key].(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	return 0
}

func strSlice(in map[string]any, key string) []string {
	switch v := in[key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return []string{v}
	}
	return nil
}

func require(in map[string]any, keys ...string) error {
	for _, k := range keys {
		if str(in, k) == "" {
			return inputErr("missing required input %q", k)
		}
	}
	return nil
}

// resolveURL resolves a fetch URL against the template's base URL, as Backstage does:
// absolute URLs are kept, relative ones are relative to the template file's directory. The
// result must be remote (http(s), git+http(s)), or a file:// URL under a file:// base, which
// localSource confines to the template's folder: a template read from a remote host (anyone
// may register one) never reaches the server's disk, as in Backstage, whose UrlReader has no
// local reader.
func resolveURL(raw, base string) (string, error) {
	target, err := resolveAgainst(raw, base)
	if err != nil {
		return "", err
	}
	if !urlreader.IsRemote(target) && (!strings.HasPrefix(target, "file://") || !strings.HasPrefix(base, "file://")) {
		return "", inputErr("url %q is not a remote URL; a template read from %q can only fetch remote URLs or files in its own folder", raw, base)
	}
	return target, nil
}

func resolveAgainst(raw, base string) (string, error) {
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" || strings.HasPrefix(raw, "file://") {
		return raw, nil
	}
	if base == "" {
		return "", inputErr("relative url %q needs a template base URL, and the task has none", raw)
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", inputErr("invalid template base URL %q: %v", base, err)
	}
	r, err := url.Parse(raw)
	if err != nil {
		return "", inputErr("invalid url %q: %v", raw, err)
	}
	return b.ResolveReference(r).String(), nil
}

// schema builds a Schema from JSON text.
func schema(input, output string) Schema {
	s := Schema{Input: json.RawMessage(input)}
	if output != "" {
		s.Output = json.RawMessage(output)
	} else {
		s.Output = json.RawMessage(`{"type":"object","properties":{}}`)
	}
	return s
}

// JSONObject converts a value into the JSON object encoding/json makes of it (float64 numbers,
// []any, map[string]any).
func JSONObject(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func (c *Context) output(name string, v any) {
	if c.Output != nil {
		c.Output(name, v)
	}
}

// log returns the step logger, or one that discards when the runner gave none.
func (c *Context) log() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
