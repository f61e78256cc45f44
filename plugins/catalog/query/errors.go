package query

import "fmt"

// InputError is a malformed filter, predicate, field list, order or cursor.
// Its message is Backstage's, word for word, so the API answers 400
// InputError with it.
type InputError struct {
	Message string
}

func (e *InputError) Error() string { return e.Message }

func inputErrorf(format string, args ...any) error {
	return &InputError{Message: fmt.Sprintf(format, args...)}
}
