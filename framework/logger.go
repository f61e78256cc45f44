package framework

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// LoggerOptions configures the root logger.
type LoggerOptions struct {
	Level  string // debug | info | warn | error (LOG_LEVEL wins over backend.logger.level)
	Format string // json | text
	// Secrets are values that must never appear in a log line (config values with schema
	// visibility "secret"); any attribute or message containing one is redacted.
	Secrets []string
}

// NewLogger builds the root logger writing to w.
func NewLogger(w io.Writer, opts LoggerOptions) (*slog.Logger, error) {
	var level slog.Level
	if opts.Level != "" {
		if err := level.UnmarshalText([]byte(opts.Level)); err != nil {
			return nil, fmt.Errorf("log level %q: want debug, info, warn or error", opts.Level)
		}
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(opts.Format) {
	case "", "text":
		h = slog.NewTextHandler(w, hopts)
	case "json":
		h = slog.NewJSONHandler(w, hopts)
	default:
		return nil, fmt.Errorf("log format %q: want json or text", opts.Format)
	}
	var secrets []string
	for _, s := range opts.Secrets {
		if len(s) >= 4 { // shorter values would redact ordinary words
			secrets = append(secrets, s)
		}
	}
	if len(secrets) > 0 {
		h = &redactingHandler{next: h, replacer: newRedactor(secrets)}
	}
	return slog.New(h), nil
}

func newRedactor(secrets []string) *strings.Replacer {
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, "[REDACTED]")
	}
	return strings.NewReplacer(pairs...)
}

// redactingHandler replaces secret values in messages and string attributes.
type redactingHandler struct {
	next     slog.Handler
	replacer *strings.Replacer
}

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.replacer.Replace(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.redact(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactingHandler) redact(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.replacer.Replace(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = h.redact(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.replacer.Replace(err.Error()))
		}
		return slog.String(a.Key, h.replacer.Replace(fmt.Sprint(v.Any())))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.redact(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(red), replacer: h.replacer}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(name), replacer: h.replacer}
}
