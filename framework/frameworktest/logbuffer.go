package frameworktest

import "github.com/portico-dev/portico/internal/logbuf"

// LogBuffer collects log output (a backend's or a component's) for assertions; it is safe for
// the concurrent writes of a running backend.
type LogBuffer = logbuf.Buffer
