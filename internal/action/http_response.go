package action

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bora-workflow/bora/internal/value"
)

// This file turns an HTTP response into the parts of std.http's result
// that python-requests would have computed.

// readBody reads the response up to the size cap. Unlike Mistral, which
// trusts Content-Length, a chunked body is bounded too.
func (a httpAction) readBody(resp *http.Response) ([]byte, error) {
	limit := a.opts.HTTPMaxResponseBytes
	if limit < 0 {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("reading the response: %w", err)
		}
		return b, nil
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("HTTP response is too large (Content-Length=%d, limit=%d bytes).", resp.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("HTTP response is too large (more than %d bytes).", limit)
	}
	return b, nil
}

// decodeContent is requests' resp.json() with the raw text as fallback.
// Valid UTF-8 is kept as is; other bytes are read as Latin-1 when the
// response says so, else invalid sequences are replaced.
func decodeContent(b []byte, encoding string) any {
	if len(b) > 0 {
		if v, err := value.Decode(b); err == nil {
			return v
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	switch strings.ToLower(encoding) {
	case "iso-8859-1", "latin-1", "latin1":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// responseEncoding is requests' resp.encoding: the charset parameter, or
// ISO-8859-1 for text/* and utf-8 for JSON when none is given.
func responseEncoding(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	if cs := params["charset"]; cs != "" {
		return strings.Trim(cs, `'"`)
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return "ISO-8859-1"
	case mt == "application/json":
		return "utf-8"
	}
	return ""
}

func reason(resp *http.Response) string {
	return strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" ")
}
