package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bora-workflow/bora/internal/server"
)

func serverCommand() *cobra.Command {
	var (
		db     string
		listen string
		roles  string
	)
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the workflow service (REST API v2, engine and executor)",
		Long: `Run the workflow service. By default every role runs in this process on an
embedded SQLite file; --db postgres://... uses PostgreSQL instead.

SIGINT or SIGTERM stops claiming new work, finishes what is in flight and exits 0.
A restart on the same database continues every running execution.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
			roleList, err := parseRoles(roles)
			if err != nil {
				return err
			}
			st, err := server.OpenStore(ctx, db)
			if err != nil {
				return err
			}
			defer st.Close()
			p := server.New(st, server.Config{DB: db, Listen: listen, Roles: roleList, Logger: logger})
			if err := p.Run(ctx, nil); err != nil {
				return err
			}
			logger.Info("bora stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", server.DefaultDB, "SQLite file, or a postgres:// URL")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8989", "address of the REST API")
	cmd.Flags().StringVar(&roles, "roles", "api,engine,executor", "roles to run in this process")
	return cmd
}

func parseRoles(s string) ([]string, error) {
	var roles []string
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		switch r {
		case server.RoleAPI, server.RoleEngine, server.RoleExecutor:
			roles = append(roles, r)
		case "":
		default:
			return nil, fmt.Errorf("--roles: unknown role %q (want api, engine or executor)", r)
		}
	}
	if len(roles) == 0 {
		return nil, fmt.Errorf("--roles: name at least one of api, engine, executor")
	}
	return roles, nil
}
