package main

import (
	"cmp"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/expression/jinja"
	"github.com/bora-workflow/bora/internal/expression/yaql"
	"github.com/bora-workflow/bora/internal/server"
)

func serverCommand() *cobra.Command {
	var (
		db           string
		listen       string
		roles        string
		callbackURL  string
		execToken    string
		egressAllow  []string
		egressDeny   []string
		strictEgress bool
		exprLimits   expression.Options
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
			egress, err := egressPolicy(strictEgress, egressAllow, egressDeny)
			if err != nil {
				return err
			}
			st, err := server.OpenStore(ctx, db)
			if err != nil {
				return err
			}
			defer st.Close()
			p := server.New(st, server.Config{
				DB: db, Listen: listen, Roles: roleList, Logger: logger,
				CallbackURL: callbackURL, Actions: action.StdOptions{Egress: egress},
				ExecutorToken: cmp.Or(execToken, os.Getenv("BORA_EXECUTOR_TOKEN")),
				Expressions:   exprLimits,
			})
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
	cmd.Flags().StringVar(&callbackURL, "callback-url", "", "public base URL of the API sent to delegate actions (default http://<listen>)")
	cmd.Flags().StringVar(&execToken, "executor-token", "", "bearer token remote executors must send (default $BORA_EXECUTOR_TOKEN; none: open)")
	cmd.Flags().StringSliceVar(&egressAllow, "egress-allow-hosts", nil, "hosts std.http may call (default: any)")
	cmd.Flags().StringSliceVar(&egressDeny, "egress-deny-cidrs", nil, "networks std.http may not reach (default: link-local)")
	cmd.Flags().BoolVar(&strictEgress, "egress-strict", false, "also deny loopback, as Mistral does (for shared hosts)")
	addExpressionFlags(cmd, &exprLimits)
	return cmd
}

// addExpressionFlags binds the expression limits an operator may set.
func addExpressionFlags(cmd *cobra.Command, o *expression.Options) {
	cmd.Flags().DurationVar(&o.Timeout, "expression-timeout", expression.DefaultTimeout, "longest one expression may evaluate before its task fails (negative: no bound)")
	cmd.Flags().IntVar(&o.IterationLimit, "expression-iteration-limit", yaql.DefaultIterationLimit, "most elements one collection may yield inside an expression")
	cmd.Flags().IntVar(&o.MaxCallDepth, "expression-call-depth", yaql.DefaultMaxCallDepth, "deepest nesting of YAQL function and lambda calls")
	cmd.Flags().IntVar(&o.OutputLimit, "expression-output-limit", jinja.DefaultOutputLimit, "largest text a Jinja template may render, in bytes")
}

// egressPolicy builds the std.http egress policy from the flags.
func egressPolicy(strict bool, allow, deny []string) (*action.EgressPolicy, error) {
	p := action.DefaultEgressPolicy()
	if strict {
		p = action.MistralEgressPolicy()
	}
	p.AllowedHosts = allow
	extra, err := action.ParseCIDRs(deny)
	if err != nil {
		return nil, fmt.Errorf("--egress-deny-cidrs: %w", err)
	}
	p.DeniedCIDRs = append(p.DeniedCIDRs, extra...)
	return p, nil
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
