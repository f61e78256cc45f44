package web

import (
	"log/slog"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
)

// ServerError answers a page request that failed inside the server: 503 when the database
// cannot serve it (the same classification as the JSON APIs, apierr.Classify), 500 otherwise.
// The cause goes to the request's single access-log line, which the framework rate-limits
// during an outage; only outside the framework's server is it logged here, with msg and attrs.
func ServerError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, msg string, err error, attrs ...any) {
	status, text := FailureStatus(err)
	if !apierr.RecordFailure(r.Context(), err) && logger != nil {
		logger.ErrorContext(r.Context(), msg, append(attrs, "err", err)...)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	http.Error(w, text, status)
}

// FailureStatus is the status and the text a person sees for an internal error: 503 with a
// retry hint when the database is unavailable, else 500.
func FailureStatus(err error) (int, string) {
	e, _ := apierr.Classify(err)
	if e.Status == http.StatusServiceUnavailable {
		return e.Status, apierr.UnavailableMessage
	}
	return http.StatusInternalServerError, "Internal Server Error"
}
