package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bora-workflow/bora/internal/store"
)

// Batch implements store.Batcher: the writes fn makes are queued and sent
// to the server in one round trip when fn returns, instead of one round
// trip each. A guarded UPDATE that changes no row fails the batch with
// store.ErrStale, as it would one by one. fn may only write.
func (t *Tx) Batch(ctx context.Context, fn func(q store.Queries) error) error {
	bq := &batchQuerier{batch: &pgx.Batch{}}
	if err := fn(&queries{db: bq, notify: t.notify}); err != nil {
		return err
	}
	if bq.batch.Len() == 0 {
		return nil
	}
	res := t.tx.SendBatch(ctx, bq.batch)
	if err := res.Close(); err != nil {
		if errors.Is(err, store.ErrStale) {
			return err
		}
		return fmt.Errorf("send batch of %d writes: %w", bq.batch.Len(), mapErr(err))
	}
	return nil
}

// batchQuerier queues statements instead of running them. Exec answers at
// once with a tag claiming one row, so callers go on; the real count is
// checked when the batch's answers arrive.
type batchQuerier struct {
	batch *pgx.Batch
}

var errReadInBatch = errors.New("a read inside a write batch")

func (b *batchQuerier) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	verb := strings.ToUpper(strings.Fields(strings.TrimSpace(sql))[0])
	b.batch.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error {
		if (verb == "UPDATE" || verb == "DELETE") && ct.RowsAffected() == 0 {
			return fmt.Errorf("batched %s changed no row: %w", strings.ToLower(verb), store.ErrStale)
		}
		return nil
	})
	return pgconn.NewCommandTag(verb + " 1"), nil
}

func (b *batchQuerier) Query(context.Context, string, ...any) (pgx.Rows, error) {
	return nil, errReadInBatch
}

func (b *batchQuerier) QueryRow(context.Context, string, ...any) pgx.Row {
	return errRow{}
}

// errRow is the answer to a read inside a batch: always an error.
type errRow struct{}

func (errRow) Scan(...any) error { return errReadInBatch }
