package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
)

func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the portal (the default command)",
		Example: `  portico serve
  portico serve --config app-config.yaml --config app-config.production.yaml
  APP_CONFIG_backend_listen_port=8080 portico serve
  LOG_LEVEL=debug LOG_FORMAT=json portico serve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.serve(cmd.Context()) },
	}
}

func (a *app) serve(ctx context.Context) error {
	cfg, vis, err := a.loadAndValidate(ctx)
	if err != nil {
		return err
	}
	logger, err := a.logger(cfg, vis)
	if err != nil {
		return err
	}
	logStorage(logger, cfg, a.env.Dir)
	b := framework.New(framework.Options{Config: cfg, Logger: logger, Version: Version()})
	b.Add(a.features...)
	return b.Run(ctx)
}

// loadAndValidate loads config and checks it against every schema, failing on the first
// problem (all of them are listed by `portico config check`).
func (a *app) loadAndValidate(ctx context.Context) (*config.Config, *config.Visibility, error) {
	cfg, err := a.loadConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	schemas := a.schemas()
	problems, err := config.Validate(cfg, schemas)
	if err != nil {
		return nil, nil, err
	}
	if len(problems) > 0 {
		more := ""
		if len(problems) > 1 {
			more = fmt.Sprintf(" (and %d more problems: run portico config check)", len(problems)-1)
		}
		return nil, nil, fmt.Errorf("invalid config: %s%s", problems[0], more)
	}
	vis, err := config.NewVisibility(schemas)
	if err != nil {
		return nil, nil, err
	}
	return cfg, vis, nil
}

// logger builds the root logger: LOG_LEVEL and LOG_FORMAT win over backend.logger.*.
func (a *app) logger(cfg *config.Config, vis *config.Visibility) (*slog.Logger, error) {
	opts := framework.LoggerOptions{Secrets: vis.Secrets(cfg)}
	var err error
	if opts.Level, _, err = cfg.OptionalString("backend.logger.level"); err != nil {
		return nil, err
	}
	if opts.Format, _, err = cfg.OptionalString("backend.logger.format"); err != nil {
		return nil, err
	}
	if v := lookupEnv(a.env.Environ, "LOG_LEVEL"); v != "" {
		opts.Level = v
	}
	if v := lookupEnv(a.env.Environ, "LOG_FORMAT"); v != "" {
		opts.Format = v
	}
	if opts.Format == "" && !a.env.StderrIsTerminal {
		opts.Format = "json"
	}
	return framework.NewLogger(a.env.Stderr, opts)
}

// logStorage says where the portal keeps its data, without credentials.
func logStorage(logger *slog.Logger, cfg *config.Config, wd string) {
	opts, err := framework.DatabaseOptionsFromConfig(cfg)
	if err != nil {
		return // reported when the database service starts
	}
	switch {
	case opts.Client == "pg":
		logger.Info("database", "client", "postgres", "server", redactDSN(opts.ConnString), "divisionMode", orDefault(opts.DivisionMode, "database"))
	case opts.Memory:
		// Not ":memory:": the connection value is a secret, which the logger would mask.
		logger.Info("database", "client", "sqlite", "location", "in memory (data is lost on exit)")
	case opts.Filename != "":
		logger.Info("database", "client", "sqlite", "file", absPath(wd, opts.Filename))
	default:
		logger.Info("database", "client", "sqlite", "directory", absPath(wd, opts.Directory))
	}
}

func absPath(wd, p string) string {
	if filepath.IsAbs(p) || wd == "" {
		return p
	}
	return filepath.Join(wd, p)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// redactDSN keeps host and database of a connection string and drops credentials.
func redactDSN(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at >= 0 && strings.Contains(dsn, "://") {
		scheme, _, _ := strings.Cut(dsn, "://")
		return scheme + "://" + dsn[at+1:]
	}
	var kept []string
	for _, f := range strings.Fields(dsn) {
		if !strings.HasPrefix(strings.ToLower(f), "password=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}

func lookupEnv(environ []string, key string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
