// Package storetest is the one conformance suite every store driver must
// pass (Exercise), plus factories that open a migrated store on each
// driver (OpenSQLite, OpenPostgres) and put rows into any state (the
// fixture functions), for the tests of packages that use a store.
//
// A behaviour the engine relies on belongs here, not in a driver's own
// tests, so that both drivers are held to it. Tests pass every time
// explicitly (Now, At, CreatedAt): nothing here sleeps.
package storetest
