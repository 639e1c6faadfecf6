package broker

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ParseURLs reads --broker: one or more NATS URLs, comma-separated, each
// nats://HOST[:PORT] or tls://HOST[:PORT]. It says what is wrong with the
// first one it cannot use.
func ParseURLs(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("no broker URL: want nats://HOST:PORT[,nats://...]")
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		u, err := url.Parse(part)
		if err != nil {
			return nil, fmt.Errorf("broker URL %q: not a URL", part)
		}
		if u.Scheme != "nats" && u.Scheme != "tls" {
			return nil, fmt.Errorf("broker URL %q: want nats://HOST:PORT or tls://HOST:PORT", part)
		}
		if u.Hostname() == "" {
			return nil, fmt.Errorf("broker URL %q: no host", part)
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("broker URL %q: port must be 1-65535", part)
			}
		}
		if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("broker URL %q: no path or query expected", part)
		}
		out = append(out, part)
	}
	return out, nil
}

// redact drops a URL's user information, for logs and /api/stats.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// redactAll is the URLs, redacted, as --broker spells them.
func redactAll(urls []string) string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = redact(u)
	}
	return strings.Join(out, ",")
}
