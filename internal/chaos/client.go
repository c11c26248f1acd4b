package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client is the little of bora's REST API the scenarios use.
type Client struct {
	Base string // http://host:port
	http *http.Client
}

// NewClient talks to the API at addr (host:port).
func NewClient(addr string) *Client {
	return &Client{Base: "http://" + addr, http: &http.Client{Timeout: 30 * time.Second}}
}

// Do sends a request and returns the status and the raw body. A transport
// error means the outcome is unknown (Jepsen's "info").
func (c *Client) Do(ctx context.Context, method, path, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return res.StatusCode, raw, nil
}

// Probe sends GET path and returns the status and the Retry-After header,
// to see how the API answers while the database is away.
func (c *Client) Probe(ctx context.Context, path string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: %w", path, err)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: %w", path, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), nil
}

// CreateWorkflows stores a workflow document (POST /v2/workflows).
func (c *Client) CreateWorkflows(ctx context.Context, yaml string) error {
	code, body, err := c.Do(ctx, http.MethodPost, "/v2/workflows", "text/plain", []byte(yaml))
	if err != nil {
		return err
	}
	if code != http.StatusCreated {
		return fmt.Errorf("create workflows: %d %s", code, body)
	}
	return nil
}

// StartExecution starts a workflow (POST /v2/executions) and returns the
// execution id once the API acknowledged it (201), the status otherwise.
func (c *Client) StartExecution(ctx context.Context, workflow string, input map[string]any) (string, int, error) {
	in, err := json.Marshal(input)
	if err != nil {
		return "", 0, fmt.Errorf("encode input: %w", err)
	}
	req, err := json.Marshal(map[string]string{"workflow_name": workflow, "input": string(in)})
	if err != nil {
		return "", 0, fmt.Errorf("encode start: %w", err)
	}
	code, body, err := c.Do(ctx, http.MethodPost, "/v2/executions", "application/json", req)
	if err != nil {
		return "", code, err
	}
	if code != http.StatusCreated {
		return "", code, fmt.Errorf("start %s: %d %s", workflow, code, body)
	}
	var ex struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &ex); err != nil || ex.ID == "" {
		return "", code, fmt.Errorf("start %s: no id in %s", workflow, body)
	}
	return ex.ID, code, nil
}

// CompleteAction delivers an async action's result
// (PUT /v2/action_executions/{id}) and returns the status.
func (c *Client) CompleteAction(ctx context.Context, actionID, state string, output any) (int, error) {
	body, err := json.Marshal(map[string]any{"state": state, "output": output})
	if err != nil {
		return 0, fmt.Errorf("encode result: %w", err)
	}
	code, _, err := c.Do(ctx, http.MethodPut, "/v2/action_executions/"+actionID, "application/json", body)
	return code, err
}
