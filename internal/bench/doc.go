// Package bench is the instrument behind `bora bench`: it generates the
// reference workflows (the same definitions as
// ../shared/reference-workflows/gen.py, so numbers compare across
// engines), runs them against any server that speaks the Mistral REST API
// v2 or against an in-process bora, and reports execution times, time per
// task, tasks per second and, where the server runs in this process, CPU
// seconds per task.
//
// Every target is driven the same way, over HTTP: upload the definitions,
// start executions, poll them to a terminal state, delete what was
// created. A target may add what only it can see (exact server times from
// the store, the server's CPU time) through the optional interfaces in
// target.go.
package bench
