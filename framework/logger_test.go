package framework

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestLoggerRedactsSecrets(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := NewLogger(&buf, LoggerOptions{Format: format, Secrets: []string{"s3cr3t-token", "ab"}})
			if err != nil {
				t.Fatal(err)
			}
			log = log.With("dsn", "postgres://u:s3cr3t-token@h/db")
			log.Info("connecting with s3cr3t-token", "err", errors.New("auth s3cr3t-token failed"), "n", 3, "short", "ab")
			out := buf.String()
			if strings.Contains(out, "s3cr3t-token") {
				t.Fatalf("secret leaked: %s", out)
			}
			if !strings.Contains(out, "[REDACTED]") || !strings.Contains(out, "ab") {
				t.Errorf("unexpected output: %s", out)
			}
		})
	}
}

func TestLoggerOptionsErrors(t *testing.T) {
	if _, err := NewLogger(&bytes.Buffer{}, LoggerOptions{Level: "loud"}); err == nil {
		t.Error("bad level accepted")
	}
	if _, err := NewLogger(&bytes.Buffer{}, LoggerOptions{Format: "xml"}); err == nil {
		t.Error("bad format accepted")
	}
}
