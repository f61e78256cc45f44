// Command hello-plugin is Portico with the hello example plugin: the built-in features with
// the hello plugin's appended, and the same command line as portico (serve, config, db…).
//
//	go run ./examples/hello-plugin
//
// A custom build of your own is this file in your module, with your plugins in place of
// hello's. See docs/plugins.md.
package main

import (
	"context"
	"os"

	"github.com/portico-dev/portico/cli"
	"github.com/portico-dev/portico/examples/hello-plugin/hello"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/all"
)

// features is what this binary serves: every built-in plugin, then hello's.
func features() []framework.Feature {
	return append(all.Features(), hello.Features()...)
}

func main() {
	os.Exit(cli.Main(context.Background(), features(), os.Args[1:]))
}
