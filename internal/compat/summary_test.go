package compat

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSummarise(t *testing.T) {
	c := &Case{Steps: []Step{{Op: OpCreateWorkflows}, {Op: OpStart}, {Op: OpResume}}}
	got := Summarise(c, []string{
		`executions.ex.state_info: want "a", got "b"`,
		`executions.ex.state: want "ERROR", got "SUCCESS"`,
		`steps.1.status: want 400, got 201`,
		`steps.2.state: want "RUNNING", got "SUCCESS"`,
		`executions.ex.tasks.0(t).state_info: want "a", got "b"`,
	})
	require.Equal(t, `start answers 201 (Mistral 400) (steps.1.status); `+
		`execution state want "ERROR", got "SUCCESS" (executions.ex.state); `+
		`resume answers another state (steps.2.state)`, got)
}
