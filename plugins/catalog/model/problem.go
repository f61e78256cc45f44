package model

import (
	"strconv"
	"strings"
)

// Stage says which step of Backstage's processing pipeline a problem belongs to. The stage
// decides how the problem is wrapped when it is reported as a processing error.
type Stage string

// The stages, in the order Backstage runs them.
const (
	// StageParse: the descriptor could not be read as YAML, or a document is not an object.
	StageParse Stage = "parse"
	// StageEnvelope: the minimal envelope (apiVersion, kind, metadata.name) is malformed.
	StageEnvelope Stage = "envelope"
	// StagePolicy: an entity policy failed (schema, foreign root fields, field formats).
	StagePolicy Stage = "policy"
	// StageKind: no kind validator accepts the entity, or the accepting one rejects its spec.
	StageKind Stage = "kind"
	// StageRelations: a relation could not be derived (an unparsable reference).
	StageRelations Stage = "relations"
)

// Error names as Backstage's JavaScript code throws them; they appear in serialized errors.
const (
	ErrorNameError      = "Error"
	ErrorNameTypeError  = "TypeError"
	ErrorNameInputError = "InputError"
)

// Messages of the errors Backstage's processing orchestrator raises around a problem.
const (
	MessageEnvelopeFailed   = "Entity envelope failed validation before processing"
	MessagePolicyFailed     = "Policy check failed"
	MessageNoKindValidator  = "No processor recognized the entity as valid, possibly caused by a foreign kind or apiVersion"
	MessageFormatDocsSuffix = "To learn more about catalog file format, visit: https://github.com/backstage/backstage/blob/master/docs/architecture-decisions/adr002-default-catalog-file-format.md"
)

// Processor names used in processing errors, as Backstage names its processors.
const (
	ProcessorBuiltinKinds       = "BuiltinKindsEntityProcessor"
	ProcessorScaffolderEntities = "ScaffolderEntitiesProcessor"
)

// Problem is one thing wrong with an entity or a descriptor document.
type Problem struct {
	// Stage is the pipeline step that found the problem.
	Stage Stage `json:"stage"`
	// Path is a JSON pointer (RFC 6901) to the offending value, "" for the document root. For
	// a missing value it is the path the value should have; locating such a problem in a
	// document falls back to the closest existing parent.
	Path string `json:"path"`
	// Message says what is wrong, in Backstage's wording.
	Message string `json:"message"`
	// ErrorName is the class of the JavaScript error Backstage throws for this problem
	// ("Error" or "TypeError"); it becomes the cause's name in a processing error.
	ErrorName string `json:"errorName,omitempty"`
	// Processor names the processor whose check failed (kind and relation stages only).
	Processor string `json:"processor,omitempty"`
	// Line and Column locate the problem in its source document (1-based), 0 when unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// Error implements error: the message, prefixed with the source line when known.
func (p Problem) Error() string {
	if p.Line > 0 {
		return "line " + strconv.Itoa(p.Line) + ": " + p.Message
	}
	return p.Message
}

// ProcessingError returns the error Backstage's processing orchestrator would record for this
// problem, ready to be stored in an entity's status. entityRef is the canonical reference of
// the entity being processed; it appears in kind validation errors and may be empty. Parse
// problems come back as plain InputErrors: Backstage prefixes them with the location
// ("YAML error at <location>, ..."), which only the caller knows.
func (p Problem) ProcessingError(entityRef string) SerializedError {
	cause := &SerializedError{Name: p.ErrorName, Message: p.Message}
	if cause.Name == "" {
		cause.Name = ErrorNameError
	}
	wrap := func(msg string) SerializedError {
		return SerializedError{
			Name:    ErrorNameInputError,
			Message: msg + "; caused by " + cause.Name + ": " + cause.Message,
			Cause:   cause,
		}
	}
	processor := p.Processor
	if processor == "" {
		processor = ProcessorBuiltinKinds
	}
	switch p.Stage {
	case StageEnvelope:
		return wrap(MessageEnvelopeFailed)
	case StagePolicy:
		return wrap(MessagePolicyFailed)
	case StageKind:
		if p.Message == MessageNoKindValidator {
			return SerializedError{Name: ErrorNameInputError, Message: p.Message}
		}
		msg := "Processor " + processor + " threw an error while validating the entity"
		if entityRef != "" {
			msg += " " + entityRef
		}
		return wrap(msg)
	case StageRelations:
		return wrap("Processor " + processor + " threw an error while postprocessing")
	default:
		return SerializedError{Name: ErrorNameInputError, Message: p.Message}
	}
}

// Problems is a list of problems; it implements error so a non-empty list can be returned as
// one. Use [Problems.Err] to turn an empty list into a nil error.
type Problems []Problem

// Error joins the problems' messages.
func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Error()
	}
	return strings.Join(parts, "; ")
}

// Err returns nil for an empty list and the list itself otherwise.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// OfStage returns the problems of one stage, in order.
func (ps Problems) OfStage(s Stage) Problems {
	var out Problems
	for _, p := range ps {
		if p.Stage == s {
			out = append(out, p)
		}
	}
	return out
}
