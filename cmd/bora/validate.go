package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/expression"
)

func validateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: `Check a workflow file; print its errors, or "valid"`,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read workflow file: %w", err)
			}
			eval := expression.New(expression.Options{})
			if _, err := dsl.Parse(args[0], src, dsl.Options{CheckExpression: func(s string) error { return eval.Validate(s) }}); err != nil {
				fmt.Println(err)
				return exitError{code: 1}
			}
			fmt.Println("valid")
			return nil
		},
	}
}
