package worker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// logHandler turns an action's slog records into task log events for one step. Attributes
// are appended to the message as key=value; the runner redacts secrets before storing.
type logHandler struct {
	stepID string
	emit   func(map[string]any)
	attrs  []slog.Attr
	group  string
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) {
		key := a.Key
		if h.group != "" {
			key = h.group + "." + key
		}
		fmt.Fprintf(&b, " %s=%v", key, a.Value.Resolve().Any())
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(func(a slog.Attr) bool {
		write(a)
		return true
	})
	body := map[string]any{"message": b.String(), "stepId": h.stepID}
	if r.Level >= slog.LevelWarn {
		body["level"] = strings.ToLower(r.Level.String())
	}
	h.emit(body)
	return nil
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}
