package framework

import (
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// compressMinSize is the smallest body worth compressing: below it the encoding's framing and
// the CPU cost outweigh the bytes saved.
const compressMinSize = 1024

// Compression levels: brotli 5 comes out about 10 % smaller than gzip 6 on the portal's pages
// for under a millisecond each; brotli 4 gains almost nothing over gzip (docs/performance.md,
// "Compression").
const (
	brotliLevel = 5
	gzipLevel   = gzip.DefaultCompression
)

// compressor encodes text responses (HTML, CSS, JavaScript, JSON, SVG…) with brotli or gzip,
// as the request's Accept-Encoding prefers. It leaves alone bodies under compressMinSize, HEAD
// requests, range requests, responses that already have a Content-Encoding, types that are
// compressed already (images, archives) and streams (text/event-stream, or a handler that
// flushes before the first KiB): a flush always reaches the client at once.
type compressor struct {
	gzip, brotli sync.Pool // of *gzip.Writer and *brotli.Writer
}

func newCompressor() *compressor {
	c := &compressor{}
	c.gzip.New = func() any {
		w, _ := gzip.NewWriterLevel(io.Discard, gzipLevel) // the level is valid
		return w
	}
	c.brotli.New = func() any { return brotli.NewWriterLevel(io.Discard, brotliLevel) }
	return c
}

func (c *compressor) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r) // a protocol switch takes over the connection
			return
		}
		cw := &compressWriter{ResponseWriter: w, c: c, status: http.StatusOK}
		if r.Method != http.MethodHead && r.Header.Get("Range") == "" {
			cw.encoding = negotiateEncoding(r.Header.Values("Accept-Encoding"))
		}
		next.ServeHTTP(cw, r)
		// Not deferred: after a panic the outer handler writes the error response itself.
		cw.close()
	})
}

// negotiateEncoding picks "br", "gzip" or "" (identity) from Accept-Encoding values: the
// coding with the highest q (q=0 refuses it, "*" stands for codings not named), brotli on a tie.
func negotiateEncoding(values []string) string {
	q := map[string]float64{}
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			weight := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0
					}
					weight = f
				}
			}
			q[name] = weight
		}
	}
	weight := func(name string) float64 {
		if w, ok := q[name]; ok {
			return w
		}
		if name == "gzip" {
			if w, ok := q["x-gzip"]; ok {
				return w
			}
		}
		return q["*"] // absent: 0
	}
	br, gz := weight("br"), weight("gzip")
	switch {
	case br > 0 && br >= gz:
		return "br"
	case gz > 0:
		return "gzip"
	}
	return ""
}

// compressible reports whether a Content-Type is text worth compressing.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case mt == "text/event-stream":
		return false // a stream: every event must reach the client when it is written
	case strings.HasPrefix(mt, "text/"):
		return true
	case strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"), strings.HasSuffix(mt, "+yaml"):
		return true // application/problem+json, image/svg+xml, application/vnd.oai.openapi+yaml…
	}
	switch mt {
	case "application/json", "application/javascript", "application/xml", "application/yaml",
		"application/x-yaml", "application/x-ndjson", "application/wasm":
		return true
	}
	return false
}

// encoder is what brotli.Writer and gzip.Writer share.
type encoder interface {
	io.WriteCloser
	Flush() error
	Reset(io.Writer)
}

// compressWriter holds back the first KiB of a response to decide whether to compress it.
type compressWriter struct {
	http.ResponseWriter
	c        *compressor
	encoding string // "br", "gzip" or "": what the client accepts

	status      int
	wroteHeader bool   // the handler called WriteHeader
	decided     bool   // headers went out: buf is flushed and enc is set or not
	buf         []byte // the body held back before deciding
	enc         encoder
}

func (w *compressWriter) WriteHeader(code int) {
	if w.decided {
		w.ResponseWriter.WriteHeader(code) // let net/http report the superfluous call
		return
	}
	if w.wroteHeader {
		return // superfluous, and the first status is not sent yet
	}
	if code >= 100 && code < 200 {
		w.ResponseWriter.WriteHeader(code) // informational (103 Early Hints): passed on
		return
	}
	w.status, w.wroteHeader = code, true
	if !bodyAllowed(code) {
		w.decide(false)
	}
}

func bodyAllowed(code int) bool {
	return code != http.StatusNoContent && code != http.StatusNotModified && code != http.StatusPartialContent
}

func (w *compressWriter) Write(p []byte) (int, error) {
	if !w.decided {
		if len(w.buf)+len(p) < compressMinSize && !w.knownLarge() {
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		if err := w.decide(true); err != nil {
			return 0, err
		}
	}
	if w.enc != nil {
		return w.enc.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// knownLarge reports whether the handler declared a Content-Length of at least a KiB.
func (w *compressWriter) knownLarge() bool {
	n, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
	return err == nil && n >= compressMinSize
}

// decide sends the headers, compressing when big is set and the response qualifies, and then
// the held-back body.
func (w *compressWriter) decide(big bool) error {
	w.decided = true
	h := w.Header()
	if compressible(h.Get("Content-Type")) && bodyAllowed(w.status) {
		addVary(h, "Accept-Encoding")
		if big && w.encoding != "" && h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" {
			h.Set("Content-Encoding", w.encoding)
			h.Del("Content-Length")
			h.Del("Accept-Ranges")
			if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
				h.Set("ETag", "W/"+etag) // the same resource, no longer the same bytes
			}
			w.enc = w.getEncoder()
		}
	}
	w.ResponseWriter.WriteHeader(w.status)
	if len(w.buf) == 0 {
		return nil
	}
	buf := w.buf
	w.buf = nil
	var err error
	if w.enc != nil {
		_, err = w.enc.Write(buf)
	} else {
		_, err = w.ResponseWriter.Write(buf)
	}
	return err
}

func (w *compressWriter) getEncoder() encoder {
	var e encoder
	if w.encoding == "br" {
		e = w.c.brotli.Get().(*brotli.Writer)
	} else {
		e = w.c.gzip.Get().(*gzip.Writer)
	}
	e.Reset(w.ResponseWriter)
	return e
}

func (w *compressWriter) putEncoder() {
	e := w.enc
	w.enc = nil
	e.Reset(io.Discard) // drop the reference to the response
	switch e := e.(type) {
	case *brotli.Writer:
		w.c.brotli.Put(e)
	case *gzip.Writer:
		w.c.gzip.Put(e)
	}
}

// Flush sends what the handler wrote so far. A flush before the response is known to be large
// marks a stream, which goes out uncompressed.
func (w *compressWriter) Flush() {
	if !w.decided {
		_ = w.decide(false)
	}
	if w.enc != nil {
		_ = w.enc.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's deadlines and hijacking.
func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// close ends the response once the handler returned.
func (w *compressWriter) close() {
	if !w.decided {
		if !w.wroteHeader && len(w.buf) == 0 {
			return // nothing written: net/http answers 200 with an empty body, as without us
		}
		_ = w.decide(false)
	}
	if w.enc != nil {
		_ = w.enc.Close()
		w.putEncoder()
	}
}

// addVary adds a field to the Vary header unless it is there already.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for part := range strings.SplitSeq(v, ",") {
			if p := strings.TrimSpace(part); p == "*" || strings.EqualFold(p, field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}
