package api

import (
	"errors"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// maxBody is the largest request body accepted (Backstage's client sends
// by-refs chunks under 100 kB; accept far more).
const maxBody = 8 << 20

func isNotFound(err error) bool { return errors.Is(err, model.ErrNotFound) }
