package scaffolder_test

import (
	"io"
	"strings"
	"testing"
)

// TestParameterSchemaAsBackstage reads GET parameter-schema as bytes: Backstage writes its keys
// in the order title, presentation, description, ui:options, steps, formDecorators and leaves
// out what the template does not set (no null description or ui:options, no empty
// formDecorators), which forms built from the answer see.
func TestParameterSchemaAsBackstage(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		b := h.start(testdata(t, "templates/echo.yaml"))
		waitForEntity(t, b.URL, "template", "default", "echo")
		resp, err := authed.Get(b.URL + "/api/scaffolder/v2/templates/default/template/echo/parameter-schema")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		data, _ := io.ReadAll(resp.Body)
		got := string(data)
		if !strings.HasPrefix(got, `{"title":"Echo","description":"Echoes its parameters","steps":[{"title":"Basics","schema":{`) {
			t.Errorf("keys out of Backstage's order: %s", got)
		}
		for _, extra := range []string{`"ui:options":null`, `"formDecorators":[]`, `"description":null`} {
			if strings.Contains(got, extra) {
				t.Errorf("the answer holds %s, which Backstage leaves out: %s", extra, got)
			}
		}
	})
}
