package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// fill sets every field of the struct ptr points to (recursively) to a
// distinct non-zero value. A round trip of a filled row proves that the
// driver stores every field, including fields added to the model after
// the driver was written; a field of a type fill does not know fails the
// test, so the suite is updated with the model.
func fill(t testing.TB, ptr any) {
	t.Helper()
	n := 0
	fillValue(t, reflect.ValueOf(ptr).Elem(), "", &n)
}

// refill is fill with other values: a field refill sets differs from the
// one fill set.
func refill(t testing.TB, ptr any) {
	t.Helper()
	n := 1000
	fillValue(t, reflect.ValueOf(ptr).Elem(), "re", &n)
}

// keepFields copies the named fields from src to dst (both pointers to
// the same struct type).
func keepFields(dst, src any, names ...string) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for _, name := range names {
		d.FieldByName(name).Set(s.FieldByName(name))
	}
}

// The fields a guarded update leaves alone: identity, fixed at insert.
// A field added to the model is expected to be updated; list it here if
// it is not.
var (
	executionFixed = []string{"ID", "WorkflowID", "WorkflowName", "WorkflowNamespace", "ProjectID",
		"Spec", "TaskExecutionID", "RootExecutionID", "CreatedAt"}
	taskFixed = []string{"ID", "ExecutionID", "RootExecutionID", "Name", "Type", "WorkflowName",
		"WorkflowID", "WorkflowNamespace", "ProjectID", "CreatedAt"}
	actionFixed = []string{"ID", "TaskExecutionID", "ExecutionID", "RootExecutionID", "WorkflowName",
		"WorkflowNamespace", "TaskName", "Name", "ProjectID", "Index", "CreatedAt"}
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	stateType = reflect.TypeFor[workflow.State]()
	mapType   = reflect.TypeFor[*value.Map]()
	anyType   = reflect.TypeFor[any]()
)

func fillValue(t testing.TB, v reflect.Value, path string, n *int) {
	t.Helper()
	*n++
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(T0.Add(time.Duration(*n) * time.Second)))
		return
	case v.Type() == stateType:
		v.SetString(string(workflow.StateSuccess))
		return
	case v.Type() == mapType:
		v.Set(reflect.ValueOf(value.MapOf("field", path, "n", int64(*n), "f", 2.0)))
		return
	case v.Type() == anyType:
		v.Set(reflect.ValueOf([]any{path, int64(*n), value.MapOf("z", nil, "a", true)}))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(path + "-value")
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue // a derived cache (the model's own business), never stored
			}
			fillValue(t, v.Field(i), path+"."+f.Name, n)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), path, n)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // []byte payloads are JSON
			v.SetBytes([]byte(`{"field":"` + path + `"}`))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fillValue(t, v.Index(0), path+"[0]", n)
		fillValue(t, v.Index(1), path+"[1]", n)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			t.Fatalf("storetest: fill does not know field %s of type %s: teach it, and the drivers", path, v.Type())
		}
		v.Set(reflect.MakeMap(v.Type()))
		for _, k := range []string{"k1", "k2"} {
			e := reflect.New(v.Type().Elem()).Elem()
			fillValue(t, e, path+"["+k+"]", n)
			v.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), e)
		}
	default:
		t.Fatalf("storetest: fill does not know field %s of type %s: teach it, and the drivers", path, v.Type())
	}
}

func exerciseEveryField(t *testing.T, open Opener) {
	leaf(t, "Workbook", open, func(t *testing.T, s store.Store) {
		var wb store.Workbook
		fill(t, &wb)
		require.NoError(t, s.WorkbookCreate(t.Context(), &wb))
		got, err := s.WorkbookGet(t.Context(), wb.Name, wb.Namespace)
		require.NoError(t, err)
		require.Equal(t, &wb, got)
	})
	leaf(t, "ActionDefinition", open, func(t *testing.T, s store.Store) {
		var a, upd store.ActionDefinition
		fill(t, &a)
		require.NoError(t, s.ActionDefinitionCreate(t.Context(), &a))
		got, err := s.ActionDefinitionGet(t.Context(), a.ID, "")
		require.NoError(t, err)
		require.Equal(t, &a, got)
		refill(t, &upd)
		keepFields(&upd, &a, "ID", "Name", "Namespace", "ProjectID", "CreatedAt")
		require.NoError(t, s.ActionDefinitionUpdate(t.Context(), &upd))
		got, err = s.ActionDefinitionGet(t.Context(), a.ID, "")
		require.NoError(t, err)
		require.Equal(t, &upd, got)
	})
	leaf(t, "Environment", open, func(t *testing.T, s store.Store) {
		var env, upd store.Environment
		fill(t, &env)
		require.NoError(t, s.EnvironmentCreate(t.Context(), &env))
		got, err := s.EnvironmentGet(t.Context(), env.Name)
		require.NoError(t, err)
		require.Equal(t, &env, got)
		refill(t, &upd)
		keepFields(&upd, &env, "ID", "Name", "ProjectID", "CreatedAt")
		require.NoError(t, s.EnvironmentUpdate(t.Context(), &upd))
		got, err = s.EnvironmentGet(t.Context(), env.Name)
		require.NoError(t, err)
		require.Equal(t, &upd, got)
	})
	leaf(t, "Execution", open, func(t *testing.T, s store.Store) {
		var ex workflow.Execution
		fill(t, &ex)
		require.NoError(t, s.ExecutionInsert(t.Context(), &ex))
		got, err := s.ExecutionGet(t.Context(), ex.ID)
		require.NoError(t, err)
		require.Equal(t, &ex, got)
	})
	leaf(t, "Task", open, func(t *testing.T, s store.Store) {
		var task workflow.Task
		fill(t, &task)
		require.NoError(t, s.TaskInsert(t.Context(), &task))
		got, err := s.TaskGet(t.Context(), task.ID)
		require.NoError(t, err)
		require.Equal(t, &task, got)
	})
	leaf(t, "ActionExecution", open, func(t *testing.T, s store.Store) {
		var a workflow.ActionExecution
		fill(t, &a)
		require.NoError(t, s.ActionExecutionInsert(t.Context(), &a))
		got, err := s.ActionExecutionGet(t.Context(), a.ID)
		require.NoError(t, err)
		require.Equal(t, &a, got)
	})
	leaf(t, "ExecutionUpdate", open, func(t *testing.T, s store.Store) {
		var ex, upd workflow.Execution
		fill(t, &ex)
		require.NoError(t, s.ExecutionInsert(t.Context(), &ex))
		refill(t, &upd)
		keepFields(&upd, &ex, append(executionFixed, "Version")...)
		require.NoError(t, s.ExecutionUpdate(t.Context(), &upd))
		got, err := s.ExecutionGet(t.Context(), ex.ID)
		require.NoError(t, err)
		require.Equal(t, &upd, got)
	})
	leaf(t, "TaskUpdate", open, func(t *testing.T, s store.Store) {
		var task, upd workflow.Task
		fill(t, &task)
		require.NoError(t, s.TaskInsert(t.Context(), &task))
		refill(t, &upd)
		keepFields(&upd, &task, append(taskFixed, "Version")...)
		require.NoError(t, s.TaskUpdate(t.Context(), &upd))
		got, err := s.TaskGet(t.Context(), task.ID)
		require.NoError(t, err)
		require.Equal(t, &upd, got)
	})
	leaf(t, "ActionExecutionUpdate", open, func(t *testing.T, s store.Store) {
		var a, upd workflow.ActionExecution
		fill(t, &a)
		require.NoError(t, s.ActionExecutionInsert(t.Context(), &a))
		refill(t, &upd)
		keepFields(&upd, &a, append(actionFixed, "Version")...)
		require.NoError(t, s.ActionExecutionUpdate(t.Context(), &upd))
		got, err := s.ActionExecutionGet(t.Context(), a.ID)
		require.NoError(t, err)
		require.Equal(t, &upd, got)
	})
	leaf(t, "WorkflowDefinition", open, func(t *testing.T, s store.Store) {
		var def store.WorkflowDefinition
		fill(t, &def)
		require.NoError(t, s.WorkflowDefinitionCreate(t.Context(), &def))
		got, err := s.WorkflowDefinitionGet(t.Context(), def.ID, def.Namespace)
		require.NoError(t, err)
		require.Equal(t, &def, got)
	})
	leaf(t, "Event", open, func(t *testing.T, s store.Store) {
		var ev store.Event
		fill(t, &ev)
		require.NoError(t, s.EventInsert(t.Context(), &ev))
		got, err := s.EventClaimMany(t.Context(), store.EventClaimParams{Now: T0.Add(time.Hour), Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []*store.Event{&ev}, got)
	})
	leaf(t, "WorkItem", open, func(t *testing.T, s store.Store) {
		var w store.WorkItem
		fill(t, &w)
		require.NoError(t, s.WorkItemInsert(t.Context(), &w))
		// There is no WorkItemGet: the rescuer's query returns the whole
		// row once the filled lease expired.
		var got []*store.WorkItem
		inTx(t, s, func(tx store.Tx) {
			var err error
			got, err = tx.WorkItemExpiredMany(t.Context(), store.WorkItemExpiredParams{Now: T0.Add(time.Hour * 24 * 365 * 10), Limit: 1})
			require.NoError(t, err)
		})
		require.Len(t, got, 1)
		want := w
		require.Equal(t, &want, got[0])
	})
}
