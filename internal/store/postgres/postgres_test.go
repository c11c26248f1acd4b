package postgres_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.PostgresURL(t) // skip (or fail) once, not in every subtest
	storetest.Exercise(t, func(t *testing.T) store.Store { return storetest.OpenPostgres(t) })
}

func BenchmarkStep(b *testing.B) {
	storetest.BenchmarkStep(b, storetest.OpenPostgres(b))
}

func BenchmarkStepParallel(b *testing.B) {
	storetest.BenchmarkStepParallel(b, storetest.OpenPostgres(b))
}

func BenchmarkExecutionList(b *testing.B) {
	storetest.BenchmarkExecutionList(b, storetest.OpenPostgres(b))
}
