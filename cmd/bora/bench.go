package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/bora-workflow/bora/internal/bench"
)

// benchFlags are `bora bench`'s options. The target is chosen by exactly
// one of URL, Embedded and Cluster.
type benchFlags struct {
	url         string
	embedded    bool
	cluster     bool
	engines     int
	executors   int
	serverPIDs  []int
	db          string
	workflows   string
	sizes       string
	x           int
	runs        int
	warmup      int
	concurrency int
	poll        time.Duration
	timeout     time.Duration
	timing      string
	verify      bool
	json        bool
	cpuProfile  string
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
--cluster starts bora as separate processes on --db postgres://... (a fresh
schema, dropped afterwards): one API process, --engines engine processes and
--executors executor processes; CPU is the sum of theirs.
--server-pid adds, for a --url server on this machine, its processes' CPU
time (Linux /proc), e.g. the real Mistral's.

A bare shape in --workflows (seq, par, mixed, join, mixed_join, with_items,
with_items_c10, complex) runs at every one of --sizes, with --x chains for
mixed, mixed_join and complex: the sweep that shows time per task is flat.

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
  bora bench --url http://127.0.0.1:8989 --workflows seq_10,par_10 --runs 1 --poll 50ms
  bora bench --cluster --engines 2 --executors 2 --db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' --workflows par_1000
  bora bench --embedded --workflows seq,par,join,mixed --sizes 10,100,1000,10000 --x 10 --runs 2 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "base URL of a Mistral v2 API server (http://host:port)")
	fl.BoolVar(&f.embedded, "embedded", false, "run an in-process bora")
	fl.BoolVar(&f.cluster, "cluster", false, "run bora as separate API, engine and executor processes on --db postgres://...")
	fl.IntVar(&f.engines, "engines", 2, "engine processes of a --cluster")
	fl.IntVar(&f.executors, "executors", 1, "executor processes of a --cluster")
	fl.IntSliceVar(&f.serverPIDs, "server-pid", nil, "with --url: process id(s) of the server on this machine, to report its CPU time")
	fl.StringVar(&f.db, "db", "", "store of --embedded (a SQLite file or a postgres:// URL; default: temporary SQLite file) or of --cluster (postgres://)")
	fl.StringVar(&f.workflows, "workflows", "seq_100,par_100,join_100,with_items_100", "comma-separated reference workflows (a bare shape runs at every --sizes)")
	fl.StringVar(&f.sizes, "sizes", "", "sizes N for the bare shapes of --workflows (10,100,1000)")
	fl.IntVar(&f.x, "x", 10, "chains X for bare mixed, mixed_join and complex")
	fl.IntVar(&f.runs, "runs", 3, "rounds, one after another")
	fl.IntVar(&f.warmup, "warmup", 0, "rounds run first and not counted (the first execution of a definition parses it)")
	fl.IntVar(&f.concurrency, "concurrency", 1, "executions started at once in each round")
	fl.DurationVar(&f.poll, "poll", 10*time.Millisecond, "longest wait between two polls of an execution")
	fl.DurationVar(&f.timeout, "timeout", 10*time.Minute, "longest one execution may take")
	fl.StringVar(&f.timing, "timing", bench.TimingAuto, "source of the times: auto, store, api or client")
	fl.BoolVar(&f.verify, "verify", true, "count the first execution's tasks through the API")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of this process to the file (an --embedded server's hot paths; go tool pprof)")
	return cmd
}

func runBench(ctx context.Context, f benchFlags, stdout io.Writer) (err error) {
	sizes, err := bench.ParseSizes(f.sizes)
	if err != nil {
		return fmt.Errorf("--sizes: %w", err)
	}
	specs, err := bench.ExpandSpecs(f.workflows, sizes, f.x)
	if err != nil {
		return fmt.Errorf("--workflows: %w", err)
	}
	chosen := 0
	for _, on := range []bool{f.url != "", f.embedded, f.cluster} {
		if on {
			chosen++
		}
	}
	if chosen != 1 {
		return errors.New("choose one target: --url http://host:port, --embedded or --cluster")
	}
	if len(f.serverPIDs) > 0 && f.url == "" {
		return errors.New("--server-pid is for --url; embedded and cluster targets measure their own CPU")
	}
	var target bench.Target
	switch {
	case f.url != "":
		if f.db != "" {
			return errors.New("--db is for --embedded and --cluster; a --url server has its own store")
		}
		target, err = bench.NewURLTarget(f.url, f.concurrency)
		if err == nil && len(f.serverPIDs) > 0 {
			target, err = bench.WithServerPIDs(target, f.serverPIDs)
		}
	case f.embedded:
		target, err = bench.StartEmbedded(ctx, bench.EmbeddedOptions{DB: f.db, Concurrency: f.concurrency, Log: os.Stderr})
	default:
		target, err = bench.StartCluster(ctx, bench.ClusterOptions{
			DB: f.db, Engines: f.engines, Executors: f.executors, Concurrency: f.concurrency,
		})
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
		Workflows: specs, Runs: f.runs, Warmup: f.warmup, Concurrency: f.concurrency,
		Poll: f.poll, Timeout: f.timeout, Timing: f.timing, Verify: f.verify,
	}
	if stderrIsTerminal() {
		opt.Progress = bench.NewProgress(os.Stderr)
	}
	if f.cpuProfile != "" {
		stopProfile, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stopProfile()) }()
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

// startCPUProfile profiles this process until the returned stop is
// called: with --embedded that is the server's engine, store and API.
func startCPUProfile(path string) (stop func() error, err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		_ = out.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := out.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}
