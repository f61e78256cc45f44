package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// builtinKindsProcessor emits the relations the built-in kinds' spec fields declare.
type builtinKindsProcessor struct {
	validator *model.Validator
}

func (p *builtinKindsProcessor) Name() string { return model.ProcessorBuiltinKinds }

func (p *builtinKindsProcessor) PostProcessEntity(_ context.Context, e *model.Entity, pc *ProcessContext) (*model.Entity, error) {
	pairs, problems := p.validator.Relations(e)
	if len(problems) > 0 {
		return nil, &ProcessingError{Serialized: model.SerializedError{Name: problems[0].ErrorName, Message: problems[0].Message}}
	}
	for _, r := range model.FlattenRelationPairs(pairs) {
		pc.Emit.Relation(r)
	}
	sortListFields(e)
	return e, nil
}

// sortedListFields are the relation-bearing list fields of the built-in kinds that Backstage
// returns sorted, whatever the order in the descriptor file.
var sortedListFields = map[string][]string{
	model.KindComponent: {"providesApis", "consumesApis", "dependsOn", "dependencyOf"},
	model.KindResource:  {"dependsOn", "dependencyOf"},
	model.KindGroup:     {"children", "members"},
	model.KindUser:      {"memberOf"},
}

// sortListFields sorts the entity's sortedListFields in place. A list that holds anything but
// strings is left alone (validation has already refused it for the built-in kinds).
func sortListFields(e *model.Entity) {
	for _, field := range sortedListFields[e.Kind] {
		list, ok := e.Spec[field].([]any)
		if !ok || len(list) < 2 {
			continue
		}
		strs := make([]string, len(list))
		for i, v := range list {
			s, ok := v.(string)
			if !ok {
				strs = nil
				break
			}
			strs[i] = s
		}
		if strs == nil {
			continue
		}
		sort.Strings(strs)
		for i, s := range strs {
			list[i] = s
		}
	}
}

// annotateLocationProcessor sets the location annotations as Backstage's
// AnnotateLocationEntityProcessor does; values the author wrote win.
type annotateLocationProcessor struct{}

func (annotateLocationProcessor) Name() string { return "AnnotateLocationEntityProcessor" }

func (annotateLocationProcessor) PreProcessEntity(_ context.Context, e *model.Entity, pc *ProcessContext) (*model.Entity, error) {
	set := func(k, v string) {
		if v == "" {
			return
		}
		if _, ok := e.Annotation(k); !ok {
			e.SetAnnotation(k, v)
		}
	}
	set(model.AnnotationManagedByLocation, pc.Location.String())
	set(model.AnnotationManagedByOriginLocation, pc.OriginLocation.String())
	if pc.Location.Type == model.LocationTypeURL {
		set(model.AnnotationViewURL, pc.Location.Target)
		edit, source := scmURLs(pc.Location.Target)
		set(model.AnnotationEditURL, edit)
		if source != "" {
			set(model.AnnotationSourceLocation, model.URLLocation(source).String())
		}
	}
	return e, nil
}

// locationReaderProcessor reads url and file locations through the URL reader and parses
// their YAML documents into entities. A url location's target is user-controlled (anyone may
// register one): it is read through the reader's Remote view, never from the server's disk.
//
// The operator's catalog.locations, and the file locations nested under them, are read through
// the reader's Trusted view (Emitter.TrustedOrigin): wherever they point, as Backstage reads
// them, except the data directory. Locations registered through the API keep
// backend.reading.localRoots.
type locationReaderProcessor struct {
	reader *urlreader.Reader
	log    *slog.Logger

	mu       sync.Mutex
	lastErrs map[string]string // the last read error logged per location
}

// warn logs that loc cannot be read, once per location and error: processing retries every
// interval, the log says it again only when the reason changes. ok clears the record.
func (p *locationReaderProcessor) warn(loc model.LocationRef, err error) {
	if p.log == nil {
		return
	}
	key, msg := loc.String(), ""
	if err != nil {
		msg = err.Error()
	}
	p.mu.Lock()
	prev, seen := p.lastErrs[key]
	if msg == "" {
		delete(p.lastErrs, key)
	} else {
		if p.lastErrs == nil {
			p.lastErrs = map[string]string{}
		}
		p.lastErrs[key] = msg
	}
	p.mu.Unlock()
	if msg != "" && (!seen || prev != msg) {
		p.log.Warn("catalog location cannot be read", "location", key, "reason", msg)
	}
}

func (p *locationReaderProcessor) Name() string { return "UrlReaderProcessor" }

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

func (p *locationReaderProcessor) ReadLocation(ctx context.Context, loc model.LocationRef, optional bool, emit Emitter) (bool, error) {
	if loc.Type != model.LocationTypeURL && loc.Type != model.LocationTypeFile {
		return false, nil
	}
	if p.reader == nil {
		return true, &ProcessingError{Serialized: GeneralError("no URL reader is configured")}
	}
	reader := p.reader
	if loc.Type == model.LocationTypeURL {
		reader = reader.Remote()
	} else if emit.TrustedOrigin() {
		reader = reader.Trusted()
	}
	emit.Refresh(loc.String())
	if hasGlob(loc.Target) {
		results, err := reader.Search(ctx, loc.Target, urlreader.SearchOptions{})
		if err != nil {
			emit.Input("search:"+loc.Target, "error")
			emit.Error(loc, readError(loc, err))
			p.warn(loc, err)
			return true, nil
		}
		version := newInputHasher()
		for _, r := range results {
			data, err := r.Content()
			if err != nil {
				emit.Error(loc, readError(loc, err))
				p.warn(model.LocationRef{Type: loc.Type, Target: r.URL}, err)
				continue
			}
			version.add(r.URL, data)
			fileLoc := model.LocationRef{Type: loc.Type, Target: r.URL}
			if loc.Type == model.LocationTypeFile {
				fileLoc.Target = strings.TrimPrefix(r.URL, "file://")
			}
			emitDocuments(fileLoc, data, emit)
		}
		emit.Input("search:"+loc.Target, version.sum())
		if len(results) == 0 && !optional && loc.Type == model.LocationTypeFile {
			emit.Error(loc, NotFoundError(loc.Target+" does not exist"))
			p.warn(loc, errors.New("no file matches"))
		} else {
			p.warn(loc, nil)
		}
		return true, nil
	}
	resp, err := reader.ReadURL(ctx, loc.Target, urlreader.ReadOptions{})
	if err != nil {
		if errors.Is(err, urlreader.ErrNotFound) {
			emit.Input("read:"+loc.Target, "")
			if optional {
				return true, nil
			}
		} else {
			emit.Input("read:"+loc.Target, "error")
		}
		emit.Error(loc, readError(loc, err))
		p.warn(loc, err)
		return true, nil
	}
	p.warn(loc, nil)
	etag := resp.ETag
	if etag == "" {
		etag = sha1Hex(resp.Body)
	}
	emit.Input("read:"+loc.Target, etag)
	emitDocuments(loc, resp.Body, emit)
	return true, nil
}

func readError(loc model.LocationRef, err error) model.SerializedError {
	if errors.Is(err, urlreader.ErrNotFound) {
		if loc.Type == model.LocationTypeFile {
			return NotFoundError(loc.Target + " does not exist")
		}
		return NotFoundError("Unable to read " + loc.Type + ", NotFoundError: " + err.Error())
	}
	return GeneralError("Unable to read " + loc.Type + ", " + err.Error())
}

// emitDocuments parses a YAML stream and emits each object document as an entity.
func emitDocuments(loc model.LocationRef, data []byte, emit Emitter) {
	for _, part := range splitDocuments(data) {
		if !emitPart(loc, part.data, part.line, emit) {
			return
		}
	}
}

type docPart struct {
	data []byte
	line int // 1-based line of the part's first line in the file
}

// splitDocuments cuts a YAML stream at its "---" lines so each document is parsed (and its
// parse tree freed) on its own: a file of 100k entities never holds 100k trees at once.
// Streams with directives are kept whole.
func splitDocuments(data []byte) []docPart {
	var parts []docPart
	start, startLine, line := 0, 1, 1
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		l := data[i:next]
		if len(l) > 0 && l[0] == '%' {
			return []docPart{{data: data, line: 1}}
		}
		if bytes.HasPrefix(l, []byte("---")) && (len(l) == 3 || l[3] == '\n' || l[3] == ' ' || l[3] == '\t' || l[3] == '\r') && i > start {
			parts = append(parts, docPart{data: data[start:i], line: startLine})
			start, startLine = i, line
		}
		i = next
		line++
	}
	if start < len(data) {
		parts = append(parts, docPart{data: data[start:], line: startLine})
	}
	return parts
}

// emitPart emits the documents of one part; it returns false after a syntax error, which
// ends the stream as it does in Backstage.
func emitPart(loc model.LocationRef, data []byte, firstLine int, emit Emitter) bool {
	for _, d := range model.ParseDescriptor(data, model.ParseOptions{}) {
		if len(d.Problems) > 0 {
			p := d.Problems[0]
			msg := p.Message
			if strings.HasPrefix(msg, "Expected object at root") {
				emit.Error(loc, InputError(msg))
				continue
			}
			if p.Line > 0 {
				msg = fmt.Sprintf("line %d: %s", p.Line+firstLine-1, msg)
			}
			emit.Error(loc, InputError("YAML error at "+loc.String()+", "+msg))
			return false
		}
		m, ok := d.Value.(map[string]any)
		if d.Entity == nil || !ok {
			continue
		}
		if ve, ok := emit.(valueEmitter); ok {
			ve.EntityValue(loc, d.Entity, m, "")
			continue
		}
		emit.Entity(loc, d.Entity, "")
	}
	return true
}

// fileDir is the folder of a file location, for relative placeholders.
func fileDir(p string) string { return path.Dir(p) }
