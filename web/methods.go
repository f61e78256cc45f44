package web

import "net/http"

// MethodNotAllowed answers 405 Method Not Allowed, naming the methods the page takes in the
// Allow header (e.g. "GET, HEAD").
func MethodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
}

// ReadOnly reports whether r is a GET or a HEAD, the methods of a page that only shows
// something; any other method is answered with MethodNotAllowed.
func ReadOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	MethodNotAllowed(w, "GET, HEAD")
	return false
}
