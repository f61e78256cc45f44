package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// maxBody is the largest request body accepted (Backstage's client sends
// by-refs chunks under 100 kB; accept far more).
const maxBody = 8 << 20

func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return apierr.Input("could not read request body: %v", err)
	}
	if len(b) > maxBody {
		return apierr.Input("request body too large")
	}
	if len(b) == 0 {
		b = []byte("{}")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return apierr.Input("Malformed request body: %v", err)
	}
	// PostgreSQL cannot compare or store text holding NUL: refused here, for every endpoint,
	// rather than failing as a 500 deep in a query.
	if model.JSONHasNUL(b) {
		return apierr.Input("Malformed request body: strings may not contain a NUL character (\\u0000)")
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, model.ErrNotFound) }
