// Package archtest holds tests that enforce the architecture's dependency rules with
// `go list -deps`, so layering is checked by CI rather than by review.
package archtest
