package web

import (
	"fmt"
	"html"
	"log/slog"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
)

// ServerError answers a page request that failed: with the error's own status and message
// when the request was at fault (4xx, such as a catalog InputError for an edited cursor or
// filter), 503 when the database cannot serve it (the same classification as the JSON APIs,
// apierr.Classify), 500 otherwise. The cause of a server failure goes to the request's single
// access-log line, which the framework rate-limits during an outage; only outside the
// framework's server is it logged here, with msg and attrs.
func ServerError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, msg string, err error, attrs ...any) {
	status, text := FailureStatus(err)
	if status >= 500 && !apierr.RecordFailure(r.Context(), err) && logger != nil {
		logger.ErrorContext(r.Context(), msg, append(attrs, "err", err)...)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	url, _ := r.Context().Value(supportURLKey{}).(string)
	if url == "" {
		http.Error(w, text, status)
		return
	}
	// A page of a portal with app.support: the message and where to get help, as Backstage's
	// error page links its support URL.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<title>%d</title>\n<p>%s</p>\n<p class=\"support-contact\">Still stuck? <a href=\"%s\">Contact support</a>.</p>\n",
		status, html.EscapeString(text), html.EscapeString(url))
}

// supportURLKey is the context key of app.support's URL on page requests (Shell.withSupport).
type supportURLKey struct{}

// FailureStatus is the status and the text a person sees for a failed page: the status and
// message of an error the request caused (4xx: bad input, not found, not allowed), 503 with a
// retry hint when the database is unavailable, else 500.
func FailureStatus(err error) (int, string) {
	e, internal := apierr.Classify(err)
	switch {
	case !internal && e.Status >= 400 && e.Status < 500 && e.Status != 499:
		return e.Status, e.Message
	case e.Status == http.StatusServiceUnavailable:
		return e.Status, apierr.UnavailableMessage
	}
	return http.StatusInternalServerError, "Internal Server Error"
}
