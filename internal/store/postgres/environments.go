package postgres

import (
	"context"
	"fmt"
	"time"

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
	var created, updated time.Time
	if err := s.Scan(&env.ID, &env.Name, &env.Description, &vars, &env.Scope, &env.ProjectID, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	env.Variables = dec.mapValue("variables", &vars)
	env.CreatedAt, env.UpdatedAt = created.UTC(), updated.UTC()
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
	_, err := q.db.Exec(ctx, `INSERT INTO environments (`+environmentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		env.ID, env.Name, env.Description, vars, env.Scope, env.ProjectID,
		env.CreatedAt, env.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create environment %s: %w", env.Name, mapErr(err))
	}
	return nil
}

// EnvironmentGet implements store.Queries; a name match wins over an id match.
func (q *queries) EnvironmentGet(ctx context.Context, nameOrID string) (*store.Environment, error) {
	row := q.db.QueryRow(ctx, `SELECT `+environmentColumns+` FROM environments
		WHERE name = $1 OR id = $2 ORDER BY name = $3 DESC LIMIT 1`, nameOrID, nameOrID, nameOrID)
	env, err := scanEnvironment(row)
	if err != nil {
		return nil, fmt.Errorf("get environment %s: %w", nameOrID, mapErr(err))
	}
	return env, nil
}

// EnvironmentList implements store.Queries.
func (q *queries) EnvironmentList(ctx context.Context, p store.ListParams) ([]*store.Environment, error) {
	out, err := list(ctx, q.db, environmentList, scanEnvironment, p)
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
	var created time.Time
	err := q.db.QueryRow(ctx, `UPDATE environments
		SET description = $1, variables = $2, scope = $3, updated_at = $4
		WHERE name = $5
		RETURNING id, project_id, created_at`,
		env.Description, vars, env.Scope, env.UpdatedAt, env.Name,
	).Scan(&env.ID, &env.ProjectID, &created)
	if err != nil {
		return fmt.Errorf("update environment %s: %w", env.Name, mapErr(err))
	}
	env.CreatedAt = created.UTC()
	return nil
}

// EnvironmentDelete implements store.Queries.
func (q *queries) EnvironmentDelete(ctx context.Context, name string) error {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM environments WHERE name = $1`, name))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete environment %s: %w", name, err)
	}
	return nil
}
