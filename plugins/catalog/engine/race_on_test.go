//go:build race

package engine_test

// raceEnabled is true under the race detector, which slows SQLite (transpiled C) about
// tenfold: tests that contend for its write lock use smaller catalogs then.
const raceEnabled = true
