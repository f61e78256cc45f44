// Command gencss writes plugins/apidocs/ui/static/highlight.css from apidef.HighlightCSS.
package main

import (
	"fmt"
	"os"

	"github.com/portico-dev/portico/plugins/apidocs/apidef"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gencss OUTPUT.css")
		os.Exit(2)
	}
	css, err := apidef.HighlightCSS()
	if err == nil {
		err = os.WriteFile(os.Args[1], []byte(css), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencss:", err)
		os.Exit(1)
	}
}
