package model_test

import (
	"fmt"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

func ExampleParseEntityRef() {
	ref, err := model.ParseEntityRef("Team-A", model.RefContext{DefaultKind: "Group", DefaultNamespace: "ops"})
	if err != nil {
		panic(err)
	}
	fmt.Println(ref.Kind, ref.Namespace, ref.Name)
	fmt.Println(ref)
	// Output:
	// Group ops Team-A
	// group:ops/team-a
}

func ExampleValidator_CheckDocument() {
	descriptor := []byte(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: artist-web
  tags: [Java]
spec:
  type: website
  owner: artist-relations-team
`)
	v := model.NewValidator(model.Options{})
	for _, doc := range model.ParseDescriptor(descriptor, model.ParseOptions{}) {
		for _, p := range v.CheckDocument(&doc) {
			fmt.Printf("line %d: %s %s\n", p.Line, p.Stage, p.Path)
		}
	}
	// Output:
	// line 5: policy /metadata/tags/0
	// line 6: kind /spec/lifecycle
}

func ExampleValidator_Relations() {
	docs := model.ParseDescriptor([]byte(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: artist-web, namespace: music}
spec: {type: website, lifecycle: production, owner: artists, providesApis: [artist-api]}
`), model.ParseOptions{})
	v := model.NewValidator(model.Options{})
	pairs, problems := v.Relations(docs[0].Entity)
	if len(problems) > 0 {
		panic(problems)
	}
	for _, r := range model.FlattenRelationPairs(pairs) {
		fmt.Println(r.Source, r.Type, r.Target)
	}
	// Output:
	// component:music/artist-web ownedBy group:music/artists
	// group:music/artists ownerOf component:music/artist-web
	// component:music/artist-web providesApi api:music/artist-api
	// api:music/artist-api apiProvidedBy component:music/artist-web
}
