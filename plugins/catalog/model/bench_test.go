package model

import (
	"testing"
)

const typicalComponent = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: artist-web
  namespace: default
  title: Artist Web
  description: The place to be, for great artists
  labels:
    example.com/custom: custom_label_value
  annotations:
    backstage.io/managed-by-location: url:https://github.com/acme/artist/blob/main/catalog-info.yaml
    backstage.io/managed-by-origin-location: url:https://github.com/acme/artist/blob/main/catalog-info.yaml
    backstage.io/techdocs-ref: dir:.
    github.com/project-slug: acme/artist
  tags: [java, data]
  links:
    - url: https://admin.example-org.com
      title: Admin Dashboard
      icon: dashboard
spec:
  type: website
  lifecycle: production
  owner: artist-relations-team
  system: public-websites
  providesApis: [artist-api]
  consumesApis: [search-api, payments/charge-api]
  dependsOn: [resource:artists-db, component:auth]
`

// BenchmarkProcessComponentYAML measures what ingesting one descriptor costs: parse the YAML,
// validate, decode, default the namespace and derive relations.
func BenchmarkProcessComponentYAML(b *testing.B) {
	v := NewValidator(Options{})
	data := []byte(typicalComponent)
	b.ReportAllocs()
	for b.Loop() {
		docs := ParseDescriptor(data, ParseOptions{})
		if ps := v.ValidateValue(docs[0].Value); len(ps) > 0 {
			b.Fatal(ps)
		}
		e := docs[0].Entity
		SetDefaults(e)
		if pairs, ps := v.Relations(e); len(ps) > 0 || len(pairs) != 7 {
			b.Fatal(pairs, ps)
		}
	}
}

// BenchmarkProcessComponentJSON is the engine's steady state: the stored JSON of an entity is
// decoded, validated, turned into the typed form, its relations derived and its result hashed.
func BenchmarkProcessComponentJSON(b *testing.B) {
	v := NewValidator(Options{})
	docs := ParseDescriptor([]byte(typicalComponent), ParseOptions{})
	data, err := docs[0].Entity.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		value, err := ParseEntityJSON(data)
		if err != nil {
			b.Fatal(err)
		}
		if ps := v.ValidateValue(value); len(ps) > 0 {
			b.Fatal(ps)
		}
		e, err := DecodeEntity(value)
		if err != nil {
			b.Fatal(err)
		}
		if _, ps := v.Relations(e); len(ps) > 0 {
			b.Fatal(ps)
		}
		_ = e.Hash()
	}
}
