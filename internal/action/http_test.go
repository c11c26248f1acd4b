package action_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

// recorded is what a test HTTP server saw.
type recorded struct {
	Method, Host, Path, RawQuery, Body, User, Pass string
	Header                                         http.Header
	Cookies                                        map[string]string
	HasAuth                                        bool
}

// recordingServer answers every request with respond after recording it.
func recordingServer(t *testing.T, respond http.HandlerFunc) (*httptest.Server, func() []recorded) {
	t.Helper()
	var mu sync.Mutex
	var got []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec := recorded{Method: r.Method, Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Body: string(b),
			Header: r.Header.Clone(), Cookies: map[string]string{}}
		rec.User, rec.Pass, rec.HasAuth = r.BasicAuth()
		for _, c := range r.Cookies() {
			rec.Cookies[c.Name] = c.Value
		}
		mu.Lock()
		got = append(got, rec)
		mu.Unlock()
		respond(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []recorded {
		mu.Lock()
		defer mu.Unlock()
		return append([]recorded(nil), got...)
	}
}

func runAction(t *testing.T, reg *action.Registry, name string, input *value.Map) action.Outcome {
	t.Helper()
	return reg.Run(context.Background(), name, input, action.ExecutionContext{})
}

func resultMap(t *testing.T, out action.Outcome) *value.Map {
	t.Helper()
	m, ok := out.Result.(*value.Map)
	require.True(t, ok, "result is %T: %v", out.Result, out.Result)
	return m
}

func field(t *testing.T, m *value.Map, k string) any {
	t.Helper()
	v, ok := m.Get(k)
	require.True(t, ok, "no %q in %v", k, m)
	return v
}

func TestHTTPJSONResponse(t *testing.T) {
	t.Parallel()
	srv, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1"})
		_, _ = io.WriteString(w, `{"z": 1, "a": [1, 2.5, "x"], "big": 12345678901234567890}`)
	})
	out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL+"/things"))
	require.False(t, out.Failed, "%v", out.Result)
	res := resultMap(t, out)
	require.Equal(t, []string{"content", "status", "headers", "url", "history", "encoding", "reason", "cookies", "elapsed"}, res.Keys())
	content := field(t, res, "content").(*value.Map)
	require.Equal(t, []string{"z", "a", "big"}, content.Keys())
	require.Equal(t, int64(1), field(t, content, "z"))
	require.Equal(t, `12345678901234567890`, value.PyStr(field(t, content, "big")))
	require.Equal(t, int64(200), field(t, res, "status"))
	require.Equal(t, "OK", field(t, res, "reason"))
	require.Equal(t, "utf-8", field(t, res, "encoding"))
	require.Equal(t, srv.URL+"/things", field(t, res, "url"))
	require.Equal(t, []any{}, field(t, res, "history"))
	require.Equal(t, "application/json", field(t, field(t, res, "headers").(*value.Map), "Content-Type"))
	require.True(t, value.Equal(value.MapOf("session", "s1"), field(t, res, "cookies")))
	require.IsType(t, float64(0), field(t, res, "elapsed"))
}

func TestHTTPNonJSONResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		wantContent, wantEnc    any
	}{
		{"plain text", "text/plain", "hello", "hello", "ISO-8859-1"},
		{"charset given", "text/html; charset=utf-8", "<p>hé</p>", "<p>hé</p>", "utf-8"},
		{"latin-1 bytes", "text/plain; charset=iso-8859-1", "caf\xe9", "café", "iso-8859-1"},
		{"empty body", "", "", "", nil},
		{"JSON without a JSON content type", "application/octet-stream", "[1, 2]", []any{int64(1), int64(2)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				} else {
					w.Header()["Content-Type"] = nil
				}
				_, _ = io.WriteString(w, tc.body)
			})
			out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL))
			require.False(t, out.Failed, "%v", out.Result)
			res := resultMap(t, out)
			require.True(t, value.Equal(tc.wantContent, field(t, res, "content")), "content %#v", field(t, res, "content"))
			require.Equal(t, tc.wantEnc, field(t, res, "encoding"))
		})
	}
}

func TestHTTPRequestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input *value.Map
		check func(t *testing.T, r recorded)
	}{
		{"GET by default", value.NewMap(0), func(t *testing.T, r recorded) {
			require.Equal(t, "GET", r.Method)
			require.Empty(t, r.Body)
		}},
		{"method is case-insensitive", value.MapOf("method", "delete"), func(t *testing.T, r recorded) {
			require.Equal(t, "DELETE", r.Method)
		}},
		{"params keep order, repeat lists, drop None", value.MapOf("params", value.MapOf(
			"b", "2 3", "a", []any{int64(1), "x"}, "skip", nil)), func(t *testing.T, r recorded) {
			require.Equal(t, "q=0&b=2+3&a=1&a=x", r.RawQuery)
		}},
		{"a dict body is sent as JSON text", value.MapOf("method", "POST", "body", value.MapOf("k", "v", "n", int64(1))),
			func(t *testing.T, r recorded) {
				require.Equal(t, `{"k": "v", "n": 1}`, r.Body)
				require.Empty(t, r.Header.Get("Content-Type"))
			}},
		{"a string body is sent as is", value.MapOf("method", "PUT", "body", "raw text"), func(t *testing.T, r recorded) {
			require.Equal(t, "raw text", r.Body)
		}},
		{"json sets the content type", value.MapOf("method", "POST", "json", []any{int64(1), value.MapOf("a", true)}),
			func(t *testing.T, r recorded) {
				require.Equal(t, `[1, {"a": true}]`, r.Body)
				require.Equal(t, "application/json", r.Header.Get("Content-Type"))
			}},
		{"headers: numbers become strings, None is dropped", value.MapOf("headers", value.MapOf(
			"X-Count", int64(3), "X-Ratio", 0.5, "X-None", nil, "content-type", "text/csv")),
			func(t *testing.T, r recorded) {
				require.Equal(t, "3", r.Header.Get("X-Count"))
				require.Equal(t, "0.5", r.Header.Get("X-Ratio"))
				require.NotContains(t, r.Header, "X-None")
				require.Equal(t, "text/csv", r.Header.Get("Content-Type"))
			}},
		{"a Host header is the request's host", value.MapOf("headers", value.MapOf("Host", "virtual.example.test")),
			func(t *testing.T, r recorded) {
				require.Equal(t, "virtual.example.test", r.Host)
			}},
		{"cookies", value.MapOf("cookies", value.MapOf("a", "1", "b", "two")), func(t *testing.T, r recorded) {
			require.Equal(t, map[string]string{"a": "1", "b": "two"}, r.Cookies)
		}},
		{"auth user:pass is basic auth", value.MapOf("auth", "alice:s3cret"), func(t *testing.T, r recorded) {
			require.True(t, r.HasAuth)
			require.Equal(t, "alice", r.User)
			require.Equal(t, "s3cret", r.Pass)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, got := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {})
			in := tc.input.Clone()
			u := srv.URL + "/p"
			if in.Has("params") {
				u += "?q=0"
			}
			in.Set("url", u)
			out := runAction(t, action.Standard(), "std.http", in)
			require.False(t, out.Failed, "%v", out.Result)
			reqs := got()
			require.Len(t, reqs, 1)
			tc.check(t, reqs[0])
		})
	}
}

func TestHTTPInputErrors(t *testing.T) {
	t.Parallel()
	srv, got := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		name  string
		input *value.Map
		want  string
	}{
		{"body and json", value.MapOf("body", "x", "json", value.MapOf("a", int64(1))),
			"Only one of the parameters 'json' and 'body' can be passed"},
		{"auth without a colon", value.MapOf("auth", "token"), "Failed to send HTTP request: auth must be 'user:password'"},
		{"headers not a dict", value.MapOf("headers", "x"), "headers must be a dict, got string"},
		{"bad timeout", value.MapOf("timeout", "soon"), `timeout must be a number, got "soon"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.input.Clone()
			in.Set("url", srv.URL)
			out := runAction(t, action.Standard(), "std.http", in)
			require.True(t, out.Failed)
			require.Equal(t, tc.want, out.Result)
		})
	}
	require.Empty(t, got(), "nothing may be sent for a bad input")
}

func TestHTTPErrorStatusFailsWithTheResult(t *testing.T) {
	t.Parallel()
	for _, status := range []int{307, 400, 404, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			srv, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"error": "nope"}`)
			})
			out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL))
			require.True(t, out.Failed)
			res := resultMap(t, out)
			require.Equal(t, int64(status), field(t, res, "status"))
			require.True(t, value.Equal(value.MapOf("error", "nope"), field(t, res, "content")))
		})
	}
}

func TestHTTPRedirects(t *testing.T) {
	t.Parallel()
	srv, got := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.SetCookie(w, &http.Cookie{Name: "hop", Value: "1", Path: "/"})
			http.Redirect(w, r, "/end", http.StatusFound)
		case "/end":
			_, _ = io.WriteString(w, "arrived")
		}
	})

	t.Run("not followed by default, as in Mistral", func(t *testing.T) {
		out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL+"/start"))
		require.False(t, out.Failed, "a 302 is inside 200-306")
		res := resultMap(t, out)
		require.Equal(t, int64(302), field(t, res, "status"))
		require.Equal(t, "/end", field(t, field(t, res, "headers").(*value.Map), "Location"))
	})
	t.Run("followed with allow_redirects, carrying cookies", func(t *testing.T) {
		out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL+"/start", "allow_redirects", true))
		require.False(t, out.Failed, "%v", out.Result)
		res := resultMap(t, out)
		require.Equal(t, int64(200), field(t, res, "status"))
		require.Equal(t, "arrived", field(t, res, "content"))
		require.Equal(t, srv.URL+"/end", field(t, res, "url"))
		hist := field(t, res, "history").([]any)
		require.Len(t, hist, 1)
		require.Equal(t, int64(302), field(t, hist[0].(*value.Map), "status"))
		reqs := got()
		last := reqs[len(reqs)-1]
		require.Equal(t, "/end", last.Path)
		require.Equal(t, "1", last.Cookies["hop"])
	})
}

func TestHTTPTimeouts(t *testing.T) {
	t.Parallel()
	// The handler blocks until the client goes away: only a timeout ends
	// the request.
	srv, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	t.Run("input timeout", func(t *testing.T) {
		t.Parallel()
		out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL, "timeout", 0.1))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "Failed to send HTTP request:")
		require.Contains(t, out.Result, "deadline exceeded")
	})
	t.Run("operator default timeout", func(t *testing.T) {
		t.Parallel()
		reg := action.NewStandard(action.StdOptions{HTTPTimeout: 100 * time.Millisecond})
		out := runAction(t, reg, "std.http", value.MapOf("url", srv.URL))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "deadline exceeded")
	})
	t.Run("connect and read pair", func(t *testing.T) {
		t.Parallel()
		out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL, "timeout", []any{0.05, 0.05}))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "deadline exceeded")
	})
}

func TestHTTPCancellation(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	srv, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	out := action.Standard().Run(ctx, "std.http", value.MapOf("url", srv.URL), action.ExecutionContext{})
	require.True(t, out.Failed)
	require.Contains(t, out.Result, "context canceled")
}

func TestHTTPResponseSizeCap(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 2048)
	reg := action.NewStandard(action.StdOptions{HTTPMaxResponseBytes: 1024})
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"declared length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "2048")
			_, _ = io.WriteString(w, big)
		}, "HTTP response is too large (Content-Length=2048, limit=1024 bytes)."},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, big[:512])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, big[512:])
		}, "Failed to send HTTP request: HTTP response is too large (more than 1024 bytes)."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := recordingServer(t, tc.handler)
			out := runAction(t, reg, "std.http", value.MapOf("url", srv.URL))
			require.True(t, out.Failed)
			require.Contains(t, out.Result, strings.TrimPrefix(tc.want, "Failed to send HTTP request: "))
		})
	}
	t.Run("at the cap is fine", func(t *testing.T) {
		t.Parallel()
		srv, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, big[:1024]) })
		out := runAction(t, reg, "std.http", value.MapOf("url", srv.URL))
		require.False(t, out.Failed, "%v", out.Result)
	})
}

func TestHTTPEgressPolicy(t *testing.T) {
	t.Parallel()
	srv, got := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(srv0(r), "127.0.0.1", "localhost", 1)+"/elsewhere", http.StatusFound)
	})
	tests := []struct {
		name   string
		policy *action.EgressPolicy
		url    string
		extra  *value.Map
		want   string
	}{
		{"Mistral's policy denies loopback", action.MistralEgressPolicy(), srv.URL,
			nil, "URL host '127.0.0.1' resolves to a blocked address (127.0.0.1)."},
		{"a denied CIDR by name", &action.EgressPolicy{DeniedCIDRs: mustCIDRs(t, "127.0.0.0/8")},
			strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), nil, "URL host 'localhost' resolves to a blocked address"},
		{"the default policy denies the metadata service", nil, "http://169.254.169.254/latest/meta-data/",
			nil, "URL host '169.254.169.254' resolves to a blocked address (169.254.169.254)."},
		{"a host outside allowed_hosts", &action.EgressPolicy{AllowedHosts: []string{"api.example.invalid"}}, srv.URL,
			nil, "Host '127.0.0.1' is not in the allowed hosts of the egress policy."},
		{"a scheme other than http(s)", nil, "file:///etc/passwd", nil,
			"URL scheme 'file' is not allowed (only http and https are)."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := runAction(t, action.NewStandard(action.StdOptions{Egress: tc.policy}), "std.http", value.MapOf("url", tc.url))
			require.True(t, out.Failed)
			require.Contains(t, out.Result, tc.want)
		})
	}
	require.Empty(t, got(), "a refused request must not reach the server")

	t.Run("every redirect hop is checked", func(t *testing.T) {
		reg := action.NewStandard(action.StdOptions{Egress: &action.EgressPolicy{AllowedHosts: []string{"127.0.0.1"}}})
		out := runAction(t, reg, "std.http", value.MapOf("url", srv.URL+"/start", "allow_redirects", true))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "Host 'localhost' is not in the allowed hosts")
		require.Len(t, got(), 1, "only the first hop may be sent")
	})
}

// srv0 is the scheme and host a request came to.
func srv0(r *http.Request) string { return "http://" + r.Host }

func mustCIDRs(t *testing.T, s ...string) []netip.Prefix {
	t.Helper()
	p, err := action.ParseCIDRs(s)
	require.NoError(t, err)
	return p
}

func TestHTTPConnectionRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	out := runAction(t, action.Standard(), "std.http", value.MapOf("url", "http://"+addr+"/"))
	require.True(t, out.Failed)
	require.Contains(t, out.Result, "Failed to send HTTP request:")
	require.Contains(t, out.Result, "connection refused")
}

func TestHTTPVerify(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "secure") }))
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	tests := []struct {
		name   string
		verify any
		ok     bool
	}{
		{"verified by default", nil, false},
		{"verify true", true, false},
		{"verify false", false, true},
		{"a CA bundle", caFile, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := runAction(t, action.Standard(), "std.http", value.MapOf("url", srv.URL, "verify", tc.verify))
			require.Equal(t, !tc.ok, out.Failed, "%v", out.Result)
			if tc.ok {
				require.Equal(t, "secure", field(t, resultMap(t, out), "content"))
			} else {
				require.Contains(t, out.Result, "certificate")
			}
		})
	}
}

func TestHTTPProxies(t *testing.T) {
	t.Parallel()
	var seen atomic.Value
	proxy, _ := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.String())
		_, _ = io.WriteString(w, "via proxy")
	})
	// The target name does not resolve: only the proxy can answer, so
	// nothing leaves the machine.
	out := runAction(t, action.Standard(), "std.http", value.MapOf(
		"url", "http://bora-target.invalid/x", "proxies", value.MapOf("http", proxy.URL)))
	require.False(t, out.Failed, "%v", out.Result)
	require.Equal(t, "via proxy", field(t, resultMap(t, out), "content"))
	require.Equal(t, "http://bora-target.invalid/x", seen.Load())
}
