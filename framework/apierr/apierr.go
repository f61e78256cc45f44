// Package apierr defines the errors a JSON API handler returns and writes them in Backstage's
// error body, so that Backstage clients parse Portico's errors unchanged:
//
//	{"error":{"name":"NotFoundError","message":"…"},"request":{"method":"GET","url":"/api/…"},"response":{"statusCode":404}}
//
// The mapping from error to HTTP status lives here and nowhere else for the JSON surface.
package apierr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/database"
)

// Kind is one of Backstage's error kinds (errkind.Kind).
type Kind = errkind.Kind

// Backstage's error kinds, as sentinels: errors.Is(err, apierr.ErrNotFound) holds for an
// error made by NotFound and for any error wrapping a sentinel of that kind
// (errkind.New(errkind.NotFound, …)), which Classify answers with the kind's name and status.
var (
	ErrInput              = errkind.Input              // 400 InputError
	ErrAuthentication     = errkind.Authentication     // 401 AuthenticationError
	ErrNotAllowed         = errkind.NotAllowed         // 403 NotAllowedError
	ErrNotFound           = errkind.NotFound           // 404 NotFoundError
	ErrConflict           = errkind.Conflict           // 409 ConflictError
	ErrNotModified        = errkind.NotModified        // 304 NotModifiedError
	ErrNotImplemented     = errkind.NotImplemented     // 501 NotImplementedError
	ErrServiceUnavailable = errkind.ServiceUnavailable // 503 ServiceUnavailableError
)

// Error is an API error with Backstage's error name and an HTTP status.
type Error struct {
	Name    string // Backstage error name, e.g. "NotFoundError"
	Status  int
	Message string
	Cause   error
	// Errors, when set, is written beside "error" in the body as "errors" (the scaffolder's
	// template validation answers its validator's list there, as Backstage does).
	Errors any
}

// Error returns the message, which already includes the text of a %w cause.
func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is the kind of e (errors.Is(apierr.NotFound("…"), apierr.ErrNotFound)).
func (e *Error) Is(target error) bool {
	k, ok := target.(*Kind)
	return ok && k.Name() == e.Name
}

func ofKind(k *Kind, format string, args []any) *Error {
	return newf(k.Name(), k.Status(), format, args)
}

func newf(name string, status int, format string, args []any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Name: name, Status: status, Message: err.Error(), Cause: errors.Unwrap(err)}
}

// Input is a malformed or invalid request (400).
func Input(format string, args ...any) *Error {
	return ofKind(ErrInput, format, args)
}

// Authentication means the caller could not be authenticated (401).
func Authentication(format string, args ...any) *Error {
	return ofKind(ErrAuthentication, format, args)
}

// NotAllowed means the caller is known but may not do this (403).
func NotAllowed(format string, args ...any) *Error {
	return ofKind(ErrNotAllowed, format, args)
}

// NotFound means the addressed resource does not exist (404).
func NotFound(format string, args ...any) *Error {
	return ofKind(ErrNotFound, format, args)
}

// Conflict means the request conflicts with the current state (409).
func Conflict(format string, args ...any) *Error {
	return ofKind(ErrConflict, format, args)
}

// NotImplemented means the server does not support this (501).
func NotImplemented(format string, args ...any) *Error {
	return ofKind(ErrNotImplemented, format, args)
}

// NotModified means the client's copy is current (304, written without a body).
func NotModified(format string, args ...any) *Error {
	return ofKind(ErrNotModified, format, args)
}

// ServiceUnavailable means the server cannot serve this now (503).
func ServiceUnavailable(format string, args ...any) *Error {
	return ofKind(ErrServiceUnavailable, format, args)
}

// Body is the JSON shape of an error response.
type Body struct {
	Error    BodyError    `json:"error"`
	Errors   any          `json:"errors,omitempty"`
	Request  BodyRequest  `json:"request"`
	Response BodyResponse `json:"response"`
}

// BodyError is the "error" member of Body.
type BodyError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// BodyRequest is the "request" member of Body.
type BodyRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

// BodyResponse is the "response" member of Body.
type BodyResponse struct {
	StatusCode int `json:"statusCode"`
}

type originalURLKey struct{}

// WithOriginalURL records the URL a request arrived with, before any prefix was stripped, so
// error bodies name the URL the client sent (Backstage reports req.originalUrl).
func WithOriginalURL(ctx context.Context, url string) context.Context {
	return context.WithValue(ctx, originalURLKey{}, url)
}

// OriginalURL returns the URL recorded by WithOriginalURL, or the request's own URL.
func OriginalURL(r *http.Request) string {
	if u, ok := r.Context().Value(originalURLKey{}).(string); ok {
		return u
	}
	return r.URL.RequestURI()
}

// UnavailableMessage is the message of a 503 answered because the database cannot serve the
// request; the cause is logged, not sent (it may name servers and users).
const UnavailableMessage = "Service Unavailable: the database cannot be reached, try again later"

// Classify returns the API error that err stands for: an *Error as it is; an error wrapping a
// kind (a package sentinel made with errkind.New) as that kind, with its message less the
// sentinel's prefix (errkind.Of). Other errors hide their details from the client and are
// logged instead (internal): a database that cannot be
// reached, is closed, busy past its timeout or out of space becomes a 503
// ServiceUnavailableError (database.IsUnavailable), anything else a 500 "Error".
func Classify(err error) (apiErr *Error, internal bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, false
	}
	if k, msg, ok := errkind.Of(err); ok {
		return &Error{Name: k.Name(), Status: k.Status(), Message: msg, Cause: err}, false
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Name: "Error", Status: 499, Message: "request cancelled"}, false
	}
	if database.IsUnavailable(err) {
		return &Error{Name: "ServiceUnavailableError", Status: http.StatusServiceUnavailable, Message: UnavailableMessage, Cause: err}, true
	}
	return &Error{Name: "Error", Status: http.StatusInternalServerError, Message: "Internal Server Error"}, true
}

// Write writes err as Backstage's JSON error body. Internal errors are answered with a generic
// message and their full text goes to the request's access log line (see WithFailure), or,
// outside the framework's server, to logger.
func Write(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	e, internal := Classify(err)
	if internal {
		if f := failureOf(r.Context()); f != nil {
			f.set(err)
		} else if logger != nil {
			logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "url", OriginalURL(r), "err", err)
		}
	}
	writeBody(w, r, e.Status, e.Name, e.Message, e.Errors)
}

// Failure holds the internal error a request was answered with, so the server writes it on the
// request's one access log line (rate-limited per kind) instead of a second line per request.
type Failure struct {
	mu  sync.Mutex
	err error
}

func (f *Failure) set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

// Err returns the recorded error, or nil.
func (f *Failure) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

type failureKey struct{}

// WithFailure returns a context in which Write records internal errors in the returned
// Failure instead of logging them.
func WithFailure(ctx context.Context) (context.Context, *Failure) {
	f := &Failure{}
	return context.WithValue(ctx, failureKey{}, f), f
}

// RecordFailure records err as the request's internal error when the server collects them
// (WithFailure) and reports whether it did; handlers that write their own error pages (HTML)
// call it instead of logging, and log themselves when it returns false.
func RecordFailure(ctx context.Context, err error) bool {
	if f := failureOf(ctx); f != nil {
		f.set(err)
		return true
	}
	return false
}

func failureOf(ctx context.Context) *Failure {
	f, _ := ctx.Value(failureKey{}).(*Failure)
	return f
}

// WriteStatus writes an error body with an explicit status, name and message.
func WriteStatus(w http.ResponseWriter, r *http.Request, status int, name, message string) {
	writeBody(w, r, status, name, message, nil)
}

func writeBody(w http.ResponseWriter, r *http.Request, status int, name, message string, errs any) {
	body := Body{
		Error:    BodyError{Name: name, Message: message},
		Errors:   errs,
		Request:  BodyRequest{Method: r.Method, URL: OriginalURL(r)},
		Response: BodyResponse{StatusCode: status},
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusNotModified {
		w.WriteHeader(status) // a 304 carries no body
		return
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
