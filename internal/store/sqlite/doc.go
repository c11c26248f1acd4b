// Package sqlite is the embedded store driver: one SQLite file in WAL mode,
// opened with the pure-Go modernc.org/sqlite, so `bora server` needs
// nothing installed and builds without cgo.
//
// SQLite allows one writer at a time. Rather than let several connections
// race for the write lock (and fail with SQLITE_BUSY when a read
// transaction tries to upgrade), every write goes through a single writer
// connection whose transactions start with BEGIN IMMEDIATE: writers queue
// in Go, in order, and a transaction never deadlocks on a lock upgrade.
// Autocommit reads use a separate pool of read-only connections, which WAL
// lets run beside the writer.
//
// Because the writer is single, a transaction already owns every row it
// could claim: EventClaimMany needs no SKIP LOCKED and ExecutionLock only
// checks that the row exists. A caller must not use the Store's autocommit
// writes while it holds a Tx in the same goroutine: the writer is busy.
package sqlite
