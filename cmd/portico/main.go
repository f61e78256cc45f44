// Command portico is the Portico developer portal: one binary serving the catalog, templates,
// docs, search and the web UI. A custom build is this file with more features appended.
package main

import (
	"context"
	"os"

	"github.com/portico-dev/portico/cli"
	"github.com/portico-dev/portico/plugins/all"
)

func main() {
	os.Exit(cli.Main(context.Background(), all.Features(), os.Args[1:]))
}
