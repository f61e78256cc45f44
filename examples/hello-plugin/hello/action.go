package hello

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// GreetActionID is the action's ID, as templates write it in `action:`.
const GreetActionID = "hello:greet"

// greet is the hello:greet action: input name, logs "Hello, <name>!", output greeting.
type greet struct{}

// GreetAction returns the hello:greet action.
func GreetAction() action.Action { return greet{} }

func (greet) ID() string { return GreetActionID }

func (greet) Description() string { return "Greets someone: logs and outputs \"Hello, <name>!\"." }

func (greet) Schema() action.Schema {
	return action.Schema{
		Input: json.RawMessage(`{"type":"object","required":["name"],"properties":{
"name":{"type":"string","title":"Name","description":"Who to greet.","minLength":1,"maxLength":200}}}`),
		Output: json.RawMessage(`{"type":"object","properties":{
"greeting":{"type":"string","title":"The greeting"}}}`),
	}
}

// SupportsDryRun: the action changes nothing, so dry runs execute it.
func (greet) SupportsDryRun() bool { return true }

func (greet) Examples() []action.Example {
	return []action.Example{{Description: "Greet Ada", Example: "steps:\n  - id: greet\n    action: hello:greet\n    input:\n      name: Ada\n"}}
}

// Handle logs and outputs the greeting. The input is already validated against the schema.
func (greet) Handle(ctx context.Context, c *action.Context) error {
	name, _ := c.Input["name"].(string)
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("%s: input name is empty", GreetActionID)
	}
	greeting := "Hello, " + name + "!"
	if c.Logger != nil {
		c.Logger.InfoContext(ctx, greeting)
	}
	c.Output("greeting", greeting)
	return nil
}

var (
	_ action.DryRunner = greet{}
	_ action.Exampler  = greet{}
)
