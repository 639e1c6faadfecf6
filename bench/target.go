package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// parseTarget reads --target: an http(s) URL naming a running server; any
// path is ignored, the routes are the server's own.
func parseTarget(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: want an http:// or https:// URL", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q: no host", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// isLoopback reports whether host (of a URL) is this machine, where the
// server's clock is the harness's clock.
func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clockNote is said when latency compares two machines' clocks.
const clockNote = "target is not this machine: latency compares the server's publish clock with this machine's, so it is only as good as their synchronisation (NTP/PTP)"

// checkTarget makes sure a server answers at base before clients are sent.
func checkTarget(ctx context.Context, ctl *http.Client, base *url.URL) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.String()+"/healthz", nil)
	if err != nil {
		return inputErrorf("target %s: %v", base, err)
	}
	resp, err := ctl.Do(req)
	if err != nil {
		return inputErrorf("target %s unreachable: %v", base, rootCause(err))
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return inputErrorf("target %s: /healthz answered %s; is it a pushlab server?", base, resp.Status)
	}
	return nil
}

// rootCause strips url.Error's "Get \"...\":" prefix for one-line messages.
func rootCause(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// controlClient is the harness's own client for /api/stats and the like:
// not counted, not named, kept apart from the simulated clients.
func controlClient() *http.Client {
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true},
	}
}
