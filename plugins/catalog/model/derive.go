package model

import "strconv"

// Relations derives the relations an entity's spec declares, as Backstage's
// BuiltinKindsEntityProcessor (and the scaffolder's processor for Template) emit them: for every
// reference in a spec field listed in the kind's [RelationRule]s, one [RelationPair] holding the
// relation and its inverse. Pairs come in rule order, then reference order.
//
// References are parsed with the rule's default kind and the entity's own namespace as
// defaults, so `owner: team-a` on a Component in namespace ops means group:ops/team-a. Absent
// and empty fields produce nothing. Entities of kinds without rules produce nothing.
//
// The entity should have passed validation. A reference that cannot be parsed (a dependsOn
// entry without a kind, say) is reported as a [StageRelations] problem; Backstage then fails the
// whole entity, so callers should not store the returned pairs when problems are returned.
func (v *Validator) Relations(e *Entity) ([]RelationPair, Problems) {
	k := v.relationKind(e)
	if k == nil || len(k.Relations) == 0 {
		return nil, nil
	}
	self := e.Ref()
	n := 0
	for _, rule := range k.Relations {
		if items, ok := asArray(e.Spec[rule.Field]); ok {
			n += len(items)
		} else if e.Spec[rule.Field] != nil {
			n++
		}
	}
	pairs := make([]RelationPair, 0, n)
	var problems Problems
	for _, rule := range k.Relations {
		value, ok := e.Spec[rule.Field]
		if !ok || isFalsy(value) {
			continue
		}
		ctx := RefContext{DefaultKind: rule.DefaultKind, DefaultNamespace: self.Namespace}
		path := "/spec/" + escapePointer(rule.Field)
		emit := func(path string, target any) {
			ref, err := ParseEntityRefValue(target, ctx)
			if err != nil {
				problems = append(problems, Problem{
					Stage:     StageRelations,
					Path:      path,
					Message:   err.Error(),
					ErrorName: refErrorName(err),
					Processor: k.processor(),
				})
				return
			}
			pairs = append(pairs, RelationPair{
				Outgoing: RelationSpec{Source: self, Type: rule.Type, Target: ref},
				Incoming: RelationSpec{Source: ref, Type: rule.Inverse, Target: self},
			})
		}
		if items, ok := asArray(value); ok {
			for i, item := range items {
				emit(path+"/"+strconv.Itoa(i), item)
			}
		} else {
			emit(path, value)
		}
	}
	return pairs, problems
}

// relationKind picks the kind whose rules apply. Backstage's processor emits by kind name
// alone, so a kind name match is enough when no registered apiVersion matches.
func (v *Validator) relationKind(e *Entity) *Kind {
	var byName *Kind
	for i := range v.kinds {
		k := &v.kinds[i]
		if k.Kind != e.Kind {
			continue
		}
		if k.accepts(e.APIVersion, e.Kind) {
			return k
		}
		if byName == nil {
			byName = k
		}
	}
	return byName
}

// isFalsy mirrors JavaScript's falsiness for the values a spec field can hold.
func isFalsy(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case bool:
		return !t
	}
	if f, ok := asFloat(v); ok {
		return f == 0 || f != f
	}
	return false
}
