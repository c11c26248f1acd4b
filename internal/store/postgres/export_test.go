package postgres

import "context"

// Setting reads a run-time parameter of one of the store's connections,
// for the external tests.
func Setting(ctx context.Context, s *Store, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v)
	return v, err
}
