package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sink is the side effect the scenarios' actions have: a tiny HTTP server
// that counts every request by key (GET /hit/<key>), so a run of an action
// is observed outside bora, whatever bora's tables say. A key starting with
// SafePrefix belongs to a safe-rerun action, which may legally run again.
type Sink struct {
	srv *http.Server
	ln  net.Listener
	wg  sync.WaitGroup

	mu    sync.Mutex
	hits  map[string]int
	holds map[string]*hold
}

// SafePrefix marks the sink keys of safe-rerun actions.
const SafePrefix = "safe-"

// hold parks the responses for one key: arrived is closed on the first
// request, the responses wait for release.
type hold struct {
	arrived chan struct{}
	release chan struct{}
	first   sync.Once // closes arrived
	once    sync.Once // closes release
}

// NewSink starts a sink on a free loopback port.
func NewSink() (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sink listen: %w", err)
	}
	s := &Sink{ln: ln, hits: map[string]int{}, holds: map[string]*hold{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hit/{key}", s.hit)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// URL is the base URL of the sink (http://127.0.0.1:port).
func (s *Sink) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the sink, releasing any held response.
func (s *Sink) Close() error {
	s.mu.Lock()
	for _, h := range s.holds {
		h.once.Do(func() { close(h.release) })
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	s.wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stop sink: %w", err)
	}
	return nil
}

// hit counts one run. ?sleep=<ms> delays the answer, so that faults land
// while actions are in flight; a held key waits for Release.
func (s *Sink) hit(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	s.mu.Lock()
	s.hits[key]++
	run := s.hits[key]
	h := s.holds[key]
	s.mu.Unlock()
	if h != nil {
		h.first.Do(func() { close(h.arrived) })
	}
	if ms, err := strconv.Atoi(r.URL.Query().Get("sleep")); err == nil && ms > 0 {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
		}
	}
	if h != nil {
		select {
		case <-h.release:
		case <-r.Context().Done():
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"key": key, "run": run})
}

// Hold makes requests for key wait until Release; the channel returned is
// closed when the first of them arrives (the action has run).
func (s *Sink) Hold(key string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	s.holds[key] = h
	return h.arrived
}

// Release lets the held requests for key answer.
func (s *Sink) Release(key string) {
	s.mu.Lock()
	h := s.holds[key]
	s.mu.Unlock()
	if h != nil {
		h.once.Do(func() { close(h.release) })
	}
}

// Count is how many times key was hit.
func (s *Sink) Count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

// SinkTally sums the sink's counts.
type SinkTally struct {
	Runs          int // requests in all
	Keys          int // distinct keys
	DupSafe       int // extra runs of safe-rerun keys (allowed, ≤ faults)
	DupUnsafe     int // extra runs of other keys (must be 0)
	DupUnsafeKeys []string
}

// Tally counts runs and duplicates, split by SafePrefix.
func (s *Sink) Tally() SinkTally {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t SinkTally
	for key, n := range s.hits {
		t.Runs += n
		t.Keys++
		if n <= 1 {
			continue
		}
		if strings.HasPrefix(key, SafePrefix) {
			t.DupSafe += n - 1
		} else {
			t.DupUnsafe += n - 1
			t.DupUnsafeKeys = append(t.DupUnsafeKeys, key)
		}
	}
	return t
}
