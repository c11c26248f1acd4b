package bench

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkEmbedded runs reference workflows end to end on an embedded
// bora over SQLite (POST, engine, executor, store, poll) so a regression
// anywhere on the path shows. One op is one execution; tasks/s and
// store-ms/exec come from the store's timestamps, as `bora bench` reports;
// ns/op and client-tasks/s are POST to the end seen by polling.
//
//	go test -run '^$' -bench Embedded ./internal/bench
func BenchmarkEmbedded(b *testing.B) {
	for _, name := range []string{"seq_100", "par_100", "join_100"} {
		b.Run(name, func(b *testing.B) {
			def := mustGenerate(b, name)
			target, err := StartEmbedded(b.Context(), EmbeddedOptions{Concurrency: 1})
			require.NoError(b, err)
			defer func() { require.NoError(b, target.Close(context.WithoutCancel(b.Context()))) }()
			_, err = target.Client().UploadWorkflows(b.Context(), def.Text)
			require.NoError(b, err)

			var store, client time.Duration
			runs := 0
			for b.Loop() {
				s := runExecution(b.Context(), target, name, "go test -bench", time.Millisecond, time.Minute)
				require.NoError(b, s.err)
				require.Equal(b, "SUCCESS", s.state, s.stateInfo)
				store += exactDuration(&s)
				client += s.client()
				runs++
			}
			b.ReportMetric(float64(runs*def.TaskExecutions)/store.Seconds(), "tasks/s")
			b.ReportMetric(store.Seconds()*1000/float64(runs), "store-ms/exec")
			b.ReportMetric(float64(runs*def.TaskExecutions)/client.Seconds(), "client-tasks/s")
		})
	}
}
