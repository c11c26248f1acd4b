package action_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every action must leave nothing running once it returns: no transport,
// SSH session, SMTP connection or script watcher outlives its call.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
