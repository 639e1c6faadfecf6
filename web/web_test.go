package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/web"
)

// get fetches path from the page's handler.
func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func TestHandlerServesThePageAndItsModules(t *testing.T) {
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()

	res, body := get(t, srv, "/")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %s %s", res.Status, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, `id="panels"`) {
		t.Error("GET / did not serve the demo page")
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache (a new binary must bring a new page)", cc)
	}
	// Browsers refuse ES modules served with a non-JavaScript type.
	res, _ = get(t, srv, "/js/main.js")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Errorf("GET /js/main.js: %s %q", res.Status, res.Header.Get("Content-Type"))
	}
	if res, _ := get(t, srv, "/no-such-file.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /no-such-file.js: %s, want 404", res.Status)
	}
}

// The page must work in a classroom without internet, from any port: every
// asset it loads is embedded, and it names no host.
func TestPageIsSelfContained(t *testing.T) {
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()

	ref := regexp.MustCompile(`(?:src|href)="([^"#]+)"|from '(\./[^']+)'|import\('(/[^']+)'\)`)
	absolute := regexp.MustCompile(`(?i)\b(?:https?|wss?)://|//[a-z0-9.-]+\.[a-z]{2,}/|127\.0\.0\.1|localhost:\d`)
	seen := map[string]bool{}
	queue := []string{"/"}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		res, body := get(t, srv, path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("the page loads %s, which answers %s", path, res.Status)
			continue
		}
		if m := absolute.FindString(body); m != "" {
			t.Errorf("%s names a host (%q): the page must use relative URLs and location.host", path, m)
		}
		dir := path[:strings.LastIndex(path, "/")+1]
		for _, m := range ref.FindAllStringSubmatch(body, -1) {
			target := m[1] + m[2] + m[3]
			if strings.HasPrefix(target, "data:") {
				continue
			}
			if !strings.HasPrefix(target, "/") {
				target = dir + strings.TrimPrefix(target, "./")
			}
			queue = append(queue, target)
		}
	}
	for _, want := range []string{"/style.css", "/js/main.js", "/js/sha1.js", "/js/closecodes.js",
		"/js/netem.js", "/js/route.js", "/js/frames.js", "/js/lesson.js"} {
		if !seen[want] {
			t.Errorf("%s is not reached from the page", want)
		}
	}
}

// The page shows the close-code table in Chinese from its own translation
// (i18n.js closeCodesZh): every code of the server's table has one, and
// nothing else does.
func TestEveryCloseCodeHasAChineseMeaning(t *testing.T) {
	b, err := os.ReadFile("static/js/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	start := strings.Index(src, "closeCodesZh = {")
	end := strings.Index(src[start:], "\n};")
	if start < 0 || end < 0 {
		t.Fatal("closeCodesZh not found in i18n.js")
	}
	entry := regexp.MustCompile(`(?m)^\s*(\d+): \['([^']+)', '([^']+)'\],$`)
	zh := map[int]bool{}
	for _, m := range entry.FindAllStringSubmatch(src[start:start+end], -1) {
		code, _ := strconv.Atoi(m[1])
		zh[code] = true
	}
	for _, c := range push.CloseCodes {
		if !zh[c.Code] {
			t.Errorf("close code %d (%s) has no Chinese name and meaning in i18n.js", c.Code, c.Name)
		}
		delete(zh, c.Code)
	}
	for code := range zh {
		t.Errorf("i18n.js translates close code %d, which is not in the server's table", code)
	}
}
