// Command bora runs OpenStack Mistral v2 workflows: `bora server` is the
// service (REST API v2, engine, executor), `bora run` runs one workflow
// file in-process, `bora validate` checks a file.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := &cobra.Command{
		Use:           "bora",
		Short:         "bora runs OpenStack Mistral v2 workflows",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serverCommand(), runCommand(), validateCommand(), benchCommand(), executorCommand())
	err := root.ExecuteContext(ctx)
	var exit exitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		os.Exit(exit.code)
	default:
		fmt.Fprintln(os.Stderr, "bora:", err)
		os.Exit(2)
	}
}
