package bench

import "context"

// verify counts, through the API, the task executions of the first
// successful execution and of its sub-executions, and checks them against
// the generator's count and that all succeeded. A failure to list is
// reported in the Verification, not as an error: the timings stand.
func verify(ctx context.Context, c *Client, def Definition, rounds [][]sample) *Verification {
	var id string
	for _, round := range rounds {
		for _, s := range round {
			if id == "" && s.state == "SUCCESS" {
				id = s.id
			}
		}
	}
	if id == "" {
		return nil
	}
	v := &Verification{ExecutionID: id}
	ids := []string{id}
	if def.Shape == ShapeComplex {
		subs, err := c.SubExecutions(ctx, id)
		if err != nil {
			v.Error = err.Error()
			return v
		}
		for _, e := range subs {
			ids = append(ids, e.ID)
		}
	}
	v.Executions = len(ids)
	for _, exID := range ids {
		tasks, err := c.Tasks(ctx, exID)
		if err != nil {
			v.Error = err.Error()
			return v
		}
		for _, t := range tasks {
			v.TaskExecutions++
			if t.State != "SUCCESS" {
				v.NotSuccess++
			}
		}
	}
	v.OK = v.TaskExecutions == def.TaskExecutions && v.NotSuccess == 0
	return v
}
