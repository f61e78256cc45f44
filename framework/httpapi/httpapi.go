// Package httpapi is the one adapter between a plugin's JSON handlers and net/http. A handler
// reads its request and returns the value to answer or an error; the adapter writes the value
// as JSON (200 unless the handler says otherwise with a Response) and an error as Backstage's
// error body with its status (apierr.Write: apierr errors and errkind sentinels map to their
// kind, a database that cannot be reached to 503, anything else to a 500 whose cause is
// logged, not sent):
//
//	api := httpapi.New(logger, httpapi.DefaultBodyLimit)
//	router.HandleFunc("GET /tasks/{id}", api.Handle(h.task))
//
//	func (h *handlers) task(r *httpapi.Request) (any, error) {
//		return h.svc.Task(r.Context(), r.PathValue("id")) // a value → 200 JSON, an error → its status
//	}
//
// Request bodies are decoded with r.DecodeJSON (framework/httpbody's rules: the API's size
// limit, no NUL character, well-formed JSON). Handlers that stream (server-sent events, a
// JSON array written page by page) stay plain http.HandlerFuncs and write errors with
// apierr.Write.
package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpbody"
)

// DefaultBodyLimit is the request body limit of an API made with a limit of 0 (1 MiB).
const DefaultBodyLimit = 1 << 20

// ContentType is the Content-Type of every JSON answer.
const ContentType = "application/json; charset=utf-8"

// API adapts Func handlers to net/http for one plugin: its logger receives the causes of
// internal errors outside the framework's server (inside it they go to the request's access
// log line), and BodyLimit bounds the bodies its handlers decode.
type API struct {
	logger    *slog.Logger
	bodyLimit int64
}

// New returns an API logging to logger (may be nil) whose handlers decode request bodies of
// at most bodyLimit bytes (DefaultBodyLimit when 0 or less).
func New(logger *slog.Logger, bodyLimit int64) *API {
	if bodyLimit <= 0 {
		bodyLimit = DefaultBodyLimit
	}
	return &API{logger: logger, bodyLimit: bodyLimit}
}

// Func is a JSON handler: it returns the value to answer (any JSON-encodable value, or a
// *Response for another status, headers or no body) or an error.
type Func func(r *Request) (any, error)

// Request is the request a Func reads: the *http.Request (PathValue, URL, Context…) and the
// body decoder bound to the API's limit and the response.
type Request struct {
	*http.Request
	w     http.ResponseWriter
	limit int64
}

// DecodeJSON decodes the request's JSON body into v with httpbody's rules and the API's size
// limit; an empty body leaves v unchanged. Its errors are InputErrors (400).
func (r *Request) DecodeJSON(v any) error {
	return httpbody.DecodeJSON(r.w, r.Request, r.limit, v)
}

// Response is an answer other than "200 with this value as JSON".
type Response struct {
	Status int         // 200 when 0
	Header http.Header // added to the response's headers
	Body   any         // written as JSON; nil writes no body
}

// OK answers 200 with body as JSON (the same as returning body; for adding headers).
func OK(body any) *Response { return &Response{Status: http.StatusOK, Body: body} }

// Created answers 201 with body as JSON.
func Created(body any) *Response { return &Response{Status: http.StatusCreated, Body: body} }

// NoContent answers 204 with no body.
func NoContent() *Response { return &Response{Status: http.StatusNoContent} }

// Empty answers status with no body (Backstage answers some writes with an empty 200).
func Empty(status int) *Response { return &Response{Status: status} }

// Status answers status with body as JSON (a body that is not Backstage's error body, such as
// the catalog's {"errors":[…]} of an invalid entity).
func Status(status int, body any) *Response { return &Response{Status: status, Body: body} }

// WithHeader adds a response header and returns resp.
func (resp *Response) WithHeader(key, value string) *Response {
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	resp.Header.Add(key, value)
	return resp
}

// Handle returns the http.HandlerFunc that runs fn and writes its answer. A nil value answers
// 200 with no body.
func (a *API) Handle(fn Func) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(&Request{Request: r, w: w, limit: a.bodyLimit})
		if err != nil {
			apierr.Write(w, r, a.logger, err)
			return
		}
		a.write(w, r, v)
	}
}

// Error writes err as Backstage's error body, for handlers that are not Funcs.
func (a *API) Error(w http.ResponseWriter, r *http.Request, err error) {
	apierr.Write(w, r, a.logger, err)
}

func (a *API) write(w http.ResponseWriter, r *http.Request, v any) {
	status, body := http.StatusOK, v
	if resp, ok := v.(*Response); ok {
		if resp.Status != 0 {
			status = resp.Status
		}
		for k, vs := range resp.Header {
			for _, s := range vs {
				w.Header().Add(k, s)
			}
		}
		body = resp.Body
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		apierr.Write(w, r, a.logger, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil && a.logger != nil {
		a.logger.DebugContext(r.Context(), "write response", "err", err)
	}
}

// WriteJSON writes v as JSON with status, for handlers that are not Funcs (a health check, a
// route that answers before it knows it will stream).
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
