package api

import "net/http"

// getVersions is GET /: the API versions document clients probe first.
func (s *Server) getVersions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, object{
		{"versions", []object{{
			{"id", "v2.0"},
			{"status", "CURRENT"},
			{"links", []object{{
				{"href", baseURL(r) + "/v2"},
				{"target", "v2"},
				{"rel", "self"},
			}}},
		}}},
	})
}

// getV2Root is GET /v2.
func (s *Server) getV2Root(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, object{{"uri", baseURL(r) + "/v2"}})
}
