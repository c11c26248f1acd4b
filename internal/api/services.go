package api

import (
	"net/http"
	"time"
)

// ServiceLiveness is how old a service's last heartbeat may be for
// GET /v2/services to list it: a few missed heartbeats, so a busy
// process is not dropped, while a killed one goes within a minute.
const ServiceLiveness = 45 * time.Second

// listServices is GET /v2/services: the running bora processes, one per
// role group, as Mistral lists its coordination group members.
func (s *Server) listServices(w http.ResponseWriter, r *http.Request) {
	services, err := s.store.ServiceList(r.Context(), s.now().Add(-ServiceLiveness))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list := make([]object, len(services))
	for i, svc := range services {
		list[i] = object{{"name", svc.Name}, {"type", svc.Type}}
	}
	writeJSON(w, http.StatusOK, object{{"services", list}})
}
