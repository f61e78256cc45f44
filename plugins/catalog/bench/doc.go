// Package bench generates deterministic catalog workloads: a realistic company of any size
// (groups in a hierarchy, users with memberships, domains, systems, components, APIs and
// resources, all referring to each other) written as multi-document YAML files with a root
// Location, for `portico bench`, the engine's and reader's benchmarks and scale tests.
//
// Every entity is a pure function of the seed, its kind and its index, so a catalog can be
// streamed to disk or iterated without holding it in memory, and the same (n, seed) always
// yields byte-identical files.
package bench
