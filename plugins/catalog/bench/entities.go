package bench

import (
	"fmt"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// Field identifiers of the random streams.
const (
	fOwner uint64 = iota + 1
	fSystem
	fType
	fLifecycle
	fTags
	fConsumes
	fDependsOn
	fSecondTeam
	fName
	fOwnerOverride
)

var (
	words = []string{
		"orders", "billing", "search", "catalog", "checkout", "shipping", "pricing", "accounts",
		"identity", "inventory", "payments", "ledger", "reviews", "notifications", "analytics",
		"recommendations", "media", "content", "loyalty", "support", "returns", "fraud", "tax",
		"warehouse", "routing", "booking", "messaging", "reports", "audit", "consent",
	}
	suffixes = []string{
		"core", "gateway", "worker", "sync", "store", "engine", "hub", "portal", "feed", "index",
	}
	departments = []string{"engineering", "product", "data", "operations", "sales", "finance", "security", "design"}
	firstNames  = []string{
		"ada", "bashir", "chen", "dana", "elif", "farah", "goran", "hiro", "ines", "jamal", "kira",
		"luca", "mei", "nia", "omar", "petra", "quinn", "ravi", "sara", "tomas", "uma", "viktor",
		"wen", "ximena", "yusuf", "zoe",
	}
	lastNames = []string{
		"abara", "bergman", "costa", "dubois", "eriksen", "fischer", "garcia", "haddad", "ito",
		"jensen", "kowalski", "lopez", "moreau", "novak", "okafor", "patel", "quist", "rossi",
		"silva", "tanaka", "usman", "varga", "weber", "xu", "yilmaz", "zhou",
	}
	tags           = []string{"go", "java", "python", "typescript", "kotlin", "rust", "grpc", "rest", "kafka", "postgres", "react", "internal", "public", "pci", "gdpr"}
	componentTypes = []string{"service", "service", "service", "service", "service", "service", "website", "website", "library", "library"}
	lifecycles     = []string{"production", "production", "production", "production", "production", "production", "production", "experimental", "experimental", "deprecated"}
	apiTypes       = []string{"openapi", "openapi", "openapi", "openapi", "openapi", "openapi", "asyncapi", "asyncapi", "graphql", "grpc"}
	resourceTypes  = []string{"database", "database", "database", "s3-bucket", "queue", "cache", "kafka-topic", "database"}
)

const emailDomain = "example.com"

func (c *Catalog) teams() int { return c.counts.Groups - 1 - c.depts }

// Names. Each is unique within its kind: the index is part of it.

func (c *Catalog) groupName(i int) string {
	switch {
	case i == 0:
		return "org"
	case i <= c.depts:
		return fmt.Sprintf("%s-%d", departments[(i-1)%len(departments)], i)
	default:
		return fmt.Sprintf("team-%s-%d", words[i%len(words)], i)
	}
}

func (c *Catalog) teamName(k int) string { return c.groupName(1 + c.depts + k) }

func (c *Catalog) userName(i int) string {
	r := c.rng(tagUser, i, fName)
	return fmt.Sprintf("%s.%s.%d", firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))], i)
}

func (c *Catalog) domainName(i int) string {
	return fmt.Sprintf("%s-domain-%d", words[i%len(words)], i)
}

func (c *Catalog) systemName(i int) string {
	return fmt.Sprintf("%s-%s-%d", words[i%len(words)], suffixes[(i/len(words))%len(suffixes)], i)
}

func (c *Catalog) componentName(i int) string {
	return fmt.Sprintf("%s-%s-%d", words[(i*7)%len(words)], suffixes[i%len(suffixes)], i)
}

func (c *Catalog) apiName(i int) string { return fmt.Sprintf("%s-api-%d", words[(i*7)%len(words)], i) }

func (c *Catalog) resourceName(i int) string {
	typ := resourceTypes[c.pick(tagResource, i, fType, len(resourceTypes))]
	short := map[string]string{"database": "db", "s3-bucket": "bucket", "queue": "queue", "cache": "cache", "kafka-topic": "topic"}[typ]
	return fmt.Sprintf("%s-%s-%d", words[(i*3)%len(words)], short, i)
}

// Relationships, as pure functions so both ends agree.

func (c *Catalog) systemOwner(i int) string {
	return c.teamName(c.pick(tagSystem, i, fOwner, c.teams()))
}

func (c *Catalog) componentSystem(i int) int {
	return c.pick(tagComponent, i, fSystem, c.counts.Systems)
}

// componentOwner is mostly the owner of the component's system, as in a real company.
func (c *Catalog) componentOwner(i int) string {
	if c.pick(tagComponent, i, fOwnerOverride, 5) == 0 {
		return c.teamName(c.pick(tagComponent, i, fOwner, c.teams()))
	}
	return c.systemOwner(c.componentSystem(i))
}

// apiProvider is the component providing API i; component i provides APIs i, i+C, i+2C, ….
func (c *Catalog) apiProvider(i int) int { return i % c.counts.Components }

func (c *Catalog) tags(kind kindTag, i int) []string {
	r := c.rng(kind, i, fTags)
	n := 1 + r.IntN(3)
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for range n {
		t := tags[r.IntN(len(tags))]
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func titleCase(name string) string {
	parts := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '.' })
	for i, p := range parts {
		if p != "" && p[0] >= 'a' && p[0] <= 'z' {
			parts[i] = string(p[0]-'a'+'A') + p[1:]
		}
	}
	return strings.Join(parts, " ")
}

func newEntity(kind, name, description string, spec map[string]any) *model.Entity {
	return &model.Entity{
		APIVersion: model.APIVersionV1alpha1,
		Kind:       kind,
		Metadata:   model.Metadata{Name: name, Title: titleCase(name), Description: description},
		Spec:       spec,
	}
}

// Entities by kind and index.

func (c *Catalog) group(i int) *model.Entity {
	name := c.groupName(i)
	spec := map[string]any{
		"profile":  map[string]any{"displayName": titleCase(name), "email": name + "@" + emailDomain},
		"children": []any{},
	}
	switch {
	case i == 0:
		spec["type"] = "organization"
	case i <= c.depts:
		spec["type"] = "department"
		spec["parent"] = c.groupName(0)
	default:
		spec["type"] = "team"
		spec["parent"] = c.groupName(1 + (i-1-c.depts)%c.depts)
	}
	e := newEntity(model.KindGroup, name, "The "+titleCase(name)+" group.", spec)
	e.SetAnnotation(model.AnnotationGitHubTeamSlug, "example/"+name)
	return e
}

func (c *Catalog) user(i int) *model.Entity {
	name := c.userName(i)
	memberOf := []any{c.teamName(c.pick(tagUser, i, fOwner, c.teams()))}
	if c.pick(tagUser, i, fSecondTeam, 10) == 0 {
		if second := c.teamName(c.pick(tagUser, i, fSecondTeam+100, c.teams())); second != memberOf[0] {
			memberOf = append(memberOf, second)
		}
	}
	e := newEntity(model.KindUser, name, "", map[string]any{
		"profile":  map[string]any{"displayName": titleCase(name), "email": name + "@" + emailDomain},
		"memberOf": memberOf,
	})
	e.Metadata.Title = ""
	return e
}

func (c *Catalog) domain(i int) *model.Entity {
	name := c.domainName(i)
	return newEntity(model.KindDomain, name, "Everything about "+words[i%len(words)]+".", map[string]any{
		"owner": c.teamName(c.pick(tagDomain, i, fOwner, c.teams())),
		"type":  "product-area",
	})
}

func (c *Catalog) system(i int) *model.Entity {
	name := c.systemName(i)
	e := newEntity(model.KindSystem, name, "The "+titleCase(name)+" system.", map[string]any{
		"owner":  c.systemOwner(i),
		"domain": c.domainName(i % c.counts.Domains),
	})
	e.Metadata.Tags = c.tags(tagSystem, i)
	return e
}

func (c *Catalog) resource(i int) *model.Entity {
	name := c.resourceName(i)
	sys := c.pick(tagResource, i, fSystem, c.counts.Systems)
	e := newEntity(model.KindResource, name, "Storage of "+words[(i*3)%len(words)]+".", map[string]any{
		"type":   resourceTypes[c.pick(tagResource, i, fType, len(resourceTypes))],
		"owner":  c.systemOwner(sys),
		"system": c.systemName(sys),
	})
	e.Metadata.Tags = c.tags(tagResource, i)
	return e
}

func (c *Catalog) api(i int) *model.Entity {
	name := c.apiName(i)
	p := c.apiProvider(i)
	typ := apiTypes[c.pick(tagAPI, i, fType, len(apiTypes))]
	e := newEntity(model.KindAPI, name, "The "+titleCase(name)+".", map[string]any{
		"type":       typ,
		"lifecycle":  lifecycles[c.pick(tagAPI, i, fLifecycle, len(lifecycles))],
		"owner":      c.componentOwner(p),
		"system":     c.systemName(c.componentSystem(p)),
		"definition": definition(typ, name),
	})
	e.Metadata.Tags = c.tags(tagAPI, i)
	return e
}

func (c *Catalog) component(i int) *model.Entity {
	name := c.componentName(i)
	spec := map[string]any{
		"type":      componentTypes[c.pick(tagComponent, i, fType, len(componentTypes))],
		"lifecycle": lifecycles[c.pick(tagComponent, i, fLifecycle, len(lifecycles))],
		"owner":     c.componentOwner(i),
		"system":    c.systemName(c.componentSystem(i)),
	}
	var provides []any
	for j := i; j < c.counts.APIs; j += c.counts.Components {
		provides = append(provides, c.apiName(j))
	}
	if len(provides) > 0 {
		spec["providesApis"] = provides
	}
	r := c.rng(tagComponent, i, fConsumes)
	var consumes []any
	for range r.IntN(4) {
		consumes = appendNew(consumes, c.apiName(r.IntN(c.counts.APIs)))
	}
	if len(consumes) > 0 {
		spec["consumesApis"] = consumes
	}
	r = c.rng(tagComponent, i, fDependsOn)
	var deps []any
	for range r.IntN(3) {
		deps = appendNew(deps, "resource:"+c.resourceName(r.IntN(c.counts.Resources)))
	}
	if i > 0 {
		for range r.IntN(3) {
			deps = appendNew(deps, "component:"+c.componentName(r.IntN(i)))
		}
	}
	if len(deps) > 0 {
		spec["dependsOn"] = deps
	}
	e := newEntity(model.KindComponent, name, "The "+titleCase(name)+" "+spec["type"].(string)+".", spec)
	e.Metadata.Tags = c.tags(tagComponent, i)
	e.SetAnnotation(model.AnnotationGitHubProjectSlug, "example/"+name)
	if i%10 == 0 {
		e.Metadata.Links = []model.Link{{URL: "https://grafana.example.com/d/" + name, Title: "Dashboard", Icon: "dashboard"}}
	}
	return e
}

func appendNew(list []any, s string) []any {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// definition is a small but real API definition of the given type.
func definition(typ, name string) string {
	title := titleCase(name)
	switch typ {
	case "asyncapi":
		return fmt.Sprintf("asyncapi: 2.6.0\ninfo:\n  title: %s\n  version: 1.0.0\nchannels:\n  %s-events:\n    subscribe:\n      message:\n        payload:\n          type: object\n          properties:\n            id: {type: string}\n            occurredAt: {type: string, format: date-time}\n", title, name)
	case "graphql":
		return fmt.Sprintf("# %s\ntype Query {\n  item(id: ID!): Item\n  items(first: Int = 20, after: String): [Item!]!\n}\n\ntype Item {\n  id: ID!\n  name: String!\n  updatedAt: String\n}\n", title)
	case "grpc":
		return fmt.Sprintf("syntax = \"proto3\";\n\n// %s\nservice Items {\n  rpc GetItem(GetItemRequest) returns (Item);\n}\n\nmessage GetItemRequest { string id = 1; }\n\nmessage Item {\n  string id = 1;\n  string name = 2;\n}\n", title)
	default:
		return fmt.Sprintf("openapi: 3.0.3\ninfo:\n  title: %s\n  version: 1.0.0\npaths:\n  /items:\n    get:\n      operationId: listItems\n      responses:\n        '200':\n          description: The items.\n  /items/{id}:\n    get:\n      operationId: getItem\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: One item.\n", title)
	}
}
