package engine

import (
	"errors"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// ProcessingError is an error a processor returns to control how it is serialized (its name,
// e.g. InputError or NotFoundError).
type ProcessingError struct {
	Serialized model.SerializedError
}

func (e *ProcessingError) Error() string { return e.Serialized.Message }

func asProcessingError(err error, target **ProcessingError) bool {
	return errors.As(err, target)
}
