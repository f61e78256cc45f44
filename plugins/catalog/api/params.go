package api

import (
	"net/url"
	"strconv"

	"github.com/portico-dev/portico/framework/apierr"
)

// intParam parses an integer query parameter; ok is false when absent.
func intParam(q url.Values, name string, min int, msg string) (int, bool, error) {
	s, present := q[name]
	if !present || len(s) == 0 {
		return 0, false, nil
	}
	n, err := strconv.Atoi(s[0])
	if err != nil || strconv.Itoa(n) != s[0] {
		return 0, false, apierr.Input("Invalid %s, not an integer", name)
	}
	if n < min {
		return 0, false, apierr.Input("%s", msg)
	}
	return n, true, nil
}

func limitParam(q url.Values) (int, bool, error) {
	return intParam(q, "limit", 1, "Invalid limit, must be greater than zero")
}

func offsetParam(q url.Values) (int, bool, error) {
	return intParam(q, "offset", 0, "Invalid offset, must be zero or greater")
}
