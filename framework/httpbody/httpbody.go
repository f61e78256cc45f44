// Package httpbody decodes the JSON body of an API request, the one way every plugin does it:
// the body is read through [http.MaxBytesReader] with the caller's size limit, must be one
// well-formed JSON value, and may not hold a NUL character in any string, key or value.
//
// NUL is refused because PostgreSQL cannot store or compare text holding it: a NUL that
// reached a query failed as a 500 deep in a store. Refusing it here answers 400 for every
// plugin at once, as the router does for paths and query parameters.
//
// Every failure is an [apierr.Error] of name InputError (400), so a handler writes it with
// [apierr.Write] and Backstage clients read Backstage's error body.
package httpbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
)

// NULMessage is the message of the error answered for a body holding a NUL character.
const NULMessage = `Malformed request body: strings may not contain a NUL character (\u0000)`

// DecodeJSON reads r's body, at most limit bytes, and decodes it into v. An empty body (or
// only white space) leaves v unchanged, as Backstage's express.json() reads it as {}; the
// handler's own checks then name the missing fields. w is the response the request belongs
// to: a body over the limit makes the server close the connection after answering.
func DecodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return apierr.Input("Request body is larger than %d bytes", limit)
		}
		return apierr.Input("Could not read request body: %v", err)
	}
	return Unmarshal(b, v)
}

// Unmarshal decodes the JSON text b into v with DecodeJSON's rules (an empty b leaves v
// unchanged; NUL and malformed JSON are InputErrors), for a body a handler read itself.
func Unmarshal(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if HasNUL(b) {
		return apierr.Input("%s", NULMessage)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return apierr.Input("Malformed request body: %v", err)
	}
	return nil
}

// HasNUL reports whether JSON text holds a NUL character: a raw NUL byte, or a \u0000 escape
// in a string or key (one not preceded by an escaped backslash, as in "\\u0000", which is the
// six characters \u0000). Outside strings a backslash is not valid JSON, so scanning the
// text is exact for every body the decoder would accept.
func HasNUL(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(`\u0000`))
		if j < 0 {
			return false
		}
		at := i + j
		n := 0
		for k := at - 1; k >= 0 && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = at + 1
	}
}
