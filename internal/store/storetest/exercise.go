package storetest

import (
	"testing"

	"github.com/bora-workflow/bora/internal/store"
)

// Opener returns a fresh, migrated, empty store for one test.
type Opener func(t *testing.T) store.Store

// Exercise runs the conformance suite against the stores open returns.
// Every leaf test is parallel and opens its own store.
func Exercise(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	groups := []struct {
		name string
		run  func(t *testing.T, open Opener)
	}{
		{"Migrate", exerciseMigrate},
		{"EveryField", exerciseEveryField},
		{"WorkflowDefinition", exerciseDefinitions},
		{"Workbook", exerciseWorkbooks},
		{"ActionDefinition", exerciseActionDefinitions},
		{"Environment", exerciseEnvironments},
		{"Execution", exerciseExecutions},
		{"Task", exerciseTasks},
		{"ActionExecution", exerciseActions},
		{"Event", exerciseEvents},
		{"WorkItem", exerciseWorkItems},
		{"Concurrency", exerciseConcurrency},
		{"CronTrigger", exerciseCronTriggers},
		{"Service", exerciseServices},
		{"Filter", exerciseFilters},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, open)
		})
	}
}

// leaf runs one parallel subtest on a store of its own.
func leaf(t *testing.T, name string, open Opener, fn func(t *testing.T, s store.Store)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		fn(t, open(t))
	})
}

// inTx runs fn in a committed transaction, failing the test on error.
func inTx(t *testing.T, s store.Store, fn func(tx store.Tx)) {
	t.Helper()
	ctx := t.Context()
	tx, err := s.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	fn(tx)
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
}
