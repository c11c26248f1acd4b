package chaos

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDuplicateResultDelivery delivers each async action's result several
// times at once, then again late, then a conflicting one. Exactly one
// delivery may be accepted; the others are refused without a 5xx; the
// workflow moves on once, with the accepted result (P4, P5).
func TestDuplicateResultDelivery(t *testing.T) {
	e := setup(t)
	e.start(1, 1)
	n, copies := 4, 5
	if e.set.long {
		n, copies = 40, 10
	}
	r := &Report{Scenario: "duplicate-result", Config: fmt.Sprintf(
		"%d async actions, each result PUT %d times at once, once late, once conflicting", n, copies)}
	began := time.Now()

	var starts []Start
	actions := map[string]string{} // execution id → its RUNNING async action
	for i := range n {
		key := fmt.Sprintf("dup-%d", i)
		id, _, err := e.api.StartExecution(e.ctx, "chaos_async", map[string]any{"key": key})
		require.NoError(t, err)
		starts = append(starts, Start{Key: key, ID: id, Code: http.StatusCreated, At: time.Now()})
		actions[id] = e.runningAction(id, "wait")
	}

	type delivery struct {
		exID string
		n    int
		code int
	}
	var (
		mu         sync.Mutex
		deliveries []delivery
		wg         sync.WaitGroup
	)
	put := func(exID string, k int, state string) {
		defer wg.Done()
		code, err := e.api.CompleteAction(e.ctx, actions[exID], state, map[string]any{"n": k})
		if err != nil {
			code = 0
		}
		mu.Lock()
		deliveries = append(deliveries, delivery{exID, k, code})
		mu.Unlock()
	}
	for exID := range actions {
		for k := range copies {
			wg.Add(1)
			go put(exID, k, "SUCCESS")
		}
	}
	wg.Wait()
	time.Sleep(200 * time.Millisecond)
	for exID := range actions {
		wg.Add(2)
		go put(exID, 0, "SUCCESS")    // a late identical repeat
		go put(exID, copies, "ERROR") // a conflicting one
	}
	wg.Wait()
	r.Faults = len(deliveries) - n

	accepted := map[string]int{} // execution id → the n accepted
	statuses := map[int]int{}
	for _, d := range deliveries {
		statuses[d.code]++
		if d.code >= 200 && d.code < 300 {
			_, twice := accepted[d.exID]
			assert.False(t, twice, "execution %s: a second result was accepted", d.exID)
			accepted[d.exID] = d.n
		} else {
			r.StaleRejected++
		}
		assert.Less(t, d.code, 500, "a delivery got %d", d.code)
		assert.NotZero(t, d.code, "a delivery got no answer")
	}
	r.Add("answers by status", "%v", statuses)

	require.NoError(t, r.Settle(e.ctx, e.in, starts, 30*time.Second))
	r.Duration = time.Since(began)
	assert.Equal(t, n, r.Succeeded)
	for _, s := range starts {
		out := outputOf(t, e.ctx, e.in, s.ID)
		got, _ := out["got"].(map[string]any)
		assert.EqualValues(t, accepted[s.ID], got["n"], "%s: the output must be the accepted result", s.Key)
		tasks, err := e.in.TaskCount(e.ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, tasks, "%s: the task ran once", s.Key)
	}
	e.finish(r)
}

// runningAction waits for the RUNNING action of task in an execution.
func (e *env) runningAction(exID, task string) string {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		acts, err := e.in.Actions(e.ctx, exID)
		require.NoError(e.t, err)
		for _, a := range acts {
			if a.TaskName == task && a.State == "RUNNING" {
				return a.ID
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("execution %s: no RUNNING action in task %s", exID, task)
	return ""
}
