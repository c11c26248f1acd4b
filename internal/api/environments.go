package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// environmentFields are the attributes of Mistral's Environment resource,
// in the order Mistral sends them.
var environmentFields = []string{
	"id", "name", "description", "variables", "scope", "project_id", "created_at", "updated_at",
}

var environmentList = listSpec{
	collection:   "environments",
	fields:       environmentFields,
	sortColumns:  sameColumns("id", "name", "description", "scope", "project_id", "created_at", "updated_at"),
	storeFilters: true,
}

// The keys an environment body may hold (Mistral 15 as Debian ships it);
// a PUT also carries the name of the one to update.
var (
	environmentCreateKeys = []string{"name", "description", "variables", "scope"}
	environmentUpdateKeys = []string{"description", "variables", "scope"}
)

// createEnvironment is POST /v2/environments.
func (s *Server) createEnvironment(w http.ResponseWriter, r *http.Request) {
	body, err := readEnvironmentBody(r, environmentCreateKeys)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	env := &store.Environment{Scope: scopePrivate, ProjectID: workflow.DefaultProjectID}
	if err := body.applyTo(env); err != nil {
		s.writeError(w, r, err)
		return
	}
	if env.Name == "" {
		s.writeError(w, r, badRequest("Name of the environment is not provided."))
		return
	}
	now := s.now().UTC()
	env.CreatedAt, env.UpdatedAt = now, now
	if err := s.store.EnvironmentCreate(r.Context(), env); err != nil {
		if errors.Is(err, store.ErrConflict) {
			err = &requestError{
				status: http.StatusConflict,
				// Mistral's sentence, down to the project it has not set yet.
				msg:   fmt.Sprintf("Duplicate entry for Environment ['name', 'project_id']: %s, None", env.Name),
				cause: err,
			}
		}
		s.writeError(w, r, err)
		return
	}
	// Mistral answers a create with the row it just wrote, where what was
	// never set (updated_at, a description the body did not give) is left out.
	rendered, err := renderEnvironment(env)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rendered = rendered.without("updated_at")
	if _, given := body.fields.Get("description"); !given {
		rendered = rendered.without("description")
	}
	writeJSON(w, http.StatusCreated, rendered)
}

// updateEnvironment is PUT /v2/environments: the body names the
// environment; the attributes it holds replace the stored ones, the
// others stay.
func (s *Server) updateEnvironment(w http.ResponseWriter, r *http.Request) {
	body, err := readEnvironmentBody(r, environmentUpdateKeys)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name, err := body.text("name")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if name == "" {
		s.writeError(w, r, badRequest("Name of the environment is not provided."))
		return
	}
	// A field of the wrong type is a 400 before the environment is
	// looked up, as Mistral checks the body first.
	if err := body.applyTo(&store.Environment{}); err != nil {
		s.writeError(w, r, err)
		return
	}
	var env *store.Environment
	err = store.InTx(r.Context(), s.store, func(ctx context.Context, tx store.Tx) error {
		stored, err := tx.EnvironmentGet(ctx, name)
		if err != nil {
			return err
		}
		env = stored
		if env.Name != name {
			// EnvironmentGet also finds by id; PUT names by name only.
			return fmt.Errorf("environment %s: %w", name, store.ErrNotFound)
		}
		was := *stored
		if err := body.applyTo(env); err != nil {
			return err
		}
		if env.Description != was.Description || env.Scope != was.Scope || !value.Equal(env.Variables, was.Variables) {
			env.UpdatedAt = s.now().UTC() // else unchanged: see keepUpdatedAt
		}
		return tx.EnvironmentUpdate(ctx, env)
	})
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Environment not found [name=%s]", name))
		return
	}
	s.writeEnvironment(w, r, http.StatusOK, env, nil)
}

// environmentBody is a POST or PUT body.
type environmentBody struct{ jsonBody }

// readEnvironmentBody reads the JSON body and refuses keys outside legal
// (and name, which a PUT carries to say which environment) with
// Mistral's sentence.
func readEnvironmentBody(r *http.Request, legal []string) (environmentBody, error) {
	body, err := readJSONObject(r)
	if err != nil {
		return environmentBody{}, err
	}
	for _, k := range body.fields.Keys() {
		if !slices.Contains(environmentFields, k) {
			return environmentBody{}, badRequest("Unknown attribute for argument env: %s", k)
		}
	}
	for _, k := range body.fields.Keys() {
		if k != "name" && !slices.Contains(legal, k) {
			return environmentBody{}, badRequest("Please, check your environment definition. Only: %s are allowed as definition keys.",
				pythonRepr(toAnyList(legal)))
		}
	}
	return environmentBody{body}, nil
}

// applyTo sets the attributes the body holds on env. Variables may be an
// object or a string holding one (Mistral's client sends a string).
func (b environmentBody) applyTo(env *store.Environment) error {
	var err error
	if _, ok := b.fields.Get("name"); ok {
		if env.Name, err = b.text("name"); err != nil {
			return err
		}
		if env.Name == "" {
			return badRequest("Name of the environment is not provided.")
		}
	}
	if _, ok := b.fields.Get("description"); ok {
		if env.Description, err = b.text("description"); err != nil {
			return err
		}
	}
	if _, ok := b.fields.Get("variables"); ok {
		if env.Variables, err = b.jsonObject("env", "variables"); err != nil {
			return err
		}
	}
	if _, ok := b.fields.Get("scope"); ok {
		scope, err := b.text("scope")
		if err != nil {
			return err
		}
		if scope != scopePrivate && scope != scopePublic {
			return badRequest("Scope must be one of the following: ['private', 'public']; actual: %s", scope)
		}
		env.Scope = scope
	}
	return nil
}

// getEnvironment is GET /v2/environments/{name}.
func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	fields, err := fieldsParam(r, environmentFields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	env, err := s.store.EnvironmentGet(r.Context(), name)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Environment not found [name=%s]", name))
		return
	}
	s.writeEnvironment(w, r, http.StatusOK, env, fields)
}

// listEnvironments is GET /v2/environments.
func (s *Server) listEnvironments(w http.ResponseWriter, r *http.Request) {
	req, err := parseListRequest(r.URL.Query(), environmentList)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.store.EnvironmentList(r.Context(), req.ListParams)
	if err != nil {
		s.writeError(w, r, notFoundAs(err, "Environment not found [id=%s]", req.Marker))
		return
	}
	out := make([]object, len(list))
	for i, env := range list {
		rendered, err := renderEnvironment(env)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out[i] = rendered.only(req.fields)
	}
	var lastID string
	if len(list) > 0 {
		lastID = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, withNext(object{{"environments", out}},
		req.nextLink(r, environmentList.collection, len(list), lastID)))
}

// deleteEnvironment is DELETE /v2/environments/{name}.
func (s *Server) deleteEnvironment(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.store.EnvironmentDelete(r.Context(), name); err != nil {
		s.writeError(w, r, notFoundAs(err, "Environment not found [name=%s]", name))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) writeEnvironment(w http.ResponseWriter, r *http.Request, status int, env *store.Environment, fields []string) {
	rendered, err := renderEnvironment(env)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, rendered.only(fields))
}

// renderEnvironment is Mistral's Environment resource: variables is a
// JSON-encoded string inside the JSON, as in every Mistral answer.
func renderEnvironment(env *store.Environment) (object, error) {
	vars, err := mapText(env.Variables)
	if err != nil {
		return nil, fmt.Errorf("render variables of environment %s: %w", env.Name, err)
	}
	return object{
		{"id", env.ID},
		{"name", env.Name},
		{"description", nullable(env.Description)},
		{"variables", vars},
		{"scope", env.Scope},
		{"project_id", env.ProjectID},
		{"created_at", formatTime(env.CreatedAt)},
		{"updated_at", updatedTime(env.CreatedAt, env.UpdatedAt)},
	}, nil
}

func toAnyList(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
