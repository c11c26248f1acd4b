package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Options says what to run against a target.
type Options struct {
	Workflows []Spec
	// Runs is how many rounds run one after another; each round starts
	// Concurrency executions at once and waits for all of them.
	Runs        int
	Concurrency int
	// Warmup is how many rounds run first and are not counted: the first
	// execution of a definition also parses it and prepares statements,
	// a cost per definition rather than per task.
	Warmup int
	// Poll is the longest wait between two polls of one execution.
	Poll time.Duration
	// Timeout bounds one execution.
	Timeout time.Duration
	// Timing is TimingAuto (or ""), or forces TimingStore, TimingAPI or
	// TimingClient as the source of the reported times.
	Timing string
	// Verify counts the task executions of the first successful
	// execution (and its sub-executions) through the API and compares
	// them with the generator's count.
	Verify bool
	// Progress, when not nil, is told about every finished execution.
	Progress *Progress
}

func (o *Options) check() error {
	switch {
	case len(o.Workflows) == 0:
		return errors.New("no workflows to run")
	case o.Runs < 1:
		return fmt.Errorf("runs must be at least 1, not %d", o.Runs)
	case o.Warmup < 0:
		return fmt.Errorf("warm-up rounds must be 0 or more, not %d", o.Warmup)
	case o.Concurrency < 1:
		return fmt.Errorf("concurrency must be at least 1, not %d", o.Concurrency)
	case o.Poll <= 0:
		return fmt.Errorf("poll interval must be positive, not %s", o.Poll)
	case o.Timeout <= 0:
		return fmt.Errorf("timeout must be positive, not %s", o.Timeout)
	}
	switch o.Timing {
	case "", TimingAuto, TimingStore, TimingAPI, TimingClient:
	default:
		return fmt.Errorf("timing %q: want auto, store, api or client", o.Timing)
	}
	return nil
}

// Run runs every workflow of opt against t, one workflow after another,
// and reports on each. On an error (a failing API, a cancelled ctx) it
// returns the report of the workflows done so far with the error.
func Run(ctx context.Context, t Target, opt Options) (*Report, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	rep := &Report{
		Target:      t.Describe(),
		Started:     time.Now().UTC(),
		Runs:        opt.Runs,
		Warmup:      opt.Warmup,
		Concurrency: opt.Concurrency,
		PollSeconds: opt.Poll.Seconds(),
		GoVersion:   runtime.Version(),
		GOOS:        runtime.GOOS,
		GOARCH:      runtime.GOARCH,
		CPUs:        runtime.NumCPU(),
	}
	if m, ok := t.(CPUMeter); ok {
		rep.CPUNote = m.CPUNote()
	}
	for _, spec := range opt.Workflows {
		res, err := runWorkflow(ctx, t, spec, opt)
		if res != nil {
			rep.Results = append(rep.Results, *res)
		}
		if err != nil {
			return rep, fmt.Errorf("%s: %w", spec.Name(), err)
		}
	}
	return rep, nil
}

// runWorkflow uploads one workflow, runs its rounds, verifies and deletes
// what it created.
func runWorkflow(ctx context.Context, t Target, spec Spec, opt Options) (res *Result, err error) {
	def, err := Generate(spec)
	if err != nil {
		return nil, err
	}
	c := t.Client()
	began := time.Now()
	created, err := c.UploadWorkflows(ctx, def.Text)
	if err != nil {
		return nil, err
	}
	upload := time.Since(began)
	if created {
		defer func() {
			// Delete even after a cancel: the definitions are ours. A
			// failed delete spoils no measurement, so it is only noted.
			cctx := context.WithoutCancel(ctx)
			for _, name := range def.Workflows {
				derr := c.DeleteWorkflow(cctx, name)
				switch {
				case derr == nil:
				case res != nil:
					res.Errors = append(res.Errors, derr.Error())
				default:
					err = errors.Join(err, derr)
				}
			}
		}()
	}

	total := (opt.Warmup + opt.Runs) * opt.Concurrency
	if opt.Progress != nil {
		opt.Progress.Begin(def.Name(), total)
		defer opt.Progress.End()
	}
	runID, err := randomTag()
	if err != nil {
		return nil, err
	}
	var warmupErrors []string
	for r := 0; r < opt.Warmup; r++ {
		tag := fmt.Sprintf("bora bench %s %s warm-up %d", def.Name(), runID, r+1)
		for _, s := range runRound(ctx, t, def.Name(), tag, opt) {
			if s.err != nil {
				return nil, s.err
			}
			if s.state != "SUCCESS" && len(warmupErrors) < maxErrors {
				warmupErrors = append(warmupErrors, "warm-up "+s.id+" "+s.state+": "+clip(s.stateInfo, maxInfo))
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	// CPU time is optional: a meter that fails leaves the column empty
	// rather than the run without numbers.
	meter, hasCPU := t.(CPUMeter)
	var cpu0 time.Duration
	if hasCPU {
		var cerr error
		if cpu0, cerr = meter.CPUTime(); cerr != nil {
			hasCPU = false
		}
	}
	rounds := make([][]sample, 0, opt.Runs)
	for r := 0; r < opt.Runs; r++ {
		tag := fmt.Sprintf("bora bench %s %s round %d", def.Name(), runID, r+1)
		round := runRound(ctx, t, def.Name(), tag, opt)
		rounds = append(rounds, round)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, s := range round {
			// An API that fails is a broken target, not a slow one.
			if s.err != nil {
				return nil, s.err
			}
		}
	}
	var cpu *time.Duration
	cpuTooSmall := false
	if hasCPU {
		if cpu1, err := meter.CPUTime(); err == nil {
			d := cpu1 - cpu0
			if d >= minCPUTicks*meter.CPUResolution() {
				cpu = &d
			} else {
				cpuTooSmall = true
			}
		}
	}
	sum := summarize(def, opt, rounds, cpu)
	sum.CPUTooSmall = cpuTooSmall
	sum.Warmup = opt.Warmup
	sum.Errors = append(warmupErrors, sum.Errors...)
	sum.UploadSeconds = upload.Seconds()
	if opt.Verify {
		sum.Verified = verify(ctx, c, def, rounds)
	}
	return &sum, nil
}

// runRound starts opt.Concurrency executions at once and waits for all.
func runRound(ctx context.Context, t Target, workflow, tag string, opt Options) []sample {
	out := make([]sample, opt.Concurrency)
	var wg sync.WaitGroup
	// Every goroutine waits at the gate so the executions start together
	// rather than staggered by goroutine start-up.
	gate := make(chan struct{})
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			out[i] = runExecution(ctx, t, workflow, tag, opt.Poll, opt.Timeout)
			if opt.Progress != nil {
				opt.Progress.Step()
			}
		}()
	}
	close(gate)
	wg.Wait()
	return out
}

func randomTag() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random run id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
