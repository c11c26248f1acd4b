package chaos

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bora-workflow/bora/internal/store/storetest"
)

var (
	longRun   = flag.Bool("chaos", false, "run the long chaos scenarios (more workflows, longer faults, real lease expiry)")
	pgRestart = flag.Bool("chaos-pg-restart", false, "with -chaos: also restart the real PostgreSQL server (never in CI: other tests share it)")
	logDir    = flag.String("chaos-logs", "", "keep the bora processes' logs under this directory instead of a temporary one")
)

// EnvBinary names a bora binary to test instead of building cmd/bora
// (another commit's, or one built with -race).
const EnvBinary = "BORA_CHAOS_BINARY"

// boraBinary is built once by TestMain when the scenarios can run.
var boraBinary string

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		if os.Getenv(storetest.EnvDatabaseURL) == "" {
			return m.Run() // every scenario skips (or fails under BORA_REQUIRE_PG)
		}
		if boraBinary = os.Getenv(EnvBinary); boraBinary != "" {
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "bora-chaos-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if boraBinary, err = Build(ctx, dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
