package main

import (
	"cmp"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/executor"
)

func executorCommand() *cobra.Command {
	var (
		apiURL       string
		name         string
		target       string
		slots        int
		token        string
		lease        time.Duration
		wait         time.Duration
		drain        time.Duration
		egressAllow  []string
		egressDeny   []string
		strictEgress bool
	)
	cmd := &cobra.Command{
		Use:   "executor",
		Short: "Run actions for a bora API over HTTP, with no database access",
		Long: `Run a remote executor: it claims work from a bora API over HTTP (see
docs/executor-protocol.md), runs the standard actions and reports the results.
It needs no database. With --target it serves only the tasks whose target:
names it; without, the default queue and the tasks whose target: is its --name.

SIGINT or SIGTERM stops claiming, finishes and reports the actions in flight
(past --drain-timeout it stops them; safe-rerun ones are handed back), and
exits 0.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if apiURL == "" {
				return fmt.Errorf("--api: the bora API to work for is required (http://host:8989)")
			}
			logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
			egress, err := egressPolicy(strictEgress, egressAllow, egressDeny)
			if err != nil {
				return err
			}
			if name == "" {
				name = executorName()
			}
			src := executor.NewHTTPSource(apiURL, cmp.Or(token, os.Getenv("BORA_EXECUTOR_TOKEN")), nil)
			x := executor.NewWithSource(src, action.NewStandard(action.StdOptions{Egress: egress}), executor.Options{
				Name: name, Target: target, Slots: slots, Lease: lease, PollInterval: wait,
				DrainTimeout: drain, Logger: logger,
			})
			logger.Info("bora executor working", "api", apiURL, "name", name, "target", target, "slots", slots)
			if err := x.Run(cmd.Context()); err != nil {
				return err
			}
			logger.Info("bora executor stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&apiURL, "api", "", "base URL of a bora API (http://host:8989)")
	cmd.Flags().StringVar(&name, "name", "", "this executor's name, the owner of its leases (default <host>-<pid>)")
	cmd.Flags().StringVar(&target, "target", "", "serve only tasks with this target: (default: the default queue)")
	cmd.Flags().IntVar(&slots, "slots", 16, "actions run at once")
	cmd.Flags().StringVar(&token, "token", "", "bearer token the API expects (default $BORA_EXECUTOR_TOKEN)")
	cmd.Flags().DurationVar(&lease, "lease", 30*time.Second, "lease length; heartbeats every third of it")
	cmd.Flags().DurationVar(&wait, "wait", 10*time.Second, "long-poll wait of one claim (a stop may wait this long for a claim in flight)")
	cmd.Flags().DurationVar(&drain, "drain-timeout", 30*time.Second, "how long a stop waits for the actions in flight")
	cmd.Flags().StringSliceVar(&egressAllow, "egress-allow-hosts", nil, "hosts std.http may call (default: any)")
	cmd.Flags().StringSliceVar(&egressDeny, "egress-deny-cidrs", nil, "networks std.http may not reach (default: link-local)")
	cmd.Flags().BoolVar(&strictEgress, "egress-strict", false, "also deny loopback, as Mistral does (for shared hosts)")
	return cmd
}

func executorName() string {
	h, err := os.Hostname()
	if err != nil {
		h = "executor"
	}
	return fmt.Sprintf("%s-%d", h, os.Getpid())
}
