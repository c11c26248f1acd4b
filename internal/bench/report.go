package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report for machines.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// WriteTable writes the report as a table for people, with a legend of
// where the times come from.
func WriteTable(w io.Writer, rep *Report) error {
	fmt.Fprintf(w, "target: %s\n", rep.Target)
	warm := ""
	if rep.Warmup > 0 {
		warm = fmt.Sprintf(" after %d uncounted warm-up round(s)", rep.Warmup)
	}
	fmt.Fprintf(w, "runs: %d sequential round(s) x %d concurrent execution(s)%s; %d CPUs, %s %s/%s\n\n",
		rep.Runs, rep.Concurrency, warm, rep.CPUs, rep.GoVersion, rep.GOOS, rep.GOARCH)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workflow\ttasks\tactions\tok\texec ms min\tp50\tavg\tmax\tms/task\ttasks/s\tactions/s\tCPU ms/task\tCPU ms/action\ttiming\tclient p50 ms\tavg\tPOST avg ms\tchecked\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d/%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			r.Workflow, r.TaskExecutions, r.ActionExecutions, r.Succeeded, r.Executions,
			ms(r.ExecSeconds.Min, r.Succeeded), ms(r.ExecSeconds.P50, r.Succeeded),
			ms(r.ExecSeconds.Avg, r.Succeeded), ms(r.ExecSeconds.Max, r.Succeeded),
			perTask(r.SecondsPerTask, r.Succeeded), rate(r.TasksPerSecond), rate(r.ActionsPerSecond),
			cpuPer(r.CPUSecondsPerTask), cpuPer(r.CPUSecondsPerAction),
			r.Timing, ms(r.ClientSeconds.P50, r.Succeeded), ms(r.ClientSeconds.Avg, r.Succeeded),
			ms(r.PostSeconds.Avg, r.Succeeded), checked(r.Verified))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	fmt.Fprintln(w)
	for _, line := range legend(rep) {
		fmt.Fprintln(w, line)
	}
	for _, r := range rep.Results {
		if r.TimingNote != "" {
			fmt.Fprintf(w, "%s: timing %s: %s.\n", r.Workflow, r.Timing, r.TimingNote)
		}
		for _, e := range r.Errors {
			fmt.Fprintf(w, "%s: %s\n", r.Workflow, e)
		}
		if v := r.Verified; v != nil && !v.OK {
			fmt.Fprintf(w, "%s: execution %s: the API shows %d task executions (%d not SUCCESS) in %d execution(s), want %d %s\n",
				r.Workflow, v.ExecutionID, v.TaskExecutions, v.NotSuccess, v.Executions, r.TaskExecutions, v.Error)
		}
	}
	return nil
}

// legend explains the timing sources the results use.
func legend(rep *Report) []string {
	used := map[string]bool{}
	for _, r := range rep.Results {
		used[r.Timing] = true
	}
	var out []string
	if used[TimingStore] {
		out = append(out, "timing store: the execution's created_at -> updated_at read from the store (microseconds).")
	}
	if used[TimingAPI] {
		out = append(out, "timing api: the execution's created_at -> updated_at as the API returns them.")
	}
	if used[TimingClient] {
		out = append(out, fmt.Sprintf("timing client: before POST -> first poll seeing the end (polls back off from 1 ms to %s ms, or 1/40 of the time elapsed if longer); why, below.",
			trim(rep.PollSeconds*1000)))
	}
	out = append(out, "tasks/s, actions/s: task (action) executions of successful executions / summed time of the rounds (first start -> last end of each round, same timing).")
	out = append(out, "client p50, avg: before POST -> end seen by polling; POST: until POST /v2/executions answered (work before created_at shows here).")
	if rep.CPUNote != "" {
		out = append(out, "CPU: "+rep.CPUNote+".")
		for _, r := range rep.Results {
			if r.CPUTooSmall {
				out = append(out, fmt.Sprintf("CPU -: under %d units of the meter over the rounds, too little to tell; more --runs give a number.", minCPUTicks))
				break
			}
		}
	}
	return out
}

func ms(seconds float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", seconds*1000)
}

func perTask(seconds float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", seconds*1000)
}

// rate keeps two significant digits of small rates: 0.2 tasks/s must
// not read as 0.
func rate(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v < 1:
		return fmt.Sprintf("%.2f", v)
	case v < 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func cpuPer(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.3f", *v*1000)
}

func checked(v *Verification) string {
	switch {
	case v == nil:
		return "-"
	case v.OK:
		return "ok"
	default:
		return "MISMATCH"
	}
}

// trim renders a number without trailing zeros.
func trim(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}
