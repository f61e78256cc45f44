package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/web/extension"
)

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check, print and describe app-config",
	}
	var frontend bool
	var format string
	check := &cobra.Command{
		Use:   "check",
		Short: "Validate app-config against every plugin's schema",
		Long: `Loads app-config exactly as serve does and validates it against the schemas of the framework
and of every installed plugin. Each problem is printed as file:line: key: problem; the exit code
is non-zero when there is any. Config Portico does not use (keys of plugins it does not ship,
app.extensions entries naming extensions no installed plugin provides) is listed as warnings,
as serve logs it. To learn the extensions, the plugins are initialised as serve does, in a
sandbox (in-memory database, temporary working directory, no catalog locations), which also
reports what would stop serve from starting.`,
		Example: `  portico config check
  portico config check --config app-config.yaml --config app-config.production.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.configCheck(cmd.Context()) },
	}
	print := &cobra.Command{
		Use:   "print",
		Short: "Print the resolved config, secrets masked",
		Example: `  portico config print
  portico config print --frontend          # only what the browser may see
  portico config print --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.configPrint(cmd.Context(), frontend, format)
		},
	}
	print.Flags().BoolVar(&frontend, "frontend", false, "print only values with frontend visibility")
	print.Flags().StringVar(&format, "format", "yaml", "output format: yaml or json")
	schema := &cobra.Command{
		Use:     "schema",
		Short:   "Print the JSON Schema of all config keys (framework and plugins)",
		Example: `  portico config schema > app-config.schema.json`,
		Args:    cobra.NoArgs,
		RunE:    func(*cobra.Command, []string) error { return a.configSchema() },
	}
	cmd.AddCommand(check, print, schema)
	return cmd
}

func (a *app) configCheck(ctx context.Context) error {
	cfg, err := a.loadConfig(ctx)
	if err != nil {
		return err
	}
	problems, err := config.Validate(cfg, a.schemas())
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(a.env.Stdout, p.String())
	}
	// Semantic checks the schema cannot express, done by the same readers serve uses.
	semantic := []error{}
	if _, err := framework.ServerOptionsFromConfig(cfg); err != nil {
		semantic = append(semantic, err)
	}
	if _, err := framework.DatabaseOptionsFromConfig(cfg); err != nil {
		semantic = append(semantic, err)
	}
	if _, err := framework.URLReaderOptionsFromConfig(cfg); err != nil {
		semantic = append(semantic, err)
	}
	if _, err := config.NewVisibility(a.schemas()); err != nil {
		semantic = append(semantic, err)
	}
	// The extensions named in app.extensions are known once the plugins have initialised:
	// only then, when the config is otherwise valid.
	var unknown []extension.Unknown
	if len(problems)+len(semantic) == 0 {
		var err error
		if unknown, err = a.unknownExtensions(ctx, cfg); err != nil {
			semantic = append(semantic, err)
		}
	}
	for _, err := range semantic {
		fmt.Fprintln(a.env.Stdout, err.Error())
	}
	// Keys of Backstage plugins this build lacks and extensions of plugins it does not ship:
	// the warnings serve logs, never problems.
	for _, u := range framework.UnusedConfig(cfg, a.schemas()) {
		fmt.Fprintln(a.env.Stdout, "warning: "+u.String())
	}
	for _, u := range unknown {
		fmt.Fprintln(a.env.Stdout, "warning: "+u.String())
	}
	if n := len(problems) + len(semantic); n > 0 {
		return exitError{fmt.Sprintf("%d config problems", n)}
	}
	fmt.Fprintln(a.env.Stdout, "config ok")
	return nil
}

func (a *app) configPrint(ctx context.Context, frontend bool, format string) error {
	cfg, err := a.loadConfig(ctx)
	if err != nil {
		return err
	}
	vis, err := config.NewVisibility(a.schemas())
	if err != nil {
		return err
	}
	data := vis.Redacted(cfg)
	if frontend {
		data = vis.Frontend(cfg)
	}
	return writeData(a.env.Stdout, data, format)
}

func writeData(w io.Writer, data any, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(data)
	case "yaml", "":
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(data); err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
		return enc.Close()
	default:
		return fmt.Errorf("unknown format %q: want yaml or json", format)
	}
}

func (a *app) configSchema() error {
	var all []any
	for _, s := range a.schemas() {
		var v map[string]any
		if err := json.Unmarshal(s.JSON, &v); err != nil {
			return fmt.Errorf("schema of %s: %w", s.Owner, err)
		}
		delete(v, "$schema")
		v["title"] = s.Owner
		all = append(all, v)
	}
	merged := map[string]any{
		"$schema": "http://json-schema.org/draft-07/schema#",
		"title":   "Portico app-config",
		"allOf":   all,
	}
	return writeData(a.env.Stdout, merged, "json")
}
