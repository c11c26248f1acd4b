package action

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// maxRedirects is the limit python-requests applies when following
// redirects.
const maxRedirects = 30

// httpParams are std.http's inputs, with Mistral's defaults.
func httpParams() []Param {
	return []Param{
		Required("url"),
		Optional("method", "GET"),
		Optional("params", nil),
		Optional("body", nil),
		Optional("json", nil),
		Optional("headers", nil),
		Optional("cookies", nil),
		Optional("auth", nil),
		Optional("timeout", nil),
		Optional("allow_redirects", nil),
		Optional("proxies", nil),
		Optional("verify", nil),
	}
}

// httpAction runs std.http and std.mistral_http with the operator's
// options.
type httpAction struct {
	opts StdOptions
}

func (a httpAction) definition() *Definition {
	return &Definition{
		Name:        "std.http",
		Class:       stdClass + "HTTPAction",
		Description: "Sends an HTTP request and returns the response as a dict; a status outside 200-306 fails the action with that dict.",
		Params:      httpParams(),
		Run: func(ctx context.Context, input *value.Map, _ ExecutionContext) Outcome {
			return a.do(ctx, input, nil)
		},
	}
}

// httpRequest is std.http's input, read and checked.
type httpRequest struct {
	method         string
	url            *url.URL
	body           []byte
	hasBody        bool
	contentType    string
	header         http.Header
	cookies        []*http.Cookie
	user, password string
	hasAuth        bool
	timeout        time.Duration
	allowRedirects bool
	proxies        *value.Map
	tls            *tls.Config
}

// do sends the request described by input, with extra headers added last
// (std.mistral_http's), and turns the response into Mistral's result
// dict.
func (a httpAction) do(ctx context.Context, input *value.Map, extra [][2]string) Outcome {
	req, err := a.readRequest(input)
	if err != nil {
		return failed("%s", err.Error())
	}
	for _, h := range extra {
		// requests drops a header whose value is None; an unknown
		// execution fact is left out the same way.
		if h[1] != "" {
			req.header.Set(h[0], h[1])
		}
	}
	if req.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.timeout)
		defer cancel()
	}
	// The egress check comes before anything is sent, as in Mistral; its
	// message is the action's error as is.
	if err := a.opts.Egress.CheckURL(ctx, req.url); err != nil {
		return failed("%s", err.Error())
	}
	result, status, err := a.send(ctx, req)
	if err != nil {
		return failed("Failed to send HTTP request: %s", err.Error())
	}
	// python-requests' range(200, 307): a redirect that was not followed
	// is a success, anything else outside 2xx an error.
	if status < 200 || status > 306 {
		return Outcome{Failed: true, Result: result}
	}
	return Outcome{Result: result}
}

func (a httpAction) readRequest(input *value.Map) (*httpRequest, error) {
	r := &httpRequest{method: strings.ToUpper(str(get(input, "method"))), header: http.Header{}}
	if r.method == "" {
		r.method = http.MethodGet
	}
	u, err := url.Parse(str(get(input, "url")))
	if err != nil {
		return nil, fmt.Errorf("Failed to send HTTP request: %w", err)
	}
	if err := addQuery(u, get(input, "params")); err != nil {
		return nil, err
	}
	r.url = u

	body, js := get(input, "body"), get(input, "json")
	if truthy(body) && truthy(js) {
		return nil, errors.New("Only one of the parameters 'json' and 'body' can be passed")
	}
	if err := r.setBody(body, js); err != nil {
		return nil, err
	}

	headers, err := inputMap(input, "headers")
	if err != nil {
		return nil, err
	}
	headers.Range(func(k string, v any) bool {
		// requests drops a header whose value is None and sends numbers
		// as their str().
		if v != nil {
			r.header.Set(k, str(v))
		}
		return true
	})
	if r.contentType != "" && r.header.Get("Content-Type") == "" {
		r.header.Set("Content-Type", r.contentType)
	}

	cookies, err := inputMap(input, "cookies")
	if err != nil {
		return nil, err
	}
	cookies.Range(func(k string, v any) bool {
		r.cookies = append(r.cookies, &http.Cookie{Name: k, Value: str(v)})
		return true
	})

	if auth := get(input, "auth"); truthy(auth) {
		// Mistral turns 'user:pass' into a basic-auth tuple; anything else
		// is not usable by requests either.
		parts := strings.Split(str(auth), ":")
		if len(parts) != 2 {
			return nil, errors.New("Failed to send HTTP request: auth must be 'user:password'")
		}
		r.user, r.password, r.hasAuth = parts[0], parts[1], true
	}

	if r.timeout, err = httpTimeout(get(input, "timeout"), a.opts.HTTPTimeout); err != nil {
		return nil, err
	}
	// Mistral passes allow_redirects=None to requests, which then does not
	// follow redirects: only a true value turns them on.
	r.allowRedirects = truthy(get(input, "allow_redirects"))
	if r.proxies, err = inputMap(input, "proxies"); err != nil {
		return nil, err
	}
	// verify applies to https only, as in Mistral.
	if u.Scheme == "https" {
		if r.tls, err = tlsConfig(get(input, "verify")); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *httpRequest) setBody(body, js any) error {
	switch {
	case truthy(body):
		r.hasBody = true
		if s, ok := body.(string); ok {
			r.body = []byte(s)
			return nil
		}
		// Mistral sends a dict body as a JSON string without setting a
		// content type; other structured values are sent the same way.
		b, err := value.EncodePython(body)
		if err != nil {
			return fmt.Errorf("body: %w", err)
		}
		r.body = b
	case js != nil:
		b, err := value.EncodePython(js)
		if err != nil {
			return fmt.Errorf("json: %w", err)
		}
		r.body, r.hasBody, r.contentType = b, true, "application/json"
	}
	return nil
}

// addQuery appends params to the URL's query, as requests does: a dict's
// lists repeat the key, None values are dropped, a string is appended as
// is.
func addQuery(u *url.URL, params any) error {
	var extra string
	switch p := params.(type) {
	case nil:
		return nil
	case string:
		extra = p
	case *value.Map:
		q := url.Values{}
		var keys []string
		p.Range(func(k string, v any) bool {
			if _, seen := q[k]; !seen {
				keys = append(keys, k)
			}
			switch t := v.(type) {
			case nil:
			case []any:
				for _, e := range t {
					if e != nil {
						q.Add(k, str(e))
					}
				}
			default:
				q.Add(k, str(t))
			}
			return true
		})
		// url.Values.Encode sorts keys; keep the workflow's order instead.
		var b strings.Builder
		for _, k := range keys {
			for _, v := range q[k] {
				if b.Len() > 0 {
					b.WriteByte('&')
				}
				b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
			}
		}
		extra = b.String()
	default:
		return fmt.Errorf("params must be a dict or a string, got %s", value.TypeName(params))
	}
	if extra == "" {
		return nil
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + extra
	} else {
		u.RawQuery = extra
	}
	return nil
}

// httpTimeout reads timeout: seconds, or requests' [connect, read] pair
// (bounded here by their sum). No timeout means the operator's default.
func httpTimeout(v any, def time.Duration) (time.Duration, error) {
	if v == nil {
		return max(def, 0), nil
	}
	if pair, ok := v.([]any); ok && len(pair) == 2 {
		c, err := number("timeout", pair[0])
		if err != nil {
			return 0, err
		}
		r, err := number("timeout", pair[1])
		if err != nil {
			return 0, err
		}
		return time.Duration((c + r) * float64(time.Second)), nil
	}
	s, err := number("timeout", v)
	if err != nil {
		return 0, err
	}
	if s <= 0 {
		return 0, fmt.Errorf("timeout must be positive, got %s", value.PyStr(v))
	}
	return time.Duration(s * float64(time.Second)), nil
}

// tlsConfig reads verify: false skips certificate checks, a string is a
// CA bundle file, true or None is the system pool.
func tlsConfig(v any) (*tls.Config, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		pem, err := os.ReadFile(t)
		if err != nil {
			return nil, fmt.Errorf("Failed to send HTTP request: verify: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("Failed to send HTTP request: verify: no certificate in %s", t)
		}
		return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
	}
	if !truthy(v) {
		// The workflow asked for it explicitly (verify: false).
		return &tls.Config{InsecureSkipVerify: true}, nil //nolint:gosec // explicit verify: false
	}
	return nil, nil
}

// send performs the exchange and builds the result dict.
func (a httpAction) send(ctx context.Context, r *httpRequest) (*value.Map, int, error) {
	dialer := &net.Dialer{Timeout: 30 * time.Second, Control: a.opts.Egress.dialControl}
	transport := &http.Transport{
		Proxy:               proxyFunc(r.proxies),
		DialContext:         dialer.DialContext,
		TLSClientConfig:     r.tls,
		TLSHandshakeTimeout: 30 * time.Second,
		ForceAttemptHTTP2:   true,
		// One transport per call, so nothing may stay open after it.
		DisableKeepAlives: true,
	}
	defer transport.CloseIdleConnections()
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, 0, fmt.Errorf("cookie jar: %w", err)
	}
	jar.SetCookies(r.url, r.cookies)

	var history []any
	client := &http.Client{
		Transport: transport,
		Jar:       jar,
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			if !r.allowRedirects {
				return http.ErrUseLastResponse
			}
			if len(via) >= maxRedirects {
				return fmt.Errorf("Exceeded %d redirects.", maxRedirects)
			}
			if err := a.opts.Egress.CheckURL(next.Context(), next.URL); err != nil {
				return err
			}
			if prev := next.Response; prev != nil {
				history = append(history, value.MapOf(
					"status", int64(prev.StatusCode),
					"url", prev.Request.URL.String(),
					"reason", reason(prev),
				))
			}
			return nil
		},
	}

	var body io.Reader
	if r.hasBody {
		body = strings.NewReader(string(r.body))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url.String(), body)
	if err != nil {
		return nil, 0, err
	}
	req.Header = r.header
	// net/http takes the Host header from the request, not the map.
	if h := r.header.Get("Host"); h != "" {
		req.Host = h
	}
	if r.hasAuth {
		req.SetBasicAuth(r.user, r.password)
	}

	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	elapsed := time.Since(start)

	content, err := a.readBody(resp)
	if err != nil {
		return nil, 0, err
	}
	encoding := responseEncoding(resp.Header.Get("Content-Type"))

	headers := value.NewMap(len(resp.Header))
	names := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		headers.Set(k, strings.Join(resp.Header[k], ", "))
	}
	cookies := value.NewMap(0)
	for _, c := range resp.Cookies() {
		cookies.Set(c.Name, c.Value)
	}
	if history == nil {
		history = []any{}
	}
	var enc any
	if encoding != "" {
		enc = encoding
	}
	return value.MapOf(
		"content", decodeContent(content, encoding),
		"status", int64(resp.StatusCode),
		"headers", headers,
		"url", resp.Request.URL.String(),
		"history", history,
		"encoding", enc,
		"reason", reason(resp),
		"cookies", cookies,
		"elapsed", elapsed.Seconds(),
	), resp.StatusCode, nil
}

// proxyFunc honours proxies ({"http": url, "https": url, "all": url}) and
// otherwise the environment, as requests does.
func proxyFunc(proxies *value.Map) func(*http.Request) (*url.URL, error) {
	if proxies.Len() == 0 {
		return http.ProxyFromEnvironment
	}
	return func(req *http.Request) (*url.URL, error) {
		for _, key := range []string{req.URL.Scheme + "://" + req.URL.Host, req.URL.Scheme, "all"} {
			if v, ok := proxies.Get(key); ok && v != nil {
				p, err := url.Parse(str(v))
				if err != nil {
					return nil, fmt.Errorf("proxy %q: %w", key, err)
				}
				return p, nil
			}
		}
		return http.ProxyFromEnvironment(req)
	}
}
