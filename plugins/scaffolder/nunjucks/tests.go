package nunjucks

import (
	"github.com/portico-dev/portico/framework/jsvalue"

	"math"
)

// runTest evaluates `value is name(args…)`.
func runTest(name string, v any, args []any) (bool, error) {
	switch name {
	case "defined":
		return v != any(undefined), nil
	case "undefined":
		return v == any(undefined), nil
	case "none", "null":
		return v == nil, nil
	case "number":
		return isNumber(v), nil
	case "string":
		_, ok := v.(string)
		return ok, nil
	case "boolean":
		_, ok := v.(bool)
		return ok, nil
	case "odd":
		return math.Mod(toNumber(v), 2) == 1, nil // JavaScript: -3 % 2 is -1, so -3 is not odd
	case "even":
		return math.Mod(toNumber(v), 2) == 0, nil // NaN is neither odd nor even
	case "divisibleby":
		d := toNumber(arg(args, 0))
		return d != 0 && math.Mod(toNumber(v), d) == 0, nil
	case "truthy":
		return truthy(v), nil
	case "falsy":
		return !truthy(v), nil
	case "eq", "equalto", "sameas", "==":
		return strictEqual(v, arg(args, 0)), nil
	case "ne", "!=":
		return !strictEqual(v, arg(args, 0)), nil
	case "lt", "lessthan", "<":
		return compare("<", v, arg(args, 0)), nil
	case "gt", "greaterthan", ">":
		return compare(">", v, arg(args, 0)), nil
	case "le", "<=":
		return compare("<=", v, arg(args, 0)), nil
	case "ge", ">=":
		return compare(">=", v, arg(args, 0)), nil
	case "iterable", "sequence":
		switch v.(type) {
		case []any, string:
			return true, nil
		}
		return name == "sequence" && isObjectLike(v), nil
	case "mapping":
		_, ok := v.(*object)
		return ok, nil
	case "lower":
		s, ok := v.(string)
		return ok && jsvalue.Lower(s) == s, nil
	case "upper":
		s, ok := v.(string)
		return ok && jsvalue.Upper(s) == s, nil
	case "callable":
		switch v.(type) {
		case Func, Filter, method:
			return true, nil
		}
		return false, nil
	case "escaped":
		return false, nil
	case "in":
		return contains(arg(args, 0), v)
	}
	return false, renderErr("test not found: %s", name)
}
