package query

import (
	"fmt"

	"github.com/portico-dev/portico/framework/apierr/errkind"
)

// InputError is a malformed filter, predicate, field list, order or cursor.
// Its message is Backstage's, word for word, so the API answers 400
// InputError with it (it is of the kind errkind.Input).
type InputError struct {
	Message string
}

func (e *InputError) Error() string { return e.Message }

// Unwrap makes an InputError of Backstage's kind InputError (400) for apierr.
func (e *InputError) Unwrap() error { return errkind.Input }

func inputErrorf(format string, args ...any) error {
	return &InputError{Message: fmt.Sprintf(format, args...)}
}
