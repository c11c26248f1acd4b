package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The document lists exactly the routes that exist, with their path
// parameters, and is what the server serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	a := newTestAPI(t)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(openAPIDocument, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."))

	var documented []string
	wildcard := regexp.MustCompile(`\{([a-z_]+)\}`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			require.NotEmpty(t, op.Responses, "%s %s has no responses", method, path)
			var inPath []string
			for _, p := range op.Parameters {
				if p.In == "path" {
					inPath = append(inPath, p.Name)
				}
			}
			var want []string
			for _, m := range wildcard.FindAllStringSubmatch(path, -1) {
				want = append(want, m[1])
			}
			require.ElementsMatch(t, want, inPath, "path parameters of %s %s", method, path)
		}
	}
	routes := a.server.Routes()
	slices.Sort(routes)
	slices.Sort(documented)
	require.Equal(t, routes, documented, "openapi.json and the registered routes differ")

	res := a.get("/v2/openapi.json")
	require.Equal(t, http.StatusOK, res.status)
	require.JSONEq(t, string(openAPIDocument), string(res.raw))
}
