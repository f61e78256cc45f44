package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/database"
)

func (a *app) dbCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "Manage Portico's databases"}
	cmd.AddCommand(&cobra.Command{
		Use:   "migrate",
		Short: "Apply every installed plugin's database migrations, then exit",
		Long: `Creates each plugin's database (or schema) when missing and applies its migrations. serve does
the same on start; run this before rolling out a new version to several replicas.`,
		Example: `  portico db migrate
  portico db migrate --config app-config.production.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.migrate(cmd.Context()) },
	})
	return cmd
}

func (a *app) migrate(ctx context.Context) error {
	cfg, _, err := a.loadAndValidate(ctx)
	if err != nil {
		return err
	}
	opts, err := framework.DatabaseOptionsFromConfig(cfg)
	if err != nil {
		return err
	}
	m, err := database.NewManager(opts, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer m.Close()
	n := 0
	for _, f := range a.features {
		p, ok := f.(framework.Plugin)
		if !ok || p.Migrations == nil {
			continue
		}
		start := time.Now()
		a.progress("migrating %s… ", p.ID)
		if _, err := framework.OpenPluginDatabase(ctx, m, p); err != nil {
			a.progress("failed\n")
			return err
		}
		a.progress("done (%s)\n", time.Since(start).Round(time.Millisecond))
		n++
	}
	a.progress("%d plugin databases up to date\n", n)
	return nil
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "portico", Version())
			return err
		},
	}
}
