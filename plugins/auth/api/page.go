package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
)

type webMessage struct {
	Type     string        `json:"type"`
	Response *Session      `json:"response,omitempty"`
	Error    *errorPayload `json:"error,omitempty"`
}

type errorPayload struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// encodeURIComponent escapes like JavaScript's encodeURIComponent, plus the single quote, so the
// result is safe inside a single-quoted script string.
func encodeURIComponent(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// writePostMessage answers the popup the way Backstage's frontend waits for: first the target
// origin to '*' (so the app can tell a misconfigured origin from a hang), then the result to
// the app's origin only; then the popup closes. The inline script is allowed by its hash.
func writePostMessage(w http.ResponseWriter, status int, origin string, msg webMessage) {
	data, _ := json.Marshal(msg) // plain structs: cannot fail
	script := `
    var authResponse = decodeURIComponent('` + encodeURIComponent(string(data)) + `');
    var origin = decodeURIComponent('` + encodeURIComponent(origin) + `');
    var target = window.opener || window.parent;
    target.postMessage({'type': 'config_info', 'targetOrigin': origin}, '*');
    target.postMessage(JSON.parse(authResponse), origin);
    setTimeout(function () { window.close(); }, 100);
  `
	sum := sha256.Sum256([]byte(script))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Frame-Options", "sameorigin")
	w.Header().Set("Cache-Control", "no-store")
	// The page must stay in its opener's browsing context group to reach window.opener.
	w.Header().Set("Cross-Origin-Opener-Policy", "unsafe-none")
	w.Header().Set("Content-Security-Policy", "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("<html><body><script>" + script + "</script></body></html>"))
}

var refusalPage = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed</title><link rel="stylesheet" href="/static/portico.css"></head>
<body><main id="main" class="sign-in-refused">
<h1>Sign-in failed</h1>
<p role="alert" data-error-name="{{.Name}}">{{.Message}}</p>
<p><a href="/sign-in">Back to sign-in</a></p>
</main></body></html>
`))

// writeRefusal is the redirect flow's answer to a failed sign-in: a page naming the reason,
// with the error's status, and no session.
func writeRefusal(w http.ResponseWriter, ae *apierr.Error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(ae.Status)
	msg := ae.Message
	if ae.Status >= 500 {
		msg = "Sign-in failed because of an error on the portal; please try again later."
	}
	_ = refusalPage.Execute(w, errorPayload{Name: ae.Name, Message: msg})
}
