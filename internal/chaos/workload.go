package chaos

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Workflows are the definitions the scenarios run. Each action run is a
// sink hit: chaos_chain does a safe-rerun call, then a call that must
// never run twice, then an inline echo; chaos_once is that second call
// alone; chaos_async waits on an async
// action whose result the test delivers.
const Workflows = `version: '2.0'
chaos_chain:
  input:
    - key
    - sink
    - sleep: 100
  output:
    safe_run: <% $.safe_run %>
    once_run: <% $.once_run %>
  tasks:
    safe:
      action: std.http
      input:
        url: <% $.sink %>/hit/` + SafePrefix + `<% $.key %>?sleep=<% $.sleep %>
      safe-rerun: true
      publish:
        safe_run: <% task().result.content.run %>
      on-success: once
    once:
      action: std.http
      input:
        url: <% $.sink %>/hit/once-<% $.key %>?sleep=<% $.sleep %>
      publish:
        once_run: <% task().result.content.run %>
      on-success: done
    done:
      action: std.echo output=<% $.key %>
chaos_once:
  input:
    - key
    - sink
  tasks:
    once:
      action: std.http
      input:
        url: <% $.sink %>/hit/once-<% $.key %>
chaos_async:
  input:
    - key
  output:
    got: <% $.got %>
  tasks:
    wait:
      action: std.async_noop
      publish:
        got: <% task().result %>
`

// Start is one attempt to start an execution, as the client saw it.
type Start struct {
	Key  string
	ID   string // set when acknowledged (201)
	Code int    // the HTTP status, 0 when the answer never came
	At   time.Time
}

// Acked reports whether the API acknowledged the start: from then on the
// execution must exist and finish (P1, P2).
func (s Start) Acked() bool { return s.ID != "" }

// Load starts chaos_chain executions at a steady rate and records every
// attempt, acknowledged or not.
type Load struct {
	API   *Client
	Sink  *Sink
	Sleep time.Duration // how long each sink call takes

	mu     sync.Mutex
	starts []Start
}

// Run starts n executions spread over d, until done or ctx ends. Starts
// that fail are recorded, not retried: a retry of an unacknowledged start
// could create a second execution, and the scenarios count only what the
// API acknowledged.
func (l *Load) Run(ctx context.Context, prefix string, n int, d time.Duration) {
	interval := time.Duration(0)
	if n > 1 {
		interval = d / time.Duration(n)
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		key := fmt.Sprintf("%s%d", prefix, i)
		s := Start{Key: key, At: time.Now()}
		reqCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		s.ID, s.Code, _ = l.API.StartExecution(reqCtx, "chaos_chain", map[string]any{
			"key": key, "sink": l.Sink.URL(), "sleep": l.Sleep.Milliseconds(),
		})
		cancel()
		l.mu.Lock()
		l.starts = append(l.starts, s)
		l.mu.Unlock()
		if interval > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(interval):
			}
		}
	}
}

// Starts returns every attempt so far.
func (l *Load) Starts() []Start {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Start(nil), l.starts...)
}
