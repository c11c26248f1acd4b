// Package compat proves bora against the real Mistral: golden cases
// recorded from OpenStack Mistral 15, played again on an in-process bora
// and compared.
//
// # Cases
//
// Each directory under testdata/cases is one case: the YAML definitions it
// uploads, a case.json saying what to do, and golden.json holding what
// Mistral did. case.json:
//
//	{
//	  "feature": "with-items",          // summary group (an item of issue 4)
//	  "description": "one failing item fails the whole task",
//	  "steps": [
//	    {"op": "create_workflows", "file": "wf.yaml"},
//	    {"op": "start", "as": "ex", "workflow": "wf", "input": {...}, "params": {...}}
//	  ],
//	  "ignore": [{"path": "executions.ex.state_info", "reason": "..."}],
//	  "bora": {"reason": "...", "set": {"executions.ex.output.x": 1}},
//	  "timeout_seconds": 30
//	}
//
// Steps (Step in case.go), played in order over the REST API v2:
//
//   - create_workflows, create_actions, create_workbook, update_workbook
//     (file; namespace where Mistral takes one), validate_workflows (file),
//     get_workbook and delete_workbook (name), create_environment (body).
//   - start (as, workflow, namespace, input, params): POST /v2/executions.
//   - wait (execution, state; no state means any of SUCCESS, ERROR,
//     CANCELLED, PAUSED) and wait_task (execution, task, state, and
//     optionally actions: that many RUNNING action executions, and tasks:
//     that many tasks of the path so, for the children of a with-items
//     workflow task). A task is a name, or "parent/child" for a task of
//     the sub-workflow(s) a workflow task started.
//   - complete_action (execution, task, output, state default SUCCESS,
//     count default all): PUT /v2/action_executions/{id} for the task's
//     running action executions, as an outside system finishing
//     std.async_noop does. The output goes as JSON text in a string, as
//     python-mistralclient sends it (Mistral 15 then insists on an
//     object); output_raw sends it as a JSON value instead.
//   - pause, resume, cancel, update_execution (body): PUT /v2/executions/{id}.
//     Pause, resume and cancel with a task address the sub-executions that
//     workflow task started instead (count: only the first that many, in
//     input order), as a user acting on a child alone does.
//   - rerun (execution, task, reset, env): PUT /v2/tasks/{id}.
//   - delete_execution, get_execution.
//   - snapshot: the execution as it is now, recorded in the step's result.
//
// After the last step every execution that was started (and not deleted)
// is waited for until it settles (SUCCESS, ERROR, CANCELLED or PAUSED) and
// snapshotted.
//
// # Records
//
// golden.json is a Record (record.go): for every step its HTTP status,
// faultstring of an error, the state a wait saw, the names an upload
// created, a validate answer, and a Problem when the step could not be
// played (a wait that timed out); then the final Snapshot of each
// execution by its `as` name: workflow name and namespace, state,
// state_info, input and output (decoded from Mistral's JSON strings), and
// every task with name, type, state, state_info, published, result and
// the number of action executions it ran (retries and reruns show there),
// a workflow task with the snapshots of the executions it started. A task
// GET /v2/tasks/{id} cannot show (Mistral 15 fails on tasks that publish
// globally) is recorded from the task list, with a problem saying so.
//
// Normalisation (normalise.go) makes records comparable: ids of known
// executions become <wf_ex_id:ex> (a sub-execution <wf_ex_id:ex/task>), of
// tasks <task_ex_id:name>, of action executions the case completed
// <action_ex_id>, any other UUID <uuid>; timestamps become <time>; Python
// tracebacks inside texts become <traceback>. Tasks are ordered by name,
// then by content: Mistral's timestamps have one-second resolution, so the
// creation order of same-named tasks cannot be read from its API. The
// state start answers is not recorded: Mistral says RUNNING, a server that
// runs the first tasks in the request may already be done. When comparing,
// a text's trailing tracebacks (and the ":" before them, and the rest of
// the last exception's message when it runs over several lines) are left
// out of the golden: they are Mistral's Python frames, which no other
// server can show; the words before them still have to match.
//
// Where Mistral's own answer is not deterministic (racy global publish,
// the order in which it lists failed with-items items), the case's ignore
// list names the paths left out of the comparison, with the reason. Paths
// are dot-separated: keys, list indexes, * for every element, and
// name=value for the list elements whose name is value
// (executions.ex.tasks.name=t.state_info).
//
// Where bora differs from Mistral on purpose (a Mistral bug bora fixes),
// the case's "bora" object gives the reason and, in "set", the values bora
// is expected to produce at those paths instead of the golden's (null
// removes a path).
//
// # Recording
//
// The goldens are re-recorded against a running Mistral 15
// (/work/shared/mistral/start.sh, best with RESET_DB=1) with
//
//	go test ./internal/compat -run TestRecord -record -mistral-url http://127.0.0.1:8989/v2
//
// (-case REGEXP records only some). Cases run one after another, each
// deleting what it created afterwards (including the workflows Mistral 15
// leaves behind when a workbook is deleted). Without -record, TestRecord
// skips. -record-out DIR writes the records under DIR instead: recording
// twice and diffing is how the ignore lists were found (Mistral was
// deterministic everywhere else over three recordings).
//
// # Comparing
//
// TestCompat (runs in every go test, no Mistral needed) plays every case
// on a bora of its own (SQLite in a temporary directory, API on a random
// port), normalises the same way and compares with the golden.
// testdata/known_differences.txt lists the cases bora does not match yet,
// one "case<TAB>reason" per line. The test fails when a case not on the
// list differs, and when a listed case matches: the list only shrinks, and
// regressions show. -update-known rewrites the list from a run (keeping
// the reasons of cases still on it, and summarising the differences of
// new ones, see Summarise); -v prints every known difference.
// The test log ends with a summary: cases, matching and known differences
// by feature.
package compat
