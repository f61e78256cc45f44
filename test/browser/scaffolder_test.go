package browser

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/internal/browsertest"
	"github.com/portico-dev/portico/plugins/all"
)

const greetTemplate = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: greet
  title: Greeter
  description: Says hello, slowly
  tags: [demo]
spec:
  owner: group:default/platform
  type: demo
  parameters:
    - title: Who
      required: [name]
      properties:
        name: {type: string, title: Name}
        shout: {type: boolean, title: Shout, default: false}
  steps:
    - id: hello
      name: Say hello
      action: debug:log
      input:
        message: 'Hello ${{ parameters.name | upper if parameters.shout else parameters.name }}'
    - id: pause
      name: Pause
      action: debug:wait
      input: {milliseconds: 700}
    - id: bye
      name: Say goodbye
      action: debug:log
      input: {message: 'Goodbye ${{ parameters.name }}'}
  output:
    links:
      - title: Greeting page
        url: https://example.com/hello/${{ parameters.name }}
`

// TestCreateFromTemplate fills a template's generated form, reviews it, creates the task and
// watches its steps and log stream in live until the output link appears.
func TestCreateFromTemplate(t *testing.T) {
	ctx := browsertest.New(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(file, []byte(greetTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	portal := frameworktest.Start(t, map[string]any{
		"app":     map[string]any{"title": "Kestrel Portal"},
		"backend": map[string]any{"reading": map[string]any{"localRoots": []any{dir}}},
		"catalog": map[string]any{
			"rules":     []any{map[string]any{"allow": []any{"Template", "Location"}}},
			"locations": []any{map[string]any{"type": "file", "target": file}},
		},
	}, all.Features()...)
	signIn(ctx, t, portal)
	shots := screenshotDir(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	// The Create item leads to the template cards (the catalog ingests the template first).
	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/catalog"), chromedp.WaitVisible(`nav.sidebar a[href="/create"]`), chromedp.Click(`nav.sidebar a[href="/create"]`)); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.scaffolder-card').length`))
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if i > 100 {
			t.Fatal("no template card appeared")
		}
		time.Sleep(200 * time.Millisecond)
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
	}
	browsertest.Screenshot(ctx, t, shots, "create-templates")

	// Fill the form; submitting it empty first shows the server's message.
	if err := chromedp.Do(ctx, chromedp.Click(`a[aria-label="Choose Greeter"]`)); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(`#f-v-name`),
		chromedp.Click(`#review-button`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `.field-error`, "required")
	err = chromedp.Do(ctx,
		chromedp.SetValue(`#f-v-name`, "ada"),
		chromedp.Click(`#f-v-shout`),
		chromedp.Click(`#review-button`),
		chromedp.WaitVisible(`.scaffolder-review`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `.scaffolder-review`, "ada")
	browsertest.Screenshot(ctx, t, shots, "create-review")
	if err := chromedp.Do(ctx, chromedp.Click(`#create-button`), chromedp.WaitVisible(`.scaffolder-task`)); err != nil {
		t.Fatal(err)
	}

	// The log streams in (SSE) until the task completes and its output link shows; the page
	// is never reloaded (the script's fallback), so the stream did the work.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.__sameDocument = 1`)); err != nil {
		t.Fatal(err)
	}
	waitText(ctx, t, `#task-status`, "completed")
	waitText(ctx, t, `#output-links`, "Greeting page")
	// Finished steps are folded; read their logs from the DOM.
	log, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.scaffolder-step[data-step="hello"] .step-log').textContent`))
	if err != nil || !strings.Contains(log, "Hello ADA") || strings.Contains(log, "Goodbye") {
		t.Errorf("hello step log = %q, %v", log, err)
	}
	waitText(ctx, t, `.scaffolder-step[data-step="bye"] .step-status`, "completed")
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === 1`)); err != nil || !same {
		t.Errorf("the task page reloaded instead of streaming (%v)", err)
	}
	browsertest.Screenshot(ctx, t, shots, "create-task")
}
