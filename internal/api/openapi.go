package api

import (
	_ "embed"
	"net/http"
	"strings"
)

// openAPIDocument is the OpenAPI 3 description of this API, kept next to
// the handlers; TestOpenAPIMatchesRoutes keeps it and the routes in step.
//
//go:embed openapi.json
var openAPIDocument []byte

// getOpenAPI is GET /v2/openapi.json.
func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIDocument)
}

// Routes returns the routes the server serves, as "METHOD /path" in
// OpenAPI's path syntax ({name} for every wildcard, no {$}).
func (s *Server) Routes() []string {
	out := make([]string, len(s.patterns))
	for i, p := range s.patterns {
		p = strings.ReplaceAll(p, "{$}", "")
		p = strings.ReplaceAll(p, "...}", "}")
		out[i] = p
	}
	return out
}
