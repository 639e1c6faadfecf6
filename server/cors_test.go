package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/server"
)

// --allow-origin lets a page from another origin use the lab: preflights
// are answered with 204 and the allowed origin, method and headers, and
// actual responses carry Access-Control-Allow-Origin.
func TestAllowOriginAnswersCORS(t *testing.T) {
	const teacher = "http://teacher.example:3000"
	lab := startLab(t, server.Config{AllowOrigins: []string{teacher}})

	pre := http.Header{"Origin": {teacher}, "Access-Control-Request-Method": {"POST"},
		"Access-Control-Request-Headers": {"content-type"}}
	status, hdr, _ := httpStatus(t, http.MethodOptions, lab.URL+"/api/publish", pre, nil)
	if status != http.StatusNoContent || hdr.Get("Access-Control-Allow-Origin") != teacher ||
		hdr.Get("Access-Control-Allow-Methods") != "POST" || !strings.EqualFold(hdr.Get("Access-Control-Allow-Headers"), "content-type") {
		t.Errorf("preflight: %d %v", status, hdr)
	}

	post := http.Header{"Origin": {teacher}, "Content-Type": {"application/json"}}
	status, hdr, _ = httpStatus(t, http.MethodPost, lab.URL+"/api/publish", post, strings.NewReader(`{"kind":"chat","data":"hi"}`))
	if status != http.StatusAccepted || hdr.Get("Access-Control-Allow-Origin") != teacher {
		t.Errorf("POST from the allowed origin: %d, Access-Control-Allow-Origin %q", status, hdr.Get("Access-Control-Allow-Origin"))
	}
	status, hdr, _ = httpStatus(t, http.MethodGet, lab.URL+"/api/state", http.Header{"Origin": {teacher}}, nil)
	if status != http.StatusOK || hdr.Get("Access-Control-Allow-Origin") != teacher || !strings.EqualFold(hdr.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("GET from the allowed origin: %d %v", status, hdr)
	}

	for name, h := range map[string]http.Header{
		"foreign origin":   {"Origin": {"http://evil.example"}, "Access-Control-Request-Method": {"POST"}},
		"method not given": {"Origin": {teacher}, "Access-Control-Request-Method": {"DELETE"}},
		"header not given": {"Origin": {teacher}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"x-secret"}},
	} {
		status, hdr, msg := httpStatus(t, http.MethodOptions, lab.URL+"/api/publish", h, nil)
		if status != http.StatusForbidden || msg == "" || hdr.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: %d %q %v, want 403 without Access-Control-Allow-Origin", name, status, msg, hdr)
		}
	}
	// Without Origin nothing is added: the bytes of ordinary requests stay
	// what the bench measures.
	_, hdr, _ = httpStatus(t, http.MethodGet, lab.URL+"/api/state", nil, nil)
	if hdr.Get("Vary") != "" || hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a request without Origin got %v", hdr)
	}
}

func TestMethodNotAllowedSaysWhatIs(t *testing.T) {
	lab := startLab(t, server.Config{})
	for _, c := range []struct{ method, path, allow string }{
		{http.MethodPost, "/api/state", "GET, HEAD"},
		{http.MethodDelete, "/api/config", "GET, HEAD, POST"},
		{http.MethodPut, "/api/netem", "GET, HEAD, POST"},
		{http.MethodGet, "/api/publish", "POST"},
		{http.MethodPost, "/", "GET, HEAD"},
		{http.MethodOptions, "/ws", "GET, HEAD"},
	} {
		status, hdr, msg := httpStatus(t, c.method, lab.URL+c.path, nil, nil)
		if status != http.StatusMethodNotAllowed || hdr.Get("Allow") != c.allow || msg == "" {
			t.Errorf("%s %s: %d Allow %q %q, want 405 Allow %q and a JSON error", c.method, c.path, status, hdr.Get("Allow"), msg, c.allow)
		}
	}
}

func TestUnknownAPIPathsAnswerJSON404(t *testing.T) {
	lab := startLab(t, server.Config{})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/nope"},
		{http.MethodGet, "/api/"},
		{http.MethodGet, "/api"},
		{http.MethodGet, "/api/state/extra"},
		{http.MethodGet, "/api/handshake/nope"},
		{http.MethodPost, "/api/nope"},
		{http.MethodHead, "/api/nope"},
	} {
		status, hdr, msg := httpStatus(t, c.method, lab.URL+c.path, nil, nil)
		if status != http.StatusNotFound || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") ||
			(c.method != http.MethodHead && msg == "") {
			t.Errorf("%s %s: %d %q %q, want a JSON 404", c.method, c.path, status, hdr.Get("Content-Type"), msg)
		}
	}
}
