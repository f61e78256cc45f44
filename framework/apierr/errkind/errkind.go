// Package errkind holds Backstage's error kinds (InputError, NotFoundError, …) as sentinel
// errors with their HTTP status, so that any package, including pure model packages that may
// not import the HTTP layer, can say what kind of failure an error is:
//
//	var ErrNotFound = errkind.New(errkind.NotFound, "task not found") // a package's sentinel
//	return fmt.Errorf("%w: task %s", ErrNotFound, id)                 // errors.Is(err, ErrNotFound), errors.Is(err, errkind.NotFound)
//
// framework/apierr maps every error that wraps a kind to Backstage's error body and status,
// in one place; handlers write errors with apierr.Write and need no mapping of their own.
// The package imports nothing but the standard library's errors and strings.
package errkind

import (
	"errors"
	"strings"
)

// Kind is one of Backstage's error names with the HTTP status it answers. A Kind is itself an
// error (its name), used as a sentinel: wrap it, or a package sentinel made with New, and test
// it with errors.Is.
type Kind struct {
	name   string
	status int
}

// Error returns the kind's name, e.g. "NotFoundError".
func (k *Kind) Error() string { return k.name }

// Name returns Backstage's name of the kind, e.g. "NotFoundError".
func (k *Kind) Name() string { return k.name }

// Status returns the HTTP status the kind answers.
func (k *Kind) Status() int { return k.status }

// Backstage's error kinds (@backstage/errors) and the statuses its error handler gives them.
var (
	Input              = &Kind{"InputError", 400}
	Authentication     = &Kind{"AuthenticationError", 401}
	NotAllowed         = &Kind{"NotAllowedError", 403}
	NotFound           = &Kind{"NotFoundError", 404}
	Conflict           = &Kind{"ConflictError", 409}
	NotModified        = &Kind{"NotModifiedError", 304}
	NotImplemented     = &Kind{"NotImplementedError", 501}
	ServiceUnavailable = &Kind{"ServiceUnavailableError", 503}
)

// Kinds lists every kind, for tables and tests.
var Kinds = []*Kind{Input, Authentication, NotAllowed, NotFound, Conflict, NotModified, NotImplemented, ServiceUnavailable}

// sentinel is a package's own sentinel error of a kind.
type sentinel struct {
	kind *Kind
	text string
}

func (s *sentinel) Error() string { return s.text }
func (s *sentinel) Unwrap() error { return s.kind }

// New returns a sentinel error of kind k with the given text, for a package that names its
// own failures (errors.Is(err, pkg.ErrNotFound)) while apierr answers them as k
// (errors.Is(err, k) holds too). Wrap it as fmt.Errorf("%w: detail", sentinel): the client
// reads "detail", the sentinel's text being the kind's label in logs.
func New(k *Kind, text string) error { return &sentinel{kind: k, text: text} }

// Of returns the kind err wraps and the message a client reads: err's text without the
// leading "<sentinel text>: " (or "<kind name>: " for a kind wrapped directly). ok is false
// when err wraps no kind.
func Of(err error) (k *Kind, message string, ok bool) {
	if !errors.As(err, &k) {
		return nil, "", false
	}
	message = err.Error()
	prefix := k.name
	var s *sentinel
	if errors.As(err, &s) && s.kind == k {
		prefix = s.text
	}
	if rest, found := strings.CutPrefix(message, prefix+": "); found && rest != "" {
		message = rest
	}
	return k, message, true
}
