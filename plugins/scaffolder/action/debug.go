package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxListing bounds the workspace listing debug:log writes into one log event (stored with
// the task, and returned by dry runs).
const maxListing = 1 << 20

func newDebugLog() Action {
	return &builtin{
		id:          "debug:log",
		description: "Writes a message into the log and/or lists all files in the workspace.",
		dryRun:      true,
		schema: schema(`{"type":"object","properties":{
"message":{"type":"string","title":"Message to output."},
"listWorkspace":{"oneOf":[{"type":"boolean"},{"type":"string","enum":["with-filenames","with-contents"]}],"title":"List all files in the workspace, if true (or with-filenames); with-contents also prints their contents."}}}`, ""),
		examples: []Example{{Description: "Write a debug message", Example: "steps:\n  - action: debug:log\n    id: write-debug-line\n    name: Write \"Hello Backstage!\" log line\n    input:\n      message: Hello Backstage!\n"}},
		handle: func(ctx context.Context, c *Context) error {
			if msg := str(c.Input, "message"); msg != "" {
				c.log().Info(msg)
			}
			mode := ""
			switch v := c.Input["listWorkspace"].(type) {
			case bool:
				if v {
					mode = "with-filenames"
				}
			case string:
				mode = v
			}
			if mode == "" {
				return nil
			}
			var lines []string
			size := 0
			err := filepath.WalkDir(c.Workspace, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					return ctx.Err()
				}
				rel, _ := filepath.Rel(c.Workspace, p)
				line := "- " + filepath.ToSlash(rel)
				if size += len(line); size > maxListing {
					lines = append(lines, "… (listing truncated)")
					return filepath.SkipAll
				}
				if mode == "with-contents" && d.Type().IsRegular() {
					info, err := d.Info()
					if err != nil {
						return err
					}
					if size += int(info.Size()); size > maxListing {
						lines = append(lines, line+":\n  … (listing truncated)")
						return filepath.SkipAll
					}
					b, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					if isBinary(b) {
						line += ":\n  <binary>"
					} else {
						line += ":\n  " + strings.ReplaceAll(string(b), "\n", "\n  ")
					}
				}
				lines = append(lines, line)
				return nil
			})
			if err != nil {
				return fmt.Errorf("debug:log: list workspace: %w", err)
			}
			c.log().Info("Workspace:\n" + strings.Join(lines, "\n"))
			return nil
		},
	}
}

func newDebugWait(d BuiltinDeps) Action {
	return &builtin{
		id:          "debug:wait",
		description: "Waits for a certain period of time.",
		schema: schema(`{"type":"object","properties":{
"minutes":{"type":"number","title":"Waiting period in minutes."},
"seconds":{"type":"number","title":"Waiting period in seconds."},
"milliseconds":{"type":"number","title":"Waiting period in milliseconds."}}}`, ""),
		examples: []Example{{Description: "Waiting for 50 milliseconds", Example: "steps:\n  - action: debug:wait\n    id: wait-50ms\n    name: Waiting for 50 milliseconds\n    input:\n      milliseconds: 50\n"}},
		handle: func(ctx context.Context, c *Context) error {
			total := time.Duration(number(c.Input, "minutes")*float64(time.Minute)) +
				time.Duration(number(c.Input, "seconds")*float64(time.Second)) +
				time.Duration(number(c.Input, "milliseconds")*float64(time.Millisecond))
			if total > d.MaxWait {
				return inputErr("debug:wait: waiting duration is longer than the maximum threshold of %s", d.MaxWait)
			}
			if total <= 0 {
				return nil
			}
			c.log().Info("Waiting", "duration", total.String())
			return d.Sleep(ctx, total)
		},
	}
}
