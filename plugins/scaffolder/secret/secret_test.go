package secret_test

import (
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/secret"
)

func TestBox(t *testing.T) {
	box, err := secret.NewBox([]byte("0123456789abcdef-key"))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal(map[string]string{"TOKEN": "t0ken"})
	if err != nil || len(sealed) == 0 {
		t.Fatalf("seal = %v, %v", sealed, err)
	}
	if got, err := box.Open(sealed); err != nil || got["TOKEN"] != "t0ken" {
		t.Errorf("open = %v, %v", got, err)
	}
	other, _ := secret.NewBox([]byte("another-key-of-16-bytes"))
	if _, err := other.Open(sealed); err == nil {
		t.Error("a different key opened the secrets")
	}
	if s, _ := box.Seal(nil); s != nil {
		t.Errorf("empty secrets sealed to %q", s)
	}
	if _, err := secret.NewBox([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}

func TestRedactor(t *testing.T) {
	r := secret.NewRedactor(map[string]string{"A": "abcdef", "B": "abcdefgh", "C": "x"})
	tests := []struct{ in, want string }{
		{"token abcdefgh here", "token *** here"},
		{"abcdef and abcdefgh", "*** and ***"},
		{"x stays", "x stays"},
	}
	for _, tc := range tests {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	v := r.Value(map[string]any{"m": []any{"abcdef", 3}}).(map[string]any)
	if v["m"].([]any)[0] != "***" {
		t.Errorf("Value = %v", v)
	}
}
