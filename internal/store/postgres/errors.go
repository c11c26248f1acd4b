package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bora-workflow/bora/internal/store"
)

// mapErr puts a store sentinel in front of the driver's error, keeping the
// original in the chain for logs.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return store.ErrNotFound
	case isConflict(err):
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	case isRetryable(err):
		return fmt.Errorf("%w: %w", store.ErrRetryable, err)
	}
	return err
}

func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}

// isRetryable decides which failures a whole transaction may be retried
// after: serialization failures, deadlocks, and the server or the
// connection going away. A cancelled context is the caller's decision,
// never retried.
func isRetryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "40001", // serialization_failure
			pe.Code == "40P01",                                         // deadlock_detected
			strings.HasPrefix(pe.Code, "08"),                           // connection_exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "53300", // too_many_connections
			pe.Code == "25P03": // idle_in_transaction_session_timeout: the process was frozen
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return pgconn.SafeToRetry(err) || errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
