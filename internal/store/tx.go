package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxTxAttempts bounds InTx's retries of a transaction that failed with
// ErrRetryable (deadlock, serialization failure, SQLITE_BUSY, lost connection).
const maxTxAttempts = 8

// InTx runs fn in a transaction and commits it. A retryable failure, in fn
// or at commit, rolls back and runs fn again with a short backoff, so fn
// must not keep state across attempts.
func InTx(ctx context.Context, s Store, fn func(ctx context.Context, tx Tx) error) error {
	backoff := 5 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := runTx(ctx, s, fn)
		if err == nil || !errors.Is(err, ErrRetryable) || attempt == maxTxAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("retrying transaction: %w", context.Cause(ctx))
		case <-time.After(backoff):
		}
		if backoff < time.Second {
			backoff *= 2
		}
	}
}

func runTx(ctx context.Context, s Store, fn func(ctx context.Context, tx Tx) error) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}
