// Package postgres is the cluster store driver, on PostgreSQL through
// pgx's connection pool. Any number of engines, executors and API servers
// share one database.
//
// Transactions run READ COMMITTED. Contention is settled by row locks,
// never by serialization failures: the engine locks the root execution
// (ExecutionLock, SELECT ... FOR UPDATE), and claims of events and work
// items skip rows another transaction holds (FOR UPDATE SKIP LOCKED), so
// claimers never wait on each other and never deadlock.
//
// Every table is named without a schema: the DSN's search_path decides
// where they live, which is how tests get a schema each.
package postgres
