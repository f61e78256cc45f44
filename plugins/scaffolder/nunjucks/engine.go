// Package nunjucks renders Backstage template expressions: the Nunjucks dialect the scaffolder
// uses, with `${{ … }}` for expressions, `{% … %}` for tags and `{# … #}` for comments.
//
// It is a small interpreter written for Portico rather than a general Jinja engine: it has no
// include, import, extends or any other way to reach the file system or run code, and it
// keeps Nunjucks' JavaScript-flavoured semantics that templates rely on (undefined renders as
// the empty string, `and`/`or` return operand values, `x if c` without else is undefined,
// `| dump` is JSON). Parsed templates are cached per Engine. Every render observes its context
// and a budget (Limits): operations, time, output size and nesting depth.
package nunjucks

import (
	"maps"
	"slices"
	"sync"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// Filter is a template filter: `value | name(arg, …)`. Values are JSON-like (nil, bool,
// float64, string, []any, map[string]any); keyword arguments (`name(k=v)`) arrive as one
// trailing Kwargs, as in Nunjucks. A map the filter returns becomes an object with its keys
// sorted; a *jsvalue.Object keeps its order.
type Filter func(value any, args ...any) (any, error)

// Kwargs holds the keyword arguments of a filter or function call.
type Kwargs map[string]any

// Func is a global function callable from templates: `name(arg, …)`.
type Func func(args ...any) (any, error)

// Options configures an Engine.
type Options struct {
	// CookiecutterCompat makes plain `{{ … }}` an expression delimiter too and adds the
	// `jsonify` filter, for skeletons written for fetch:cookiecutter.
	CookiecutterCompat bool
	// TrimBlocks removes the first newline after a block tag; LstripBlocks strips spaces and
	// tabs before a block tag at the start of a line (Nunjucks' options of the same names).
	TrimBlocks   bool
	LstripBlocks bool
	// AdditionalFilters are added to (and may replace) the built-in filters.
	AdditionalFilters map[string]Filter
	// Globals are values (or Func values) visible to every template under their names,
	// shadowed by the render context.
	Globals map[string]any
	// HostType reports the integration type ("github", "gitlab", "bitbucketCloud",
	// "bitbucketServer", "azure", "gerrit", "gitea", …) of a repository host for parseRepoUrl,
	// and "" for a host with no integration, which parseRepoUrl refuses. Nil accepts every
	// host as a GitHub-like one.
	HostType func(host string) string
	// Limits bound each render; zero fields take the defaults.
	Limits Limits
}

// Engine renders templates. It is safe for concurrent use.
type Engine struct {
	opts    Options
	limits  Limits
	filters map[string]Filter
	globals map[string]any
	stats   *stats

	mu    sync.Mutex
	cache map[string]*template
}

// New returns an engine with the built-in filters plus opts.AdditionalFilters.
func New(opts Options) *Engine {
	e := &Engine{opts: opts, limits: opts.Limits.withDefaults(), cache: map[string]*template{}, stats: &stats{}}
	e.filters = builtinFilters(e)
	if opts.CookiecutterCompat {
		e.filters["jsonify"] = e.filters["dump"]
	}
	for name, f := range opts.AdditionalFilters {
		e.filters[name] = external(f)
	}
	e.globals = builtinGlobals()
	for name, v := range opts.Globals {
		e.globals[name] = normalize(v)
	}
	return e
}

// WithFileOptions returns an engine sharing e's filters and globals with the file-rendering
// options fetch:template takes.
func (e *Engine) WithFileOptions(cookiecutterCompat, trimBlocks, lstripBlocks bool) *Engine {
	o := e.opts
	o.CookiecutterCompat = cookiecutterCompat
	o.TrimBlocks = trimBlocks
	o.LstripBlocks = lstripBlocks
	d := New(o)
	d.stats = e.stats
	return d
}

// FilterNames lists the filters the engine knows, for GET /v2/templating-extensions.
func (e *Engine) FilterNames() []string {
	return slices.Sorted(maps.Keys(e.filters))
}

// parse returns the parsed form of src, from the cache when possible. The cache is bounded (in
// entries and in the length of each source) so a stream of distinct inputs cannot grow it
// without limit.
func (e *Engine) parse(src string) (*template, error) {
	e.mu.Lock()
	t, ok := e.cache[src]
	e.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := parseTemplate(src, e.syntax())
	if err != nil {
		return nil, err
	}
	if len(src) > maxCachedLen {
		return t, nil // whole files are rendered once; keep the cache for step values
	}
	e.mu.Lock()
	if len(e.cache) >= maxCached {
		clear(e.cache)
	}
	e.cache[src] = t
	e.mu.Unlock()
	return t, nil
}

const (
	maxCached    = 4096
	maxCachedLen = 4096
)

func (e *Engine) syntax() syntax {
	return syntax{
		cookiecutter: e.opts.CookiecutterCompat,
		trimBlocks:   e.opts.TrimBlocks,
		lstripBlocks: e.opts.LstripBlocks,
	}
}

// external adapts a filter written for plain Go values (Options.AdditionalFilters): the
// interpreter's objects reach it as map[string]any.
func external(f Filter) Filter {
	return func(v any, args ...any) (any, error) {
		in := make([]any, len(args))
		for i, a := range args {
			if kw, ok := a.(Kwargs); ok {
				plainKw := make(Kwargs, len(kw))
				for k, x := range kw {
					plainKw[k] = jsvalue.Plain(x)
				}
				a = plainKw
			} else {
				a = jsvalue.Plain(a)
			}
			in[i] = a
		}
		return f(jsvalue.Plain(v), in...)
	}
}
