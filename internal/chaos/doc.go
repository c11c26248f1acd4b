// Package chaos is bora's fault-injection harness and the scenarios that
// prove its reliability promises (P1–P6 of the reliability research) with
// real processes on one machine:
//
//   - Build compiles cmd/bora once; a Cluster starts `bora server --roles
//     ...` processes of any role (StartServer) and remote executors
//     (StartRemoteExecutor) on loopback, all sharing one PostgreSQL schema,
//     and finds (Find, Pick), SIGKILLs (Kill), freezes (Pause, Resume) and
//     gracefully stops (Terminate) them;
//   - a Proxy sits between the processes and PostgreSQL (or between a
//     remote executor and the API) and delays, blackholes or cuts the
//     traffic, standing in for tc netem and iptables, which this machine
//     lacks;
//   - a Sink is the side effect of the scenarios' actions: an HTTP server
//     counting every run by key, split into safe-rerun and other actions,
//     that can hold a run's answer to freeze an action mid-flight;
//   - an Inspector reads the truth from the tables past the proxy, and can
//     expire the leases of a dead or frozen executor instead of waiting
//     30 s for them (the rescuer then sees what it would see 30 s later);
//   - a Report holds a scenario's figures and the promises they break.
//
// The scenarios are ordinary tests gated by BORA_TEST_DATABASE_URL. Without
// flags they run a short version sized for CI; `go test ./internal/chaos
// -chaos` runs the long one (more workflows, longer faults, leases left to
// expire by themselves), and -chaos-pg-restart adds a real PostgreSQL
// restart, which CI must never do: other packages' tests share that
// server. -chaos-logs DIR keeps the processes' logs; BORA_CHAOS_BINARY
// tests a given binary instead of building one.
package chaos
