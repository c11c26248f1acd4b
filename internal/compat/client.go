package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// client speaks Mistral's REST API v2 to one server, as the real
// python-mistralclient does: YAML as text/plain, JSON otherwise.
type client struct {
	base string // e.g. http://127.0.0.1:8989/v2
	http *http.Client
}

func newClient(base string) *client {
	base = strings.TrimRight(base, "/")
	if !strings.HasSuffix(base, "/v2") {
		base += "/v2"
	}
	return &client{base: base, http: &http.Client{Timeout: 60 * time.Second}}
}

// response is one answer: its status and body (decoded when it is JSON).
type response struct {
	status int
	body   any
	raw    []byte
}

// fault is the faultstring of an error answer (Mistral's error body), or
// the raw body when it has none.
func (r response) fault() string {
	if r.status < 400 {
		return ""
	}
	if m, ok := r.body.(map[string]any); ok {
		if s, ok := m["faultstring"].(string); ok {
			return s
		}
	}
	return strings.TrimSpace(string(r.raw))
}

// obj is the body as a JSON object (nil when it is none).
func (r response) obj() map[string]any {
	m, _ := r.body.(map[string]any)
	return m
}

func (c *client) yaml(ctx context.Context, method, path, text string) (response, error) {
	return c.do(ctx, method, path, "text/plain", []byte(text))
}

func (c *client) json(ctx context.Context, method, path string, body any) (response, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return response{}, fmt.Errorf("encode %s %s body: %w", method, path, err)
	}
	return c.do(ctx, method, path, "application/json", raw)
}

func (c *client) get(ctx context.Context, path string) (response, error) {
	return c.do(ctx, http.MethodGet, path, "", nil)
}

func (c *client) do(ctx context.Context, method, path, contentType string, body []byte) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return response{}, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "*/*")
	res, err := c.http.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, fmt.Errorf("read %s %s: %w", method, path, err)
	}
	out := response{status: res.StatusCode, raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		if v, err := decodeJSON(raw); err == nil {
			out.body = v
		}
	}
	return out, nil
}

// jsonString decodes one of the JSON-encoded string fields Mistral sends
// (input, output, params, published, result); a value that is no JSON
// string is returned as it is, so a server sending a plain object still
// compares by content.
func jsonString(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	d, err := decodeJSON([]byte(s))
	if err != nil {
		return s
	}
	return d
}

// str is a string field of an object ("" when absent or not a string).
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// list is a list field of an object.
func list(m map[string]any, key string) []map[string]any {
	items, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if o, ok := it.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}
