package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/bora-workflow/bora/internal/pyjson"
	"github.com/bora-workflow/bora/internal/value"
)

// readBody reads the whole request body; a body over maxBodyBytes is a 413.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &requestError{
				status: http.StatusRequestEntityTooLarge,
				msg:    fmt.Sprintf("The request body is larger than %d bytes.", tooBig.Limit),
			}
		}
		// The client stopped sending or the connection broke mid-body.
		return nil, &requestError{status: http.StatusBadRequest, msg: "The request body could not be read.", cause: err}
	}
	return data, nil
}

// jsonBody is a request body that is a JSON object, read into the value
// model (never into interface{}: keys keep their order, integers stay
// integers).
type jsonBody struct {
	fields *value.Map
}

// readJSONBody reads a JSON object and refuses keys outside allowed, the
// attributes of the Mistral resource the endpoint takes.
func readJSONBody(r *http.Request, allowed []string) (jsonBody, error) {
	body, err := readJSONObject(r)
	if err != nil {
		return jsonBody{}, err
	}
	for _, k := range body.fields.Keys() {
		if !slices.Contains(allowed, k) {
			return jsonBody{}, badRequest("Unknown attribute %q in the request body.", k)
		}
	}
	return body, nil
}

// readJSONObject reads a body that must be a JSON object.
func readJSONObject(r *http.Request) (jsonBody, error) {
	data, err := readBody(r)
	if err != nil {
		return jsonBody{}, err
	}
	if strings.TrimSpace(string(data)) == "" {
		return jsonBody{}, badRequest("The request body is empty; a JSON object is expected.")
	}
	v, err := value.Decode(data)
	if err != nil {
		return jsonBody{}, badRequest("The request body is not valid JSON: %v", err)
	}
	m, ok := v.(*value.Map)
	if !ok {
		return jsonBody{}, badRequest("The request body must be a JSON object, not %s.", value.TypeName(v))
	}
	return jsonBody{fields: m}, nil
}

// has reports whether the body sets name to something other than null.
func (b jsonBody) has(name string) bool {
	v, ok := b.fields.Get(name)
	return ok && v != nil
}

// text returns a string attribute; absent or null is "".
func (b jsonBody) text(name string) (string, error) {
	v, ok := b.fields.Get(name)
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", badRequest("Invalid input for field/attribute %s: expected a string, got %s.", name, value.TypeName(v))
	}
	return s, nil
}

// jsonObject returns an attribute that holds a JSON object, given either
// as an object or as a string holding one: Mistral's client sends
// execution input and params as JSON-encoded strings, other clients send
// objects. Absent, null, "", "null" and "{}" give an empty map. resource
// is the name Mistral's answer gives the whole body when the string is
// not JSON (see decodeJSONText).
func (b jsonBody) jsonObject(resource, name string) (*value.Map, error) {
	v, ok := b.fields.Get(name)
	if !ok || v == nil {
		return value.NewMap(0), nil
	}
	if s, isText := v.(string); isText {
		if strings.TrimSpace(s) == "" {
			return value.NewMap(0), nil
		}
		decoded, err := b.decodeJSONText(resource, s)
		if err != nil {
			return nil, err
		}
		if decoded == nil {
			return value.NewMap(0), nil // "null", as Python's `json.loads(s) or {}`
		}
		v = decoded
	}
	m, ok := v.(*value.Map)
	if !ok {
		return nil, badRequest("Invalid input for field/attribute %s: expected a JSON object, got %s.", name, value.TypeName(v))
	}
	return m, nil
}

// decodeJSONText decodes JSON text given in a field of b. Mistral's
// JsonType fields decode such text with Python's json.loads while the
// body is validated, and a failure is a 400 naming the resource (wf_ex,
// action_ex, env, task, cron_trigger), showing the whole body and
// giving json.loads' reason; bora gives the same reason, found by
// walking the text as Python's scanner does.
func (b jsonBody) decodeJSONText(resource, text string) (any, error) {
	v, err := value.DecodeString(text)
	if err == nil {
		return v, nil
	}
	reason := err.Error()
	if pyErr := pyjson.Check(text); pyErr != nil {
		reason = pyErr.Error()
	}
	// else Python would have decoded it (NaN, Infinity, 1e400) and Mistral
	// gone on with the value; bora's value model cannot hold it, so Go's
	// reason is the only true one.
	return nil, &requestError{
		status: http.StatusBadRequest,
		msg:    fmt.Sprintf("Invalid input for field/attribute %s. Value: '%s'. %s", resource, value.PyStr(b.fields), reason),
		cause:  fmt.Errorf("field of %s holds text that is not JSON: %w", resource, err),
	}
}
