package bench

import (
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// MinEntities is the smallest catalog Generate builds: enough for one of each kind and a
// group hierarchy with a department and a team.
const MinEntities = 20

// Counts is how many entities of each kind a catalog holds. The root Location written by
// Catalog.WriteDir is not counted.
type Counts struct {
	Groups, Users, Domains, Systems, Components, APIs, Resources int
}

// Total is the number of entities.
func (c Counts) Total() int {
	return c.Groups + c.Users + c.Domains + c.Systems + c.Components + c.APIs + c.Resources
}

// Catalog is a generated workload. It holds only its size and seed; entities are produced on
// demand.
type Catalog struct {
	seed   int64
	counts Counts
	depts  int // groups 1..depts are departments, the rest teams; group 0 is the organisation
}

// Generate plans a catalog of exactly n entities in the proportions of a real company: about
// 55% components, 15% users, 13% resources, 12% APIs, 3% systems, 2% groups and a few domains.
// The same n and seed always give the same catalog.
func Generate(n int, seed int64) (*Catalog, error) {
	if n < MinEntities {
		return nil, fmt.Errorf("generate catalog: %d entities is too few, want at least %d", n, MinEntities)
	}
	c := Counts{
		Groups:    max(3, n*2/100),
		Users:     max(2, n*15/100),
		Domains:   max(1, n*4/1000),
		Systems:   max(2, n*3/100),
		APIs:      max(2, n*12/100),
		Resources: max(2, n*13/100),
	}
	c.Components = n - (c.Groups + c.Users + c.Domains + c.Systems + c.APIs + c.Resources)
	return &Catalog{seed: seed, counts: c, depts: max(1, (c.Groups-1)/12)}, nil
}

// Counts returns how many entities of each kind the catalog holds.
func (c *Catalog) Counts() Counts { return c.counts }

// kindTag identifies a kind in the random streams, so each kind's choices are independent.
type kindTag uint64

const (
	tagGroup kindTag = iota + 1
	tagUser
	tagDomain
	tagSystem
	tagComponent
	tagAPI
	tagResource
)

// rng returns the random stream of one entity's field choice: a pure function of the seed,
// the kind, the index and the field.
func (c *Catalog) rng(kind kindTag, i int, field uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(c.seed), uint64(kind)<<56|field<<40|uint64(i)))
}

func (c *Catalog) pick(kind kindTag, i int, field uint64, n int) int {
	return c.rng(kind, i, field).IntN(n)
}

// Entities yields every entity in file order: groups, users, domains, systems, resources,
// APIs, components.
func (c *Catalog) Entities() iter.Seq[*model.Entity] {
	return func(yield func(*model.Entity) bool) {
		for _, s := range c.sections() {
			for i := range s.count {
				if !yield(s.entity(i)) {
					return
				}
			}
		}
	}
}

// section is one kind's run of entities, written to files named after it.
type section struct {
	dir, file string
	count     int
	entity    func(i int) *model.Entity
}

func (c *Catalog) sections() []section {
	return []section{
		{"org", "groups", c.counts.Groups, c.group},
		{"org", "users", c.counts.Users, c.user},
		{"domains", "domains", c.counts.Domains, c.domain},
		{"systems", "systems", c.counts.Systems, c.system},
		{"resources", "resources", c.counts.Resources, c.resource},
		{"apis", "apis", c.counts.APIs, c.api},
		{"components", "components", c.counts.Components, c.component},
	}
}
