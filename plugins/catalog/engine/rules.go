package engine

import (
	"regexp"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// rulesEnforcer decides which kinds each origin location may emit (catalog.rules).
type rulesEnforcer struct {
	rules []compiledRule
}

type compiledRule struct {
	allow     map[string]bool
	locations []compiledRuleLocation
}

type compiledRuleLocation struct {
	typ     string
	exact   string
	pattern *regexp.Regexp
}

func newRulesEnforcer(global []Rule, locations []ConfigLocation) *rulesEnforcer {
	r := &rulesEnforcer{}
	for _, g := range global {
		r.rules = append(r.rules, compileRule(g))
	}
	for _, l := range locations {
		for _, lr := range l.Rules {
			c := compileRule(Rule{Allow: lr.Allow})
			c.locations = []compiledRuleLocation{{typ: l.Type, exact: l.Target}}
			r.rules = append(r.rules, c)
		}
	}
	return r
}

func compileRule(r Rule) compiledRule {
	c := compiledRule{allow: map[string]bool{}}
	for _, k := range r.Allow {
		c.allow[strings.ToLower(k)] = true
	}
	for _, l := range r.Locations {
		cl := compiledRuleLocation{typ: l.Type, exact: l.Exact}
		if l.Pattern != "" {
			cl.pattern = globRegexp(l.Pattern)
		}
		c.locations = append(c.locations, cl)
	}
	return c
}

func (r *rulesEnforcer) isAllowed(e *model.Entity, origin model.LocationRef) bool {
	kind := strings.ToLower(e.Kind)
	for _, rule := range r.rules {
		if !rule.allow[kind] {
			continue
		}
		if len(rule.locations) == 0 {
			return true
		}
		for _, l := range rule.locations {
			if l.typ != origin.Type {
				continue
			}
			if l.pattern != nil && l.pattern.MatchString(origin.Target) {
				return true
			}
			if l.pattern == nil && (l.exact == "" || l.exact == origin.Target) {
				return true
			}
		}
	}
	return false
}

// globRegexp compiles a minimatch-style glob: ** crosses folders, * and ? do not.
func globRegexp(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch c {
		case '*':
			if i+1 < len(glob) && glob[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
