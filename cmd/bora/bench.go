package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bora-workflow/bora/internal/bench"
)

// benchFlags are `bora bench`'s options. The target is chosen by exactly
// one of URL and Embedded; a local cluster (engines and executors as
// processes on PostgreSQL) will be a third choice beside them, building
// another bench.Target.
type benchFlags struct {
	url         string
	embedded    bool
	db          string
	workflows   string
	runs        int
	concurrency int
	poll        time.Duration
	timeout     time.Duration
	timing      string
	verify      bool
	json        bool
}

func benchCommand() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the reference workflows on bora or any Mistral v2 server",
		Long: `Generate the reference workflows (the same definitions as
shared/reference-workflows/gen.py: seq_N, par_N, mixed_XxN, join_N,
mixed_join_XxN, with_items_N, with_items_c10_N, complex_XxN), run them and
report per workflow the time per execution (min, p50, avg, max), time per
task, tasks per second and, for an embedded bora, CPU time per task.

--url runs against any server speaking the Mistral REST API v2 (bora or the
real Mistral); the definitions it creates are deleted afterwards.
--embedded runs a bora in this process on a temporary SQLite file, or on
--db postgres://... in a fresh schema that is dropped afterwards.

Each of --runs rounds starts --concurrency executions at once and waits for
them all. Times come from the server's created_at -> updated_at: read from
the store for an embedded bora (microseconds), from the API otherwise. The
client's time (before POST -> end seen by polling) is always recorded, and
--timing auto uses it instead where the server's times cannot be trusted:
the API's whole seconds for executions under 10 s, or store times whose
updated_at precedes by far the moment the end became visible. The report
says which source each row uses, and why.

Exits 1 when an execution did not succeed or the task count through the API
differs from the generator's.`,
		Example: `  bora bench --embedded --workflows seq_1000,par_1000,join_1000,with_items_1000
  bora bench --embedded --db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' --workflows par_1000
  bora bench --url http://127.0.0.1:8989 --workflows seq_10,par_10 --runs 1 --poll 50ms`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "base URL of a Mistral v2 API server (http://host:port)")
	fl.BoolVar(&f.embedded, "embedded", false, "run an in-process bora")
	fl.StringVar(&f.db, "db", "", "store of the embedded bora: a SQLite file or a postgres:// URL (default: temporary SQLite file)")
	fl.StringVar(&f.workflows, "workflows", "seq_100,par_100,join_100,with_items_100", "comma-separated reference workflows")
	fl.IntVar(&f.runs, "runs", 3, "rounds, one after another")
	fl.IntVar(&f.concurrency, "concurrency", 1, "executions started at once in each round")
	fl.DurationVar(&f.poll, "poll", 10*time.Millisecond, "longest wait between two polls of an execution")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "longest one execution may take")
	fl.StringVar(&f.timing, "timing", bench.TimingAuto, "source of the times: auto, store, api or client")
	fl.BoolVar(&f.verify, "verify", true, "count the first execution's tasks through the API")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	return cmd
}

func runBench(ctx context.Context, f benchFlags, stdout io.Writer) (err error) {
	specs, err := bench.ParseSpecs(f.workflows)
	if err != nil {
		return fmt.Errorf("--workflows: %w", err)
	}
	var target bench.Target
	switch {
	case f.embedded && f.url != "":
		return errors.New("--url and --embedded exclude each other")
	case f.url != "":
		if f.db != "" {
			return errors.New("--db is for --embedded; a --url server has its own store")
		}
		target, err = bench.NewURLTarget(f.url, f.concurrency)
	case f.embedded:
		target, err = bench.StartEmbedded(ctx, bench.EmbeddedOptions{DB: f.db, Concurrency: f.concurrency, Log: os.Stderr})
	default:
		return errors.New("choose a target: --url http://host:port or --embedded")
	}
	if err != nil {
		return err
	}
	defer func() {
		if cerr := target.Close(context.WithoutCancel(ctx)); cerr != nil {
			err = errors.Join(err, fmt.Errorf("clean up target: %w", cerr))
		}
	}()

	opt := bench.Options{
		Workflows: specs, Runs: f.runs, Concurrency: f.concurrency,
		Poll: f.poll, Timeout: f.timeout, Timing: f.timing, Verify: f.verify,
	}
	if stderrIsTerminal() {
		opt.Progress = bench.NewProgress(os.Stderr)
	}
	rep, runErr := bench.Run(ctx, target, opt)
	if rep != nil && len(rep.Results) > 0 {
		write := bench.WriteTable
		if f.json {
			write = bench.WriteJSON
		}
		if err := write(stdout, rep); err != nil {
			return errors.Join(runErr, err)
		}
	}
	if runErr != nil {
		return runErr
	}
	for _, r := range rep.Results {
		if r.Succeeded != r.Executions || (r.Verified != nil && !r.Verified.OK) {
			return exitError{code: 1}
		}
	}
	return nil
}

// stderrIsTerminal decides whether to draw the progress bar: not into a
// file or a pipe, where \r would leave garbage.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
