package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

const environmentColumns = `id, name, description, variables, scope, project_id, created_at, updated_at`

var environmentList = listSpec{
	table:      "environments",
	columns:    environmentColumns,
	defaultKey: "created_at",
	tiebreak:   "id",
	sortable:   columnSet("id", "name", "description", "scope", "project_id", "created_at", "updated_at"),
}

func scanEnvironment(s scanner) (*store.Environment, error) {
	var env store.Environment
	var vars string
	var created, updated int64
	if err := s.Scan(&env.ID, &env.Name, &env.Description, &vars, &env.Scope, &env.ProjectID, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	env.Variables = dec.mapValue("variables", sql.NullString{String: vars, Valid: true})
	env.CreatedAt, env.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &env, dec.err
}

// variablesText encodes an environment's variables; nil is {}.
func variablesText(enc *encoder, vars *value.Map) any {
	if vars == nil {
		vars = value.NewMap(0)
	}
	return enc.value(vars)
}

// EnvironmentCreate implements store.Queries.
func (q *queries) EnvironmentCreate(ctx context.Context, env *store.Environment) error {
	if env.ID == "" {
		env.ID = id.New()
	}
	if env.Variables == nil {
		env.Variables = value.NewMap(0)
	}
	env.CreatedAt, env.UpdatedAt = stamp(env.CreatedAt), stamp(env.UpdatedAt)
	var enc encoder
	vars := variablesText(&enc, env.Variables)
	if enc.err != nil {
		return fmt.Errorf("create environment %s: %w", env.Name, enc.err)
	}
	_, err := q.w.ExecContext(ctx, `INSERT INTO environments (`+environmentColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		env.ID, env.Name, env.Description, vars, env.Scope, env.ProjectID,
		micros(env.CreatedAt), micros(env.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create environment %s: %w", env.Name, mapErr(err))
	}
	return nil
}

// EnvironmentGet implements store.Queries; a name match wins over an id match.
func (q *queries) EnvironmentGet(ctx context.Context, nameOrID string) (*store.Environment, error) {
	row := q.r.QueryRowContext(ctx, `SELECT `+environmentColumns+` FROM environments
		WHERE name = ? OR id = ? ORDER BY name = ? DESC LIMIT 1`, nameOrID, nameOrID, nameOrID)
	env, err := scanEnvironment(row)
	if err != nil {
		return nil, fmt.Errorf("get environment %s: %w", nameOrID, mapErr(err))
	}
	return env, nil
}

// EnvironmentList implements store.Queries.
func (q *queries) EnvironmentList(ctx context.Context, p store.ListParams) ([]*store.Environment, error) {
	out, err := list(ctx, q.r, environmentList, scanEnvironment, p)
	if err != nil {
		return nil, fmt.Errorf("list environments: %w", err)
	}
	return out, nil
}

// EnvironmentUpdate implements store.Queries.
func (q *queries) EnvironmentUpdate(ctx context.Context, env *store.Environment) error {
	if env.Variables == nil {
		env.Variables = value.NewMap(0)
	}
	env.UpdatedAt = stamp(env.UpdatedAt)
	var enc encoder
	vars := variablesText(&enc, env.Variables)
	if enc.err != nil {
		return fmt.Errorf("update environment %s: %w", env.Name, enc.err)
	}
	var created int64
	err := q.w.QueryRowContext(ctx, `UPDATE environments
		SET description = ?, variables = ?, scope = ?, updated_at = ?
		WHERE name = ?
		RETURNING id, project_id, created_at`,
		env.Description, vars, env.Scope, micros(env.UpdatedAt), env.Name,
	).Scan(&env.ID, &env.ProjectID, &created)
	if err != nil {
		return fmt.Errorf("update environment %s: %w", env.Name, mapErr(err))
	}
	env.CreatedAt = fromMicros(created)
	return nil
}

// EnvironmentDelete implements store.Queries.
func (q *queries) EnvironmentDelete(ctx context.Context, name string) error {
	n, err := affected(q.w.ExecContext(ctx, `DELETE FROM environments WHERE name = ?`, name))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete environment %s: %w", name, err)
	}
	return nil
}
