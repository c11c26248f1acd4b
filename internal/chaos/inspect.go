package chaos

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Inspector reads and nudges the scenario's tables directly, past the
// proxy, so it sees the truth while the processes' connections are cut.
type Inspector struct {
	pool *pgxpool.Pool
}

// NewInspector connects to dsn (the scenario's schema, not the proxy).
func NewInspector(ctx context.Context, dsn string) (*Inspector, error) {
	dsn, err := withQuery(dsn, map[string]string{"pool_max_conns": "2", "application_name": "bora-chaos-inspector"})
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("inspector: connect: %w", err)
	}
	return &Inspector{pool: pool}, nil
}

// Close closes the connections.
func (in *Inspector) Close() { in.pool.Close() }

// ExecState is a root execution's state as stored.
type ExecState struct {
	ID, State, StateInfo string
}

// Terminal reports whether the execution has ended.
func (s ExecState) Terminal() bool {
	return s.State == "SUCCESS" || s.State == "ERROR" || s.State == "CANCELLED"
}

// Executions returns every root execution by id.
func (in *Inspector) Executions(ctx context.Context) (map[string]ExecState, error) {
	rows, err := in.pool.Query(ctx, `SELECT id, state, coalesce(state_info, '') FROM executions WHERE task_execution_id = ''`)
	if err != nil {
		return nil, fmt.Errorf("inspector: list executions: %w", err)
	}
	defer rows.Close()
	out := map[string]ExecState{}
	for rows.Next() {
		var s ExecState
		if err := rows.Scan(&s.ID, &s.State, &s.StateInfo); err != nil {
			return nil, fmt.Errorf("inspector: scan execution: %w", err)
		}
		out[s.ID] = s
	}
	return out, rows.Err()
}

// Finished counts root executions in a terminal state: the progress
// figure recovery times are measured by.
func (in *Inspector) Finished(ctx context.Context) (int, error) {
	var n int
	err := in.pool.QueryRow(ctx, `SELECT count(*) FROM executions
		WHERE task_execution_id = '' AND state IN ('SUCCESS', 'ERROR', 'CANCELLED')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("inspector: count finished executions: %w", err)
	}
	return n, nil
}

// Leased lists the work items leased by owner.
func (in *Inspector) Leased(ctx context.Context, owner string) ([]string, error) {
	return in.ids(ctx, `SELECT id FROM work_items WHERE lease_owner = $1 AND lease_expires_at IS NOT NULL`, owner)
}

// StillLeased returns those of ids that owner still leases.
func (in *Inspector) StillLeased(ctx context.Context, owner string, ids []string) ([]string, error) {
	return in.ids(ctx, `SELECT id FROM work_items WHERE lease_owner = $1 AND lease_expires_at IS NOT NULL AND id = ANY($2)`, owner, ids)
}

// ExpireLeases ends the leases owner holds now instead of at their
// expiry: the short scenarios' stand-in for waiting out the 30-second
// lease of a process that is dead or frozen (it cannot heartbeat, so the
// rescuer sees exactly what it would see 30 s later).
func (in *Inspector) ExpireLeases(ctx context.Context, owner string) ([]string, error) {
	return in.ids(ctx, `UPDATE work_items SET lease_expires_at = now() - interval '1 second'
		WHERE lease_owner = $1 AND lease_expires_at IS NOT NULL RETURNING id`, owner)
}

// InTransaction reports whether a connection of the process named by
// application_name (bora-<name>) has a transaction open right now; with
// locking, only one that took row locks or wrote (it has an xid) and is
// waiting on the process (idle in transaction).
func (in *Inspector) InTransaction(ctx context.Context, name string, locking bool) (bool, error) {
	q := `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL`
	if locking {
		q += ` AND state = 'idle in transaction' AND backend_xid IS NOT NULL`
	}
	var n int
	if err := in.pool.QueryRow(ctx, q, "bora-"+name).Scan(&n); err != nil {
		return false, fmt.Errorf("inspector: transactions of %s: %w", name, err)
	}
	return n > 0, nil
}

// ActionState is one action execution as stored.
type ActionState struct {
	ID, TaskName, State, StateInfo string
	Attempt                        int
}

// Actions returns the action executions of an execution.
func (in *Inspector) Actions(ctx context.Context, executionID string) ([]ActionState, error) {
	rows, err := in.pool.Query(ctx, `SELECT id, task_name, state, coalesce(state_info, ''), attempt
		FROM action_executions WHERE execution_id = $1 ORDER BY created_at, id`, executionID)
	if err != nil {
		return nil, fmt.Errorf("inspector: list actions of %s: %w", executionID, err)
	}
	defer rows.Close()
	var out []ActionState
	for rows.Next() {
		var a ActionState
		if err := rows.Scan(&a.ID, &a.TaskName, &a.State, &a.StateInfo, &a.Attempt); err != nil {
			return nil, fmt.Errorf("inspector: scan action: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// TaskCount counts the task executions of an execution.
func (in *Inspector) TaskCount(ctx context.Context, executionID string) (int, error) {
	var n int
	err := in.pool.QueryRow(ctx, `SELECT count(*) FROM task_executions WHERE execution_id = $1`, executionID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("inspector: count tasks of %s: %w", executionID, err)
	}
	return n, nil
}

// Output returns an execution's stored output (JSON text).
func (in *Inspector) Output(ctx context.Context, executionID string) (string, error) {
	var out string
	err := in.pool.QueryRow(ctx, `SELECT coalesce(output, '') FROM executions WHERE id = $1`, executionID).Scan(&out)
	if err != nil {
		return "", fmt.Errorf("inspector: output of %s: %w", executionID, err)
	}
	return out, nil
}

// Deadlocks is PostgreSQL's count of deadlocks detected in the database
// since its statistics were reset.
func (in *Inspector) Deadlocks(ctx context.Context) (int64, error) {
	var n int64
	if err := in.pool.QueryRow(ctx, `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
		return 0, fmt.Errorf("inspector: deadlocks: %w", err)
	}
	return n, nil
}

func (in *Inspector) ids(ctx context.Context, sql string, args ...any) ([]string, error) {
	rows, err := in.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("inspector: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("inspector: scan id: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
