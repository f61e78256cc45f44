package hello

import (
	"context"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// GreetedAnnotation is the annotation GreetingProcessor sets on every Component.
const GreetedAnnotation = "hello.example.com/greeted"

// GreetingProcessor annotates every Component with hello.example.com/greeted: "true". It runs
// before validation (a pre-processor), after the catalog's built-in processors.
type GreetingProcessor struct{}

// Name implements engine.Processor.
func (GreetingProcessor) Name() string { return "HelloGreetingProcessor" }

// PreProcessEntity implements engine.PreProcessor.
func (GreetingProcessor) PreProcessEntity(_ context.Context, e *model.Entity, _ *engine.ProcessContext) (*model.Entity, error) {
	if strings.EqualFold(e.Kind, "Component") {
		e.SetAnnotation(GreetedAnnotation, "true")
	}
	return e, nil
}

var (
	_ engine.Processor    = GreetingProcessor{}
	_ engine.PreProcessor = GreetingProcessor{}
)
