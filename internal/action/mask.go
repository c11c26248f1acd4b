package action

import (
	"net/url"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
)

// Masked replaces a secret wherever masking applies.
const Masked = "***"

// Masker hides secrets in an action's input before it is logged, put into
// state_info or shown by the API. The operator turns masking on; the
// engine and the API call Mask on their way out and keep the real input
// for the action itself.
type Masker struct {
	// SensitiveHeaders are extra header names (case-insensitive) to hide
	// in std.http's headers, on top of the ones that always carry
	// credentials (Authorization, Cookie, X-Auth-Token ...), like
	// Mistral's [action_logging] sensitive_headers.
	SensitiveHeaders []string
}

// Mask is Masker{}.Mask: the default masking.
func Mask(actionName string, input *value.Map) *value.Map {
	return Masker{}.Mask(actionName, input)
}

// Mask returns a deep copy of input with its secrets replaced by "***".
// Every action, custom or ad-hoc too, has its values under secret-looking
// keys (password, token, private_key ...) hidden at any depth; std.http's
// auth, cookies, credential headers and a password in the URL, and
// std.email's smtp_password, are hidden by name.
func (m Masker) Mask(actionName string, input *value.Map) *value.Map {
	out, _ := maskValue(value.DeepCopy(input)).(*value.Map)
	if out == nil {
		return input
	}
	switch actionName {
	case "std.http", "std.mistral_http":
		m.maskHTTP(out)
	}
	return out
}

func (m Masker) maskHTTP(in *value.Map) {
	if v, ok := in.Get("auth"); ok && truthy(v) {
		// Keep the user name, as Mistral's log line does.
		if user, _, found := strings.Cut(str(v), ":"); found {
			in.Set("auth", user+":"+Masked)
		} else {
			in.Set("auth", Masked)
		}
	}
	if v, ok := in.Get("cookies"); ok && truthy(v) {
		in.Set("cookies", Masked)
	}
	if h, ok := in.Get("headers"); ok {
		if hm, ok := h.(*value.Map); ok {
			for _, k := range hm.Keys() {
				if m.sensitiveHeader(k) {
					hm.Set(k, Masked)
				}
			}
		}
	}
	if v, ok := in.Get("url"); ok {
		if s, ok := v.(string); ok {
			if u, err := url.Parse(s); err == nil && u.User != nil {
				if _, has := u.User.Password(); has {
					// Redacted writes "xxxxx" for the password.
					in.Set("url", strings.Replace(u.Redacted(), ":xxxxx@", ":"+Masked+"@", 1))
				}
			}
		}
	}
}

func (m Masker) sensitiveHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization", "cookie", "set-cookie",
		"x-auth-token", "x-subject-token", "x-service-token", "x-api-key":
		return true
	}
	for _, h := range m.SensitiveHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// maskValue hides values under secret-looking keys, at any depth.
func maskValue(v any) any {
	switch t := v.(type) {
	case *value.Map:
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			if e != nil && secretKey(k) {
				t.Set(k, Masked)
				continue
			}
			t.Set(k, maskValue(e))
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = maskValue(e)
		}
		return t
	}
	return v
}

// secretKey reports whether a key names a credential.
func secretKey(k string) bool {
	k = strings.ToLower(strings.ReplaceAll(k, "-", "_"))
	if strings.HasSuffix(k, "_filename") {
		return false // where a key lives is not the key
	}
	for _, s := range []string{"password", "passwd", "secret", "token", "private_key", "api_key", "apikey", "credential"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
