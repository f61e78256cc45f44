package reader_test

import (
	"encoding/base64"
	"testing"
)

func decodeB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("cursor %q is not base64: %v", s, err)
	}
	return b
}
