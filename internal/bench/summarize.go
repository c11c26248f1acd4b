package bench

import (
	"fmt"
	"slices"
	"time"
)

// maxErrors bounds the failure messages kept per workflow, and maxInfo
// each one: Mistral's state_info can carry whole tracebacks.
const (
	maxErrors = 5
	maxInfo   = 300
)

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// summarize turns the rounds' samples into a Result.
func summarize(def Definition, opt Options, rounds [][]sample, cpu *time.Duration) Result {
	res := Result{
		Workflow:         def.Name(),
		Shape:            def.Shape,
		N:                def.N,
		X:                def.X,
		TaskExecutions:   def.TaskExecutions,
		ActionExecutions: def.ActionExecutions,
		Runs:             opt.Runs,
		Concurrency:      opt.Concurrency,
		States:           map[string]int{},
	}
	var ok []sample
	exactAll, apiAll, apiFine := true, true, true
	for _, round := range rounds {
		for _, s := range round {
			res.Executions++
			res.States[s.state]++
			if s.state != "SUCCESS" {
				if len(res.Errors) < maxErrors {
					res.Errors = append(res.Errors, s.id+" "+s.state+": "+clip(s.stateInfo, maxInfo))
				}
				continue
			}
			ok = append(ok, s)
			exactAll = exactAll && s.exactOK
			apiAll = apiAll && s.apiOK
			apiFine = apiFine && s.apiFine
		}
	}
	res.Succeeded = len(ok)
	if len(ok) == 0 {
		res.Timing, res.TimingNote = TimingClient, "no execution succeeded"
		return res
	}
	res.ClientSeconds = stats(ok, (*sample).client)
	res.PostSeconds = stats(ok, (*sample).post)
	if exactAll {
		st := stats(ok, exactDuration)
		before, after := stats(ok, beforeCreated), stats(ok, afterUpdated)
		res.StoreSeconds, res.BeforeCreatedSeconds, res.AfterUpdatedSeconds = &st, &before, &after
	}
	if apiAll {
		st := stats(ok, apiDuration)
		res.APISeconds = &st
		res.APIFine = apiFine
	}
	res.Timing, res.TimingNote = chooseTiming(&res, opt)
	switch res.Timing {
	case TimingStore:
		res.ExecSeconds = *res.StoreSeconds
	case TimingAPI:
		res.ExecSeconds = *res.APISeconds
	default:
		res.ExecSeconds = res.ClientSeconds
	}
	res.SecondsPerTask = res.ExecSeconds.Avg / float64(def.TaskExecutions)
	res.SecondsPerAction = res.ExecSeconds.Avg / float64(def.ActionExecutions)

	var span, clientSpan time.Duration
	for _, round := range rounds {
		span += roundSpan(round, res.Timing)
		clientSpan += roundSpan(round, TimingClient)
	}
	tasks, actions := res.Succeeded*def.TaskExecutions, res.Succeeded*def.ActionExecutions
	res.TasksPerSecond = perSecond(tasks, span)
	res.ClientTasksPerSecond = perSecond(tasks, clientSpan)
	res.ActionsPerSecond = perSecond(actions, span)
	if cpu != nil {
		// Failed executions used CPU too, so divide by all of them.
		perTask := cpu.Seconds() / float64(res.Executions*def.TaskExecutions)
		perAction := cpu.Seconds() / float64(res.Executions*def.ActionExecutions)
		res.CPUSecondsPerTask, res.CPUSecondsPerAction = &perTask, &perAction
	}
	return res
}

// storeLag is how long after updated_at the client may see the end
// before the store's times are taken to miss work: polling alone explains
// up to one poll interval (which grows with a long execution, see
// nextPoll), and a loopback GET a little more.
func storeLag(poll time.Duration, execSeconds float64) float64 {
	longest := max(poll, time.Duration(execSeconds*float64(time.Second))/pollFraction)
	return (2*longest + 2*time.Millisecond).Seconds()
}

// chooseTiming picks the source of a result's times (see TimingAuto) and
// says why when it is not the server's own.
func chooseTiming(r *Result, opt Options) (timing, note string) {
	switch opt.Timing {
	case TimingStore:
		if r.StoreSeconds != nil {
			if lag := r.AfterUpdatedSeconds.Avg; lag > storeLag(opt.Poll, r.ClientSeconds.Avg) {
				return TimingStore, fmt.Sprintf("asked for, though the end became visible %.1f ms (avg) after updated_at", lag*1000)
			}
			return TimingStore, ""
		}
		return TimingClient, "this target has no store times"
	case TimingAPI:
		if r.APISeconds != nil {
			return TimingAPI, ""
		}
		return TimingClient, "the API gave no created_at/updated_at"
	case TimingClient:
		return TimingClient, "asked for"
	}
	if r.StoreSeconds != nil {
		if lag := r.AfterUpdatedSeconds.Avg; lag > storeLag(opt.Poll, r.ClientSeconds.Avg) {
			return TimingClient, fmt.Sprintf("the end became visible %.1f ms (avg) after updated_at: "+
				"the server stamps updated_at before its last writes (store %.1f ms vs client %.1f ms avg)",
				lag*1000, r.StoreSeconds.Avg*1000, r.ClientSeconds.Avg*1000)
		}
		return TimingStore, ""
	}
	if r.APISeconds != nil {
		if r.APIFine || r.APISeconds.Avg >= apiTrustSeconds {
			return TimingAPI, ""
		}
		return TimingClient, fmt.Sprintf("the API's timestamps have 1 s resolution and executions averaged under %d s", apiTrustSeconds)
	}
	return TimingClient, "the API gave no created_at/updated_at"
}

func exactDuration(s *sample) time.Duration { return s.exactUpdated.Sub(s.exactCreated) }

// beforeCreated and afterUpdated compare the client's clock with the
// store's, which is the same wall clock only for an in-process server
// (the only one with exact times).
func beforeCreated(s *sample) time.Duration { return s.exactCreated.Sub(s.start.Round(0)) }

func afterUpdated(s *sample) time.Duration { return s.end.Round(0).Sub(s.exactUpdated) }

func apiDuration(s *sample) time.Duration { return s.apiUpdated.Sub(s.apiCreated) }

// roundSpan is how long a round's successful executions took together:
// the first one's start to the last one's end, by one timing source.
func roundSpan(round []sample, timing string) time.Duration {
	var first, last time.Time
	for _, s := range round {
		if s.state != "SUCCESS" {
			continue
		}
		var a, b time.Time
		switch timing {
		case TimingStore:
			a, b = s.exactCreated, s.exactUpdated
		case TimingAPI:
			a, b = s.apiCreated, s.apiUpdated
		default:
			a, b = s.start, s.end
		}
		if first.IsZero() || a.Before(first) {
			first = a
		}
		if b.After(last) {
			last = b
		}
	}
	return last.Sub(first)
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// stats summarises one duration of every sample.
func stats(samples []sample, dur func(*sample) time.Duration) Stats {
	v := make([]float64, len(samples))
	sum := 0.0
	for i := range samples {
		v[i] = dur(&samples[i]).Seconds()
		sum += v[i]
	}
	slices.Sort(v)
	// The lower median: a real sample, not an average of two.
	return Stats{Count: len(v), Min: v[0], P50: v[(len(v)-1)/2], Avg: sum / float64(len(v)), Max: v[len(v)-1]}
}
