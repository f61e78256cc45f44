package framework

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// textBody is compressible text of n bytes.
func textBody(n int) string {
	return strings.Repeat("<li>catalog entity</li>\n", n/24+1)[:n]
}

func decodeBody(t *testing.T, encoding string, body []byte) string {
	t.Helper()
	var r io.Reader
	switch encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "":
		return string(body)
	default:
		t.Fatalf("unexpected Content-Encoding %q", encoding)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", encoding, err)
	}
	return string(b)
}

func TestCompression(t *testing.T) {
	large := textBody(8 << 10)
	write := func(ct, body string, headers ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Set(headers[i], headers[i+1])
			}
			// Written in pieces, as templates and encoders do.
			for len(body) > 0 {
				n := min(len(body), 300)
				_, _ = io.WriteString(w, body[:n])
				body = body[n:]
			}
		}
	}
	tests := []struct {
		name           string
		method         string
		acceptEncoding string
		reqHeaders     []string
		handler        http.Handler
		wantEncoding   string
		wantVary       bool
		wantBody       string
	}{
		{"html, gzip", "GET", "gzip", nil, write("text/html; charset=utf-8", large), "gzip", true, large},
		{"html, browser list prefers br", "GET", "gzip, deflate, br, zstd", nil, write("text/html; charset=utf-8", large), "br", true, large},
		{"css", "GET", "gzip", nil, write("text/css; charset=utf-8", large), "gzip", true, large},
		{"javascript", "GET", "br", nil, write("text/javascript; charset=utf-8", large), "br", true, large},
		{"json", "GET", "gzip", nil, write("application/json", large), "gzip", true, large},
		{"svg", "GET", "gzip", nil, write("image/svg+xml", large), "gzip", true, large},
		{"br refused with q=0", "GET", "br;q=0, gzip", nil, write("text/html", large), "gzip", true, large},
		{"gzip preferred by q", "GET", "br;q=0.5, gzip;q=1.0", nil, write("text/html", large), "gzip", true, large},
		{"everything refused", "GET", "gzip;q=0, br;q=0", nil, write("text/html", large), "", true, large},
		{"star", "GET", "*", nil, write("text/html", large), "br", true, large},
		{"star refused, gzip named", "GET", "*;q=0, gzip", nil, write("text/html", large), "gzip", true, large},
		{"no Accept-Encoding", "GET", "", nil, write("text/html", large), "", true, large},
		{"small body", "GET", "gzip, br", nil, write("text/html", textBody(1023)), "", true, textBody(1023)},
		{"exactly 1 KiB", "GET", "gzip", nil, write("text/html", textBody(1024)), "gzip", true, textBody(1024)},
		{"image", "GET", "gzip, br", nil, write("image/png", large), "", false, large},
		{"archive", "GET", "gzip, br", nil, write("application/gzip", large), "", false, large},
		{"no content type", "GET", "gzip, br", nil, write("", large), "", false, large},
		{"already encoded", "GET", "gzip, br", nil, write("text/html", large, "Content-Encoding", "identity-custom"), "identity-custom", true, ""},
		{"HEAD", "HEAD", "gzip, br", nil, write("text/html", large), "", true, ""},
		{"range request", "GET", "gzip, br", []string{"Range", "bytes=0-99"}, write("text/html", large), "", true, large},
		{"event stream", "GET", "gzip, br", nil, write("text/event-stream", large), "", false, large},
	}
	c := newCompressor()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tt := r.Header.Get("X-Case")
		for _, tc := range tests {
			if tc.name == tt {
				c.middleware(tc.handler).ServeHTTP(w, r)
				return
			}
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	// A transport that leaves Accept-Encoding and the body as they are.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL, nil)
			req.Header.Set("X-Case", tt.name)
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			for i := 0; i+1 < len(tt.reqHeaders); i += 2 {
				req.Header.Set(tt.reqHeaders[i], tt.reqHeaders[i+1])
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			enc := resp.Header.Get("Content-Encoding")
			if enc != tt.wantEncoding {
				t.Fatalf("Content-Encoding = %q, want %q", enc, tt.wantEncoding)
			}
			if vary := strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding"); vary != tt.wantVary {
				t.Errorf("Vary = %q, want Accept-Encoding: %v", resp.Header.Get("Vary"), tt.wantVary)
			}
			if tt.wantEncoding == "identity-custom" {
				return
			}
			if got := decodeBody(t, enc, raw); got != tt.wantBody {
				t.Errorf("body: got %d bytes, want %d", len(got), len(tt.wantBody))
			}
			if enc != "" {
				// net/http may count the encoded bytes of a short response; never the original.
				if cl := resp.Header.Get("Content-Length"); cl != "" && cl != fmt.Sprint(len(raw)) {
					t.Errorf("Content-Length = %s, encoded body has %d bytes", cl, len(raw))
				}
				if len(raw) >= len(tt.wantBody)/4 {
					t.Errorf("compressed %d bytes to %d", len(tt.wantBody), len(raw))
				}
			}
		})
	}
}

// TestCompressionStatuses covers responses that carry no body, error pages, a declared
// Content-Length and a validator.
func TestCompressionStatuses(t *testing.T) {
	large := textBody(4 << 10)
	tests := []struct {
		name         string
		handler      http.HandlerFunc
		wantStatus   int
		wantEncoding string
		wantETag     string
		wantLength   string
	}{
		{"not modified", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/css")
			w.WriteHeader(http.StatusNotModified)
		}, http.StatusNotModified, "", "", ""},
		{"no content", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, http.StatusNoContent, "", "", ""},
		{"not found page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, large)
		}, http.StatusNotFound, "gzip", "", ""},
		{"strong etag turns weak", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", `"abc"`)
			_, _ = io.WriteString(w, large)
		}, http.StatusOK, "gzip", `W/"abc"`, ""},
		{"small declared length kept", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "5")
			_, _ = io.WriteString(w, "hello")
		}, http.StatusOK, "", "", "5"},
		{"empty 200", func(w http.ResponseWriter, r *http.Request) {}, http.StatusOK, "", "", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			newCompressor().middleware(tt.handler).ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tt.wantStatus || res.Header.Get("Content-Encoding") != tt.wantEncoding {
				t.Fatalf("status %d encoding %q, want %d %q", res.StatusCode, res.Header.Get("Content-Encoding"), tt.wantStatus, tt.wantEncoding)
			}
			if got := res.Header.Get("ETag"); got != tt.wantETag {
				t.Errorf("ETag = %q, want %q", got, tt.wantETag)
			}
			if tt.wantLength != "" && res.Header.Get("Content-Length") != tt.wantLength && fmt.Sprint(rec.Body.Len()) != tt.wantLength {
				t.Errorf("Content-Length = %q, body %d bytes, want %s", res.Header.Get("Content-Length"), rec.Body.Len(), tt.wantLength)
			}
			if tt.wantEncoding != "" {
				if got := decodeBody(t, tt.wantEncoding, rec.Body.Bytes()); got != large {
					t.Errorf("body does not decode to what was written (%d bytes)", len(got))
				}
			}
		})
	}
}

// TestCompressionKeepsStreamsLive runs a Server-Sent Events stream through the backend's whole
// HTTP stack (access log, security headers, CORS, compression) as the scaffolder's task event
// stream does: each event is sent only after the client has read the previous one, so a
// layer that held bytes back would stall the stream and fail the test by its deadline. Both
// ways handlers flush are covered: the http.Flusher assertion and http.ResponseController.
func TestCompressionKeepsStreamsLive(t *testing.T) {
	for _, tc := range []struct {
		name, contentType string
		flush             func(w http.ResponseWriter)
	}{
		{"event stream, http.Flusher", "text/event-stream", func(w http.ResponseWriter) {
			f, ok := w.(http.Flusher)
			if !ok {
				panic("the response writer is not an http.Flusher")
			}
			f.Flush()
		}},
		{"event stream, ResponseController", "text/event-stream", func(w http.ResponseWriter) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				panic(err)
			}
		}},
		// A compressible type that flushes before its first KiB is a stream too.
		{"ndjson stream", "application/x-ndjson", func(w http.ResponseWriter) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				panic(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acks := make(chan struct{})
			p := Plugin{ID: "stream", Register: func(r *PluginRegistrar) {
				r.RegisterInit(func(ctx context.Context, d *Deps) error {
					router, err := Use(ctx, d, HTTPRouterService)
					if err != nil {
						return err
					}
					router.AddAuthPolicy(AuthPolicy{Path: "/events", Allow: "unauthenticated"})
					router.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("Content-Type", tc.contentType)
						w.Header().Set("Cache-Control", "no-cache")
						w.WriteHeader(http.StatusOK)
						tc.flush(w)
						for i := range 3 {
							fmt.Fprintf(w, "event: log\ndata: {\"n\":%d}\n\n", i)
							tc.flush(w)
							select {
							case <-acks:
							case <-r.Context().Done():
								return
							}
						}
						fmt.Fprint(w, "event: completion\ndata: {}\n\n")
					})
					return nil
				})
			}}
			tb := startBackend(t, nil, p)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tb.url+"/api/stream/events", nil)
			req.Header.Set("Accept-Encoding", "gzip, br")
			resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			if enc := resp.Header.Get("Content-Encoding"); enc != "" {
				t.Fatalf("stream sent with Content-Encoding %q", enc)
			}
			sc := bufio.NewScanner(resp.Body)
			var events []string
			for sc.Scan() {
				line := sc.Text()
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				events = append(events, line)
				if len(events) <= 3 {
					select {
					case acks <- struct{}{}: // the handler may send the next event
					case <-ctx.Done():
					}
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatalf("stream stalled after %d events: %v", len(events), err)
			}
			if len(events) != 4 || events[3] != "data: {}" {
				t.Fatalf("events = %q", events)
			}
		})
	}
}
