// Package cli implements the portico command line: serve (the default), config check|print|
// schema, db migrate and version. It is public so a custom build (the built-in features plus
// its own plugins) gets the same commands from a ten-line main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/database"
)

// Env is the process environment the commands run in, injectable for tests.
type Env struct {
	Stdout, Stderr io.Writer
	Environ        []string
	Dir            string // working directory; "" = current
	// StderrIsTerminal enables progress output and human-readable logs.
	StderrIsTerminal bool
}

// OSEnv returns the real process environment.
func OSEnv() Env {
	dir, _ := os.Getwd()
	return Env{
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Environ:          os.Environ(),
		Dir:              dir,
		StderrIsTerminal: isatty.IsTerminal(os.Stderr.Fd()),
	}
}

// Main runs the command line with the process environment and returns the exit code. Errors
// are printed as one line, never as a stack trace.
func Main(ctx context.Context, features []framework.Feature, args []string) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := OSEnv()
	if err := Run(ctx, env, features, args); err != nil {
		var exit exitError
		if !errors.As(err, &exit) {
			fmt.Fprintf(env.Stderr, "portico: %v\n", errorLine(err))
		}
		return 1
	}
	return 0
}

// errorLine is what Main prints for err. A data directory or database file that cannot be
// used is named with the cause; the chain of services that tried to open it adds nothing.
func errorLine(err error) error {
	if access, ok := errors.AsType[*database.AccessError](err); ok {
		return access
	}
	return err
}

// exitError reports failure whose explanation has already been printed.
type exitError struct{ msg string }

func (e exitError) Error() string { return e.msg }

// Run executes one command line.
func Run(ctx context.Context, env Env, features []framework.Feature, args []string) error {
	root := newRootCommand(env, features)
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	return root.ExecuteContext(ctx)
}

// app is the state shared by the commands.
type app struct {
	env         Env
	features    []framework.Feature
	configPaths []string
}

func newRootCommand(env Env, features []framework.Feature) *cobra.Command {
	a := &app{env: env, features: features}
	root := &cobra.Command{
		Use:   "portico",
		Short: "Portico, a Backstage-compatible developer portal in one binary",
		Long: `Portico is a developer portal: software catalog, templates, docs and search, compatible with
Backstage's catalog-info.yaml files, app-config.yaml and REST APIs.

With no command, portico serves the portal (same as "portico serve").`,
		Example: `  portico                                   # serve on http://127.0.0.1:7007 with ./.portico
  portico --config app-config.yaml --config app-config.production.yaml
  portico config check
  portico db migrate`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serve(cmd.Context())
		},
	}
	root.PersistentFlags().StringArrayVar(&a.configPaths, "config", nil,
		"config file to load; repeat to layer files (later wins). Default: app-config.yaml and app-config.local.yaml when present")
	root.AddCommand(a.serveCommand(), a.configCommand(), a.dbCommand(), a.catalogCommand(), a.benchCommand(), a.newCommand(), versionCommand())
	return root
}

// loadConfig loads app-config with Backstage's rules.
func (a *app) loadConfig(ctx context.Context) (*config.Config, error) {
	return config.Load(ctx, config.LoadOptions{Paths: a.configPaths, Dir: a.env.Dir, Environ: a.env.Environ})
}

func (a *app) schemas() []config.Schema { return framework.ConfigSchemas(a.features) }

func (a *app) progress(format string, args ...any) {
	if a.env.StderrIsTerminal {
		fmt.Fprintf(a.env.Stderr, format, args...)
	}
}
