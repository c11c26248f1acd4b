package chaos

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
)

// Build compiles cmd/bora into dir once per test run; every process of
// every scenario runs that binary.
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "bora")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/bora-workflow/bora/cmd/bora")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build bora: %w\n%s", err, out)
	}
	return bin, nil
}
