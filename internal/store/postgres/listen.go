package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bora-workflow/bora/internal/store"
)

// channelIf names ch when on, else a channel nobody listens to: one
// statement then covers every combination.
func channelIf(on bool, ch string) string {
	if on {
		return ch
	}
	return "bora_none"
}

// Listen implements store.Notifier: it LISTENs on its own connection and
// calls wake with the channel of every notification until ctx ends. A lost
// connection is re-established with backoff; notifications missed meanwhile
// cost only latency, since pollers poll anyway.
func (s *Store) Listen(ctx context.Context, wake func(channel string)) error {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			wake(store.ChannelEvents) // something may have been missed
			wake(store.ChannelWork)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		backoff = min(backoff*2, 5*time.Second)
	}
	return nil
}

func (s *Store) listenOnce(ctx context.Context, wake func(string)) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("connect for LISTEN: %w", mapErr(err))
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("read schema for LISTEN: %w", mapErr(err))
	}
	for _, ch := range []string{store.ChannelEvents, store.ChannelWork} {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return fmt.Errorf("listen on %s: %w", ch, mapErr(err))
		}
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", mapErr(err))
		}
		if n.Payload != schema {
			continue // another deployment's work, in another schema
		}
		wake(n.Channel)
	}
}
