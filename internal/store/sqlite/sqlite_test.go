package sqlite_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Exercise(t, func(t *testing.T) store.Store { return storetest.OpenSQLite(t) })
}

func BenchmarkStep(b *testing.B) {
	storetest.BenchmarkStep(b, storetest.OpenSQLite(b))
}

func BenchmarkStepParallel(b *testing.B) {
	storetest.BenchmarkStepParallel(b, storetest.OpenSQLite(b))
}

func BenchmarkExecutionList(b *testing.B) {
	storetest.BenchmarkExecutionList(b, storetest.OpenSQLite(b))
}
