// Package config loads app-config files with Backstage semantics and offers typed readers.
//
// Loading reads the --config files in order (or app-config.yaml and app-config.local.yaml when
// none are given), applies the per-file transforms ($env, $file, $include and ${VAR}
// interpolation), deep-merges the files (later wins, arrays replaced, null removes a key) and
// finally applies APP_CONFIG_* environment overrides. Every value remembers the file and line it
// came from, so errors and schema problems point at the offending line.
//
// Schemas contributed by plugins validate the merged tree, and their "visibility" and
// "deepVisibility" keywords decide what the browser may see and which values are secrets.
package config
