package predicate

import (
	"encoding/json"
	"fmt"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// Op is the kind of an Expr node.
type Op string

// Expression operators.
const (
	OpAll   Op = "all"   // every Args matches; no Args matches nothing
	OpAny   Op = "any"   // at least one Args matches; no Args matches nothing
	OpNot   Op = "not"   // Args[0] does not match
	OpMatch Op = "match" // Match matches a row
	OpTrue  Op = "true"  // everything matches
)

// Expr is a boolean expression over a document's flattened rows: the parsed form of a
// predicate body (Parse) and of the catalog's filter= parameters, which the catalog compiles to
// SQL and MatchRows evaluates in memory. The zero value is invalid: use a constructor or a
// parser. Expr marshals to JSON (cursors carry it) and back.
type Expr struct {
	Op    Op     `json:"op"`
	Args  []Expr `json:"args,omitempty"`
	Match *Match `json:"match,omitempty"`
}

// Match tests the rows of one key. Key is lower-cased. With Values, a row's value must be one
// of them (lower-cased); with HasPrefix set, a row's value must start with Prefix; with neither,
// any row of the key matches (exists, even with a null value).
type Match struct {
	Key       string   `json:"key"`
	Values    []string `json:"values,omitempty"`
	HasPrefix bool     `json:"hasPrefix,omitempty"`
	Prefix    string   `json:"prefix,omitempty"`
}

// All returns the conjunction of args.
func All(args ...Expr) Expr { return Expr{Op: OpAll, Args: args} }

// Any returns the disjunction of args.
func Any(args ...Expr) Expr { return Expr{Op: OpAny, Args: args} }

// Not returns the negation of e.
func Not(e Expr) Expr { return Expr{Op: OpNot, Args: []Expr{e}} }

// True returns the expression that matches everything.
func True() Expr { return Expr{Op: OpTrue} }

// Exists matches documents having a row for key.
func Exists(key string) Expr {
	return Expr{Op: OpMatch, Match: &Match{Key: jsvalue.Lower(key)}}
}

// In matches documents with a row for key whose value is one of values.
func In(key string, values ...string) Expr {
	vs := make([]string, len(values))
	for i, v := range values {
		vs[i] = jsvalue.Lower(v)
	}
	return Expr{Op: OpMatch, Match: &Match{Key: jsvalue.Lower(key), Values: vs}}
}

// HasPrefix matches documents with a row for key whose value starts with prefix.
func HasPrefix(key, prefix string) Expr {
	return Expr{Op: OpMatch, Match: &Match{Key: jsvalue.Lower(key), HasPrefix: true, Prefix: jsvalue.Lower(prefix)}}
}

// And combines optional expressions with AND; nil operands are ignored and the result is nil
// when all are nil.
func And(exprs ...*Expr) *Expr {
	var args []Expr
	for _, e := range exprs {
		if e != nil {
			args = append(args, *e)
		}
	}
	switch len(args) {
	case 0:
		return nil
	case 1:
		return &args[0]
	}
	all := All(args...)
	return &all
}

// Size counts the nodes of e (conditions and logical operators) and the values it compares
// with, for callers that bound a predicate's size.
func (e Expr) Size() (nodes, values int) {
	nodes = 1
	if e.Match != nil {
		values = len(e.Match.Values)
	}
	for _, a := range e.Args {
		n, v := a.Size()
		nodes += n
		values += v
	}
	return nodes, values
}

// Validate checks the structure of e (as decoded from an untrusted cursor).
func (e Expr) Validate() error {
	switch e.Op {
	case OpTrue:
		return nil
	case OpAll, OpAny:
		for _, a := range e.Args {
			if err := a.Validate(); err != nil {
				return err
			}
		}
		return nil
	case OpNot:
		if len(e.Args) != 1 {
			return fmt.Errorf("invalid expression: not takes one argument")
		}
		return e.Args[0].Validate()
	case OpMatch:
		if e.Match == nil {
			return fmt.Errorf("invalid expression: match needs a key and values")
		}
		return nil
	default:
		return fmt.Errorf("invalid expression: unknown operator %q", e.Op)
	}
}

// String renders e compactly for logs and test failures.
func (e Expr) String() string {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}
