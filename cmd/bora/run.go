package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func runCommand() *cobra.Command {
	var (
		inputJSON string
		wfName    string
		db        string
		limits    expression.Options
	)
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a workflow file in-process and print its output",
		Long: `Run a workflow in this process on a throwaway store and print its output as
JSON. Exits 0 when the execution ends in SUCCESS, 1 when it ends in ERROR (the
reason goes to stderr), 2 when the file or the input is invalid.

The store is a temporary SQLite file unless --db names one (a file path, or a
postgres:// URL whose database then keeps the execution).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFile(cmd.Context(), args[0], inputJSON, wfName, db, limits)
		},
	}
	cmd.Flags().StringVar(&inputJSON, "input", "{}", "workflow input as a JSON object")
	cmd.Flags().StringVar(&wfName, "workflow", "", "workflow to run when the file holds several")
	cmd.Flags().StringVar(&db, "db", "", "store to use instead of a temporary SQLite file")
	addExpressionFlags(cmd, &limits)
	return cmd
}

func runFile(ctx context.Context, file, inputJSON, wfName, db string, limits expression.Options) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read workflow file: %w", err)
	}
	eval := expression.New(limits)
	doc, err := dsl.Parse(file, src, dsl.Options{CheckExpression: func(s string) error { return eval.Validate(s) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitError{code: 2}
	}
	wf, err := chooseWorkflow(doc, wfName)
	if err != nil {
		return err
	}
	inputValue, err := value.DecodeString(inputJSON)
	if err != nil {
		return fmt.Errorf("--input: %w", err)
	}
	input, ok := inputValue.(*value.Map)
	if !ok {
		return fmt.Errorf("--input: must be a JSON object, got %s", value.TypeName(inputValue))
	}

	if db == "" {
		dir, err := os.MkdirTemp("", "bora-run-")
		if err != nil {
			return fmt.Errorf("create temporary store: %w", err)
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "bora.db")
	}
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := storeDefinitions(ctx, st, doc); err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p := server.New(st, server.Config{Roles: []string{server.RoleEngine, server.RoleExecutor}, Logger: logger, Expressions: limits})
	runCtx, stopRoles := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx, nil) }()
	defer func() { stopRoles(); <-done }()

	began := time.Now()
	ex, err := p.Engine.StartExecution(ctx, engine.StartRequest{WorkflowIdentifier: wf.Name, Input: input})
	if err != nil {
		if errors.Is(err, engine.ErrInvalidInput) {
			fmt.Fprintln(os.Stderr, err)
			return exitError{code: 2}
		}
		return err
	}
	ex, err = waitCompleted(ctx, st, ex.ID)
	if err != nil {
		return err
	}
	elapsed := time.Since(began)
	tasks, err := st.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID})
	if err != nil {
		return fmt.Errorf("count tasks: %w", err)
	}
	out, err := value.EncodePython(ex.Output)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	fmt.Println(string(out))
	fmt.Fprintf(os.Stderr, "execution %s %s: %d tasks in %s (%.0f tasks/s)\n",
		ex.ID, ex.State, len(tasks), elapsed.Round(time.Millisecond), float64(len(tasks))/elapsed.Seconds())
	if ex.State != workflow.StateSuccess {
		fmt.Fprintln(os.Stderr, ex.StateInfo)
		return exitError{code: 1}
	}
	return nil
}

func chooseWorkflow(doc *dsl.Document, name string) (*dsl.Workflow, error) {
	if name == "" {
		if len(doc.Workflows) == 1 {
			return doc.Workflows[0], nil
		}
		names := make([]string, len(doc.Workflows))
		for i, w := range doc.Workflows {
			names[i] = w.Name
		}
		return nil, fmt.Errorf("the file holds %d workflows (%s): choose one with --workflow", len(names), strings.Join(names, ", "))
	}
	for _, w := range doc.Workflows {
		if w.Name == name {
			return w, nil
		}
	}
	return nil, fmt.Errorf("--workflow: no workflow %q in the file", name)
}

// storeDefinitions saves every workflow of the document, as
// POST /v2/workflows would.
func storeDefinitions(ctx context.Context, st store.Store, doc *dsl.Document) error {
	return store.InTx(ctx, st, func(ctx context.Context, tx store.Tx) error {
		now := time.Now().UTC()
		for _, wf := range doc.Workflows {
			def := &store.WorkflowDefinition{
				ID: id.New(), Name: wf.Name, Definition: wf.Definition, Tags: wf.Tags,
				Scope: "private", ProjectID: workflow.DefaultProjectID, CreatedAt: now, UpdatedAt: now,
			}
			if err := tx.WorkflowDefinitionCreate(ctx, def); err != nil {
				return fmt.Errorf("store workflow %s: %w", wf.Name, err)
			}
		}
		return nil
	})
}

// waitCompleted polls the execution until it is completed; a few
// milliseconds of polling is noise next to a workflow run.
func waitCompleted(ctx context.Context, st store.Store, exID string) (*workflow.Execution, error) {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		ex, err := st.ExecutionGet(ctx, exID)
		if err != nil {
			return nil, fmt.Errorf("read execution: %w", err)
		}
		if ex.State.IsCompleted() {
			return ex, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("interrupted while %s was %s", exID, ex.State)
		case <-tick.C:
		}
	}
}
