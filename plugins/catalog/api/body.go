package api

import (
	"errors"
	"net/http"

	"github.com/portico-dev/portico/framework/httpbody"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// maxBody is the largest request body accepted (Backstage's client sends
// by-refs chunks under 100 kB; accept far more).
const maxBody = 8 << 20

// decodeBody decodes a catalog request's JSON body with the framework's rules (size limit,
// no NUL character, well-formed JSON; an empty body reads as {}).
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	return httpbody.DecodeJSON(w, r, maxBody, v)
}

func isNotFound(err error) bool { return errors.Is(err, model.ErrNotFound) }
