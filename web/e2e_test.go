package web_test

// The demo page, end to end: a real server on 127.0.0.1:0, the real page in
// headless Chromium, and the page's four real clients. The test reads only
// what the page shows, and checks it against what the server knows.

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

const (
	// testBudget bounds the whole browser session, start to screenshot.
	testBudget = 120 * time.Second
	// stepTimeout bounds one wait for the page to show something.
	stepTimeout = 10 * time.Second
	// screenshotFill is how long the generator runs before the screenshot
	// when PUSHLAB_SCREENSHOT asks for one to keep.
	screenshotFill = 25 * time.Second
)

// kinds are the transports with a panel: those of the table a browser speaks.
var kinds = func() []string {
	var names []string
	for _, tr := range transport.All() {
		if tr.Browser {
			names = append(names, tr.Name)
		}
	}
	return names
}()

func TestDemoPageInChromium(t *testing.T) {
	browser := chromiumPath(t)
	s := servertest.Start(t, server.Config{Rate: 0, Payload: 256})
	gen := s.Server.Generator()
	for range 3 {
		gen.Tick()
	}

	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	ctx = startBrowser(t, ctx, browser)
	exceptions := collectExceptions(ctx)

	// A short-poll interval of 250 ms keeps the test short; the page takes it
	// from the URL, as a teacher could.
	do(t, ctx, "load the page",
		chromedp.EmulateViewport(1440, 1000),
		chromedp.Navigate(s.URL+"/?interval=250&lang=en"),
	)
	// The page is wired once it has read the transports, the generator's
	// settings and the network conditions; before that there is nothing to
	// click.
	waitFor(t, ctx, "the page ready", `document.documentElement.dataset.ready === 'true'`)

	t.Run("four panels reach the same version", func(t *testing.T) {
		waitAllAtVersion(t, ctx, s.Store.Latest())
		// Then advance while they are connected: each must follow live.
		gen.Tick()
		gen.Tick()
		waitAllAtVersion(t, ctx, s.Store.Latest())
	})

	t.Run("the controls start the generator", func(t *testing.T) {
		before := s.Store.Latest()
		do(t, ctx, "apply rate 10",
			chromedp.SetValue(chromedp.CSS("#cfg-rate"), "10"),
			chromedp.SetValue(chromedp.CSS("#cfg-payload"), "256"),
			chromedp.Click(chromedp.CSS("#config-form button[type=submit]")),
		)
		waitFor(t, ctx, "config applied", `document.querySelector('#cfg-status').classList.contains('ok')`)
		var cfg struct{ Rate float64 }
		getJSON(t, s.URL+"/api/config", &cfg)
		if cfg.Rate != 10 {
			t.Fatalf("server rate after Apply = %v, want 10", cfg.Rate)
		}
		waitFor(t, ctx, "ticks reach the WS panel", fmt.Sprintf(
			`Number(document.querySelector('#panel-ws [data-f=version]').textContent) > %d`, before+2))
	})

	t.Run("chat reaches all four panels", func(t *testing.T) {
		for via, line := range map[string]string{"ws": "Hello from the WebSocket", "post": "Hello from an HTTP POST"} {
			do(t, ctx, "send chat via "+via,
				chromedp.SetValue(chromedp.CSS("#chat-via"), via),
				chromedp.SetValue(chromedp.CSS("#chat-text"), line),
				chromedp.Click(chromedp.CSS("#chat-form button[type=submit]")),
			)
			waitFor(t, ctx, "chat line in all four panels", fmt.Sprintf(
				`[...document.querySelectorAll('.panel .chat-lines')].length === 4 &&
				 [...document.querySelectorAll('.panel .chat-lines')].every(l => l.textContent.includes(%q))`, line))
		}
	})

	t.Run("handshake inspector shows this page's upgrade and a correct Accept", func(t *testing.T) {
		waitFor(t, ctx, "handshake computed", `document.querySelector('#hs-match').dataset.ok !== undefined`)
		key := text(t, ctx, "#hs-key")
		shown := text(t, ctx, "#hs-accept-server")
		computed := text(t, ctx, "#hs-accept-computed")
		sum := sha1.Sum([]byte(key + push.WebSocketGUID))
		want := base64.StdEncoding.EncodeToString(sum[:])
		if shown != want || computed != want {
			t.Errorf("key %q: Accept shown %q, computed by the page %q, want %q", key, shown, computed, want)
		}
		if ok := attr(t, ctx, "#hs-match", "data-ok"); ok != "true" {
			t.Errorf("page's verdict data-ok = %q, want true", ok)
		}
		// The key shown is the one the server recorded for the WS panel.
		wsID := attr(t, ctx, "#panel-ws", "data-client")
		var hs push.Handshake
		getJSON(t, s.URL+"/api/handshake?id="+wsID, &hs)
		if hs.Key != key {
			t.Errorf("page shows key %q, server recorded %q for %s", key, hs.Key, wsID)
		}
		if got := text(t, ctx, "#hs-subprotocol"); got != "pushlab.v1" {
			t.Errorf("subprotocol shown %q, want pushlab.v1", got)
		}
		inspectorShowsTheBytesRead(t, ctx, s.URL, wsID)
	})

	t.Run("close codes: 1009, 1003, 1008 provoked by the page, 4000 asked for", func(t *testing.T) {
		for _, code := range []int{1009, 1003, 1008, 4000} {
			c := strconv.Itoa(code)
			row := `#cc-log tr[data-asked="` + c + `"]`
			do(t, ctx, "try "+c,
				chromedp.SetValue(chromedp.CSS("#cc-code"), c),
				chromedp.Click(chromedp.CSS("#cc-try")),
			)
			waitFor(t, ctx, c+" row", fmt.Sprintf(`document.querySelector(%q) !== null`, row))
			got := attr(t, ctx, row, "data-got")
			name := text(t, ctx, row+" td:nth-child(4)")
			if got != c || name != closeCodeName(code) {
				t.Errorf("close explorer reported %q %q, want %d %q", got, name, code, closeCodeName(code))
			}
		}
	})

	t.Run("pausing a panel stops its requests, resuming starts them", func(t *testing.T) {
		id := attr(t, ctx, "#panel-short", "data-client")
		do(t, ctx, "pause short polling", chromedp.Click(chromedp.CSS("#panel-short .pause")))
		waitFor(t, ctx, "paused", `document.querySelector('#panel-short').dataset.state === 'paused'`)
		// A poll already on the wire may still land: wait for the count to settle.
		paused := clientRequests(t, s.URL, id)
		for settle := time.Now().Add(3 * time.Second); time.Now().Before(settle); {
			time.Sleep(300 * time.Millisecond)
			n := clientRequests(t, s.URL, id)
			if n == paused {
				break
			}
			paused = n
		}
		time.Sleep(750 * time.Millisecond) // three intervals
		if n := clientRequests(t, s.URL, id); n != paused {
			t.Errorf("paused short-poll panel still sent requests: %d then %d", paused, n)
		}
		do(t, ctx, "resume short polling", chromedp.Click(chromedp.CSS("#panel-short .pause")))
		deadline := time.Now().Add(3 * time.Second)
		for clientRequests(t, s.URL, id) == paused {
			if time.Now().After(deadline) {
				t.Fatal("resumed short-poll panel sent no request in 3s")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("counters are the server's", func(t *testing.T) {
		// Wait for a stats read after the chat, then compare each panel's
		// request count with the server's: the page may lag, never lead.
		time.Sleep(1200 * time.Millisecond)
		var stats struct {
			Clients map[string]struct{ Requests int64 } `json:"clients"`
		}
		shown := map[string]int64{}
		for _, k := range kinds {
			n, err := strconv.ParseInt(strings.ReplaceAll(text(t, ctx, "#panel-"+k+` [data-f=requests]`), ",", ""), 10, 64)
			if err != nil {
				t.Fatalf("%s panel shows no request count: %v", k, err)
			}
			shown[k] = n
		}
		getJSON(t, s.URL+"/api/stats", &stats)
		for _, k := range kinds {
			id := attr(t, ctx, "#panel-"+k, "data-client")
			server := stats.Clients[id].Requests
			if shown[k] < 1 || shown[k] > server {
				t.Errorf("%s panel shows %d requests; server counted %d for %s", k, shown[k], server, id)
			}
		}
	})

	t.Run("the page's fallback SHA-1 agrees with Go's", func(t *testing.T) {
		// Used where crypto.subtle is missing (a page on a LAN address over
		// plain HTTP); lengths around the 55/56/64-byte padding edges.
		for _, n := range []int{0, 3, 55, 56, 60, 63, 64, 65, 119, 120, 200} {
			in := strings.Repeat("a", n/2) + strings.Repeat("é", (n+1)/4)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
				`import('/js/sha1.js').then(m => m.hex(m.sha1JS(new TextEncoder().encode(%q))))`, in),
				chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%x", sha1.Sum([]byte(in))); got != want {
				t.Errorf("sha1JS(%d bytes) = %s, want %s", len(in), got, want)
			}
		}
	})

	t.Run("network conditions: 300 ms RTT raises polling latency by the RTT, the counters keep agreeing", func(t *testing.T) {
		networkConditions(t, ctx, s.URL)
	})

	t.Run("frame view: a text frame with opcode 1, then close frames with their code", func(t *testing.T) {
		frameView(t, ctx, s.URL)
	})

	t.Run("lesson script: one key per step", func(t *testing.T) {
		lessonScript(t, ctx, s.URL)
	})

	t.Run("projector mode fits 1920x1080 in large, high-contrast type", func(t *testing.T) {
		projectorMode(t, ctx)
	})

	t.Run("the latency chart reaches below half a millisecond", func(t *testing.T) {
		chartReachesSubMillisecond(t, ctx)
	})

	t.Run("labels switch to Chinese and back", func(t *testing.T) {
		do(t, ctx, "toggle language", chromedp.Click(chromedp.CSS("#lang-toggle")))
		waitFor(t, ctx, "Chinese title", `document.querySelector('#panel-short .panel-title').textContent === '短轮询'`)
		// The close codes too: the selected code's meaning and the logged
		// tries' names and meanings.
		closeCodesInChinese(t, ctx)
		do(t, ctx, "toggle language", chromedp.Click(chromedp.CSS("#lang-toggle")))
		waitFor(t, ctx, "English title", `document.querySelector('#panel-short .panel-title').textContent === 'Short polling'`)
	})

	if os.Getenv("PUSHLAB_SCREENSHOT") != "" {
		// Making docs/img/demo.png: let the charts fill for a while first.
		time.Sleep(screenshotFill)
	}
	saveScreenshot(t, ctx)
	if errs := exceptions(); len(errs) > 0 {
		t.Errorf("the page threw: %s", strings.Join(errs, "; "))
	}
}

// chromiumPath finds a Chromium. Without one the test is skipped on a
// developer's machine, but fails in CI, where .ci/run installs it.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "" {
		t.Skip("no chromium binary found (set CI to make this a failure)")
	}
	t.Fatal("no chromium binary found, and CI is set: install Debian's chromium")
	return ""
}

// startBrowser starts headless Chromium at path, with the flags CI needs
// and any more a test asks for (extra).
func startBrowser(t *testing.T, ctx context.Context, path string, extra ...chromedp.ExecAllocatorOption) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(opts, extra...)...)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	return bctx
}

// collectExceptions records uncaught exceptions of the page.
func collectExceptions(ctx context.Context) func() []string {
	var mu sync.Mutex
	var errs []string
	events := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			msg := "exception"
			if d := ev.ExceptionDetails; d != nil {
				msg = d.Text
				if d.Exception != nil && d.Exception.Description != "" {
					msg += " " + d.Exception.Description
				}
			}
			mu.Lock()
			errs = append(errs, msg)
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitFor waits until the JavaScript predicate holds on the page.
func waitFor(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func waitAllAtVersion(t *testing.T, ctx context.Context, v uint64) {
	t.Helper()
	waitFor(t, ctx, fmt.Sprintf("all four panels at version %d", v), fmt.Sprintf(
		`%q.split(' ').every(k => document.querySelector('#panel-' + k + ' [data-f=version]')?.textContent === '%d')`,
		strings.Join(kinds, " "), v))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).textContent`, sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q) ?? ''`, sel, name)))
	if err != nil {
		t.Fatalf("read %s[%s]: %v", sel, name, err)
	}
	return s
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func closeCodeName(code int) string {
	for _, c := range push.CloseCodes {
		if c.Code == code {
			return c.Name
		}
	}
	return ""
}

// clientRequests is the server's request count for one client id.
func clientRequests(t *testing.T, base, id string) int64 {
	t.Helper()
	var stats struct {
		Clients map[string]struct{ Requests int64 } `json:"clients"`
	}
	getJSON(t, base+"/api/stats", &stats)
	return stats.Clients[id].Requests
}

// saveScreenshot writes the whole page as PNG: to $PUSHLAB_SCREENSHOT if set
// (how docs/img/demo.png is made), else into the test's temp dir.
func saveScreenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := os.Getenv("PUSHLAB_SCREENSHOT")
	if path == "" {
		path = filepath.Join(t.TempDir(), "demo.png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
