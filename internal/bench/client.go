package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client speaks the part of the Mistral REST API v2 the benchmark needs.
// It sends what the real python-mistralclient sends (YAML as text/plain,
// Accept: */*, execution input as a JSON-encoded string), so bora and the
// real Mistral are driven identically.
type Client struct {
	base string // http://host:port, without /v2
	http *http.Client
}

// NewClient returns a client of the server at base ("http://host:port";
// a trailing /v2 is accepted). conns bounds the idle connections kept, so
// C concurrent pollers reuse theirs instead of exhausting ports.
func NewClient(base string, conns int) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target URL %q: want http://host:port", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/v2")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(conns, 2) + 4
	tr.MaxIdleConnsPerHost = max(conns, 2) + 4
	return &Client{base: u.String(), http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}, nil
}

// Base is the server's address, without /v2.
func (c *Client) Base() string { return c.base }

// CloseIdle drops kept connections.
func (c *Client) CloseIdle() { c.http.CloseIdleConnections() }

// Execution is the part of an execution resource the benchmark reads.
type Execution struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	StateInfo string `json:"state_info"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, strings.TrimSpace(e.Body))
}

func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// do sends one request and decodes a JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	// Mistral answers 406 to Accept: application/json on a text/plain
	// upload; the real client sends */*.
	req.Header.Set("Accept", "*/*")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %w", method, path, &apiError{Status: res.StatusCode, Body: string(raw)})
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// UploadWorkflows creates the workflows of a YAML file. When they exist
// already (409) it replaces them instead and reports created=false, so
// the caller leaves definitions it did not create in place.
func (c *Client) UploadWorkflows(ctx context.Context, yaml string) (created bool, err error) {
	err = c.do(ctx, http.MethodPost, "/v2/workflows", "text/plain", []byte(yaml), nil)
	if statusOf(err) == http.StatusConflict {
		if err := c.do(ctx, http.MethodPut, "/v2/workflows", "text/plain", []byte(yaml), nil); err != nil {
			return false, fmt.Errorf("replace existing workflows: %w", err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create workflows: %w", err)
	}
	return true, nil
}

// DeleteWorkflow deletes one workflow definition; one already gone is fine.
func (c *Client) DeleteWorkflow(ctx context.Context, name string) error {
	err := c.do(ctx, http.MethodDelete, "/v2/workflows/"+url.PathEscape(name), "", nil, nil)
	if err != nil && statusOf(err) != http.StatusNotFound {
		return fmt.Errorf("delete workflow %s: %w", name, err)
	}
	return nil
}

// StartExecution starts a workflow with an empty input.
func (c *Client) StartExecution(ctx context.Context, workflow, description string) (Execution, error) {
	req, err := json.Marshal(map[string]string{
		"workflow_name": workflow,
		// Mistral's API carries input as a JSON-encoded string.
		"input":       "{}",
		"description": description,
	})
	if err != nil {
		return Execution{}, fmt.Errorf("encode execution request: %w", err)
	}
	var ex Execution
	if err := c.do(ctx, http.MethodPost, "/v2/executions", "application/json", req, &ex); err != nil {
		return Execution{}, fmt.Errorf("start %s: %w", workflow, err)
	}
	if ex.ID == "" {
		return Execution{}, fmt.Errorf("start %s: answer has no execution id", workflow)
	}
	return ex, nil
}

// GetExecution reads one execution.
func (c *Client) GetExecution(ctx context.Context, id string) (Execution, error) {
	var ex Execution
	if err := c.do(ctx, http.MethodGet, "/v2/executions/"+url.PathEscape(id), "", nil, &ex); err != nil {
		return Execution{}, err
	}
	return ex, nil
}

// listPage is one page of a Mistral list answer.
type listPage struct {
	Executions []Execution `json:"executions"`
	Tasks      []Task      `json:"tasks"`
	Next       string      `json:"next"`
}

// Task is the part of a task execution the verification reads.
type Task struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state"`
}

// list reads every page of a list, following the `next` links servers
// with a page limit (bora, Mistral's max_limit) send.
func (c *Client) list(ctx context.Context, path string, each func(listPage)) error {
	for pages := 0; path != ""; pages++ {
		if pages > 10_000 {
			return fmt.Errorf("list %s: too many pages", path)
		}
		var page listPage
		if err := c.do(ctx, http.MethodGet, path, "", nil, &page); err != nil {
			return err
		}
		each(page)
		path = ""
		if page.Next != "" {
			// next is an absolute URL; keep our own scheme and host,
			// which a server behind a proxy may name differently.
			u, err := url.Parse(page.Next)
			if err != nil {
				return fmt.Errorf("list: bad next link %q: %w", page.Next, err)
			}
			path = u.RequestURI()
		}
	}
	return nil
}

// SubExecutions lists the executions whose root is id, id excluded.
func (c *Client) SubExecutions(ctx context.Context, id string) ([]Execution, error) {
	var out []Execution
	err := c.list(ctx, "/v2/executions?root_execution_id="+url.QueryEscape(id)+"&fields=id,state", func(p listPage) {
		for _, e := range p.Executions {
			if e.ID != id {
				out = append(out, e)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("list sub-executions of %s: %w", id, err)
	}
	return out, nil
}

// Tasks lists the task executions of one workflow execution.
func (c *Client) Tasks(ctx context.Context, executionID string) ([]Task, error) {
	var out []Task
	err := c.list(ctx, "/v2/tasks?workflow_execution_id="+url.QueryEscape(executionID)+"&fields=id,name,state", func(p listPage) {
		out = append(out, p.Tasks...)
	})
	if err != nil {
		return nil, fmt.Errorf("list tasks of %s: %w", executionID, err)
	}
	return out, nil
}
