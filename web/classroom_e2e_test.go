package web_test

// The classroom parts of the demo page, driven in the same browser session
// as TestDemoPageInChromium: network conditions, the wire as it is (raw
// handshake bytes, frame view), the lesson script and projector mode.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const (
	// testRTT is the round trip the test sets in the page.
	testRTT = 300
	// latencySamples is how many updates a panel must have received since
	// the conditions changed before its latency figures are read.
	latencySamples = 30
)

// serverClient is what /api/stats holds for one client id.
type serverClient struct {
	Requests   int64
	Deliveries int64
	BytesIn    int64 `json:"bytes_in"`
	BytesOut   int64 `json:"bytes_out"`
}

func serverClients(t *testing.T, base string) map[string]serverClient {
	t.Helper()
	var stats struct{ Clients map[string]serverClient }
	getJSON(t, base+"/api/stats", &stats)
	return stats.Clients
}

// num reads a number the page put in a data attribute.
func num(t *testing.T, ctx context.Context, sel, name string) float64 {
	t.Helper()
	s := attr(t, ctx, sel, name)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s[%s] = %q: not a number", sel, name, s)
	}
	return v
}

// pageCount is what one panel's client counted itself.
type pageCount struct{ sent, answered, received float64 }

func pageCounts(t *testing.T, ctx context.Context, kind string) pageCount {
	t.Helper()
	sel := "#panel-" + kind
	return pageCount{num(t, ctx, sel, "data-sent"), num(t, ctx, sel, "data-answered"), num(t, ctx, sel, "data-received")}
}

// countersAgree checks the server's counters against what the page's
// clients counted themselves, for each panel: a request the server counted
// was sent by the page, and one the page saw answered was counted; every
// update the page received was counted as delivered. The page is read
// before and after the server, so in-flight requests fall between.
func countersAgree(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	before := map[string]pageCount{}
	for _, k := range kinds {
		before[k] = pageCounts(t, ctx, k)
	}
	server := serverClients(t, base)
	time.Sleep(100 * time.Millisecond) // a render after the server's read
	for _, k := range kinds {
		after := pageCounts(t, ctx, k)
		srv := server[attr(t, ctx, "#panel-"+k, "data-client")]
		if (k == "short" || k == "long") && (float64(srv.Requests) < before[k].answered || float64(srv.Requests) > after.sent) {
			t.Errorf("%s: the server counted %d requests; the page saw %v answered and had sent %v",
				k, srv.Requests, before[k].answered, after.sent)
		}
		if float64(srv.Deliveries) < before[k].received {
			t.Errorf("%s: the page received %v updates, the server counted %d delivered", k, before[k].received, srv.Deliveries)
		}
	}
}

// waitSamples waits until each panel named has latency figures over at
// least n updates.
func waitSamples(t *testing.T, ctx context.Context, n int, panels ...string) {
	t.Helper()
	for _, k := range panels {
		waitFor(t, ctx, fmt.Sprintf("%d latencies in the %s panel", n, k),
			fmt.Sprintf(`Number(document.querySelector('#panel-%s')?.dataset.samples) >= %d`, k, n))
	}
}

// inspectorShowsTheBytesRead: the request the inspector shows is byte for
// byte what the server read on the WS panel's connection, and that head
// plus the frames the server read make up every byte it counted in.
func inspectorShowsTheBytesRead(t *testing.T, ctx context.Context, base, wsID string) {
	t.Helper()
	var raw struct{ Request, Response []byte }
	getJSON(t, base+"/api/handshake/raw?id="+wsID, &raw)
	shown := strings.ReplaceAll(rawText(t, ctx, "#hs-request"), `\r\n`+"\n", "\r\n")
	if shown != string(raw.Request) {
		t.Errorf("the inspector shows\n%q\nthe server read\n%q", shown, raw.Request)
	}
	if got := num(t, ctx, "#hs-request", "data-bytes"); int(got) != len(raw.Request) {
		t.Errorf("the inspector counts %v request bytes, the server read %d", got, len(raw.Request))
	}
	if !strings.Contains(string(raw.Request), "&inspect=1 HTTP/1.1\r\n") || !strings.HasPrefix(string(raw.Response), "HTTP/1.1 101 ") {
		t.Errorf("raw heads: %q / %q", raw.Request, raw.Response)
	}
	eventually(t, "the WS client's bytes in = its heads + its frames, as counted", func() bool {
		var f struct {
			In map[string]int64 `json:"in"`
		}
		getJSON(t, base+"/api/frames?id="+wsID, &f)
		return f.In["bytes"] == serverClients(t, base)[wsID].BytesIn && f.In["bytes"] == f.In["head_bytes"]+f.In["frame_bytes"]
	})
}

// rawText is the text of an element as the page shows it.
func rawText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).textContent`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eventually polls cond for a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type netemState struct {
	RTTms         int64   `json:"rtt_ms"`
	BandwidthKbit float64 `json:"bandwidth_kbit"`
	Active        bool
}

func networkConditions(t *testing.T, ctx context.Context, base string) {
	polls := []string{"short", "long"}
	waitSamples(t, ctx, latencySamples, kinds...)
	baseline := map[string]float64{}
	for _, k := range kinds {
		baseline[k] = num(t, ctx, "#panel-"+k, "data-p90")
	}
	countersAgree(t, ctx, base)

	do(t, ctx, "set the round trip in the page",
		chromedp.SetValue(chromedp.CSS("#net-rtt"), strconv.Itoa(testRTT)),
		chromedp.Click(chromedp.CSS("#net-form button[type=submit]")),
	)
	waitFor(t, ctx, "panels through the proxy", `document.querySelector('#net-route').dataset.via === 'proxy'`)
	var ne netemState
	getJSON(t, base+"/api/netem", &ne)
	if ne.RTTms != testRTT || !ne.Active {
		t.Fatalf("server's conditions after Apply: %+v", ne)
	}
	// The panels reconnected through the proxy and started their figures
	// afresh: wait for enough updates under the new conditions.
	waitSamples(t, ctx, latencySamples, kinds...)
	for _, k := range kinds {
		t.Logf("%s: p90 latency %.1f ms on loopback, %.1f ms with a %d ms round trip", k, baseline[k], num(t, ctx, "#panel-"+k, "data-p90"), testRTT)
	}
	for _, k := range polls {
		after := num(t, ctx, "#panel-"+k, "data-p90")
		if after-baseline[k] < testRTT {
			t.Errorf("%s polling: p90 latency %.1f ms before, %.1f ms with a %d ms round trip; want a rise of at least the round trip",
				k, baseline[k], after, testRTT)
		}
	}
	// A push crosses the downstream half of the round trip once: no update
	// can arrive sooner than that.
	for _, k := range []string{"ws", "sse"} {
		if p50 := num(t, ctx, "#panel-"+k, "data-p50"); p50 < testRTT/2 {
			t.Errorf("%s: median latency %.1f ms under a %d ms round trip, below half of it", k, p50, testRTT)
		}
	}
	countersAgree(t, ctx, base)

	// Bad input from the page: the server refuses it with its reason, and
	// the setting in force stays, on the server and in the controls.
	for _, c := range []struct{ field, value, want string }{
		{"#net-rtt", "20000", "rtt"},
		{"#net-bw", "0.5", "bandwidth"},
	} {
		do(t, ctx, "enter "+c.value+" in "+c.field,
			chromedp.SetValue(chromedp.CSS(c.field), c.value),
			chromedp.Click(chromedp.CSS("#net-form button[type=submit]")),
		)
		waitFor(t, ctx, "the refusal shown", `document.querySelector('#net-status').classList.contains('bad')`)
		if msg := text(t, ctx, "#net-status"); !strings.Contains(msg, c.want) {
			t.Errorf("%s=%s: status %q, want the server's reason about %s", c.field, c.value, msg, c.want)
		}
		getJSON(t, base+"/api/netem", &ne)
		if ne.RTTms != testRTT || ne.BandwidthKbit != 0 {
			t.Errorf("%s=%s changed the server's setting: %+v", c.field, c.value, ne)
		}
		waitFor(t, ctx, "the controls back to the setting in force", fmt.Sprintf(
			`document.querySelector('#net-rtt').value === '%d' && document.querySelector('#net-bw').value === '0'`, testRTT))
		do(t, ctx, "clear the status", chromedp.Evaluate[chromedp.Void](`document.querySelector('#net-status').className = 'note'`))
	}

	do(t, ctx, "back to loopback", chromedp.Click(chromedp.CSS(`#net-presets button[data-preset="loopback"]`)))
	waitFor(t, ctx, "panels direct again", `document.querySelector('#net-route').dataset.via === 'direct'`)
}

func frameView(t *testing.T, ctx context.Context, base string) {
	waitFor(t, ctx, "the WS panel live", `document.querySelector('#panel-ws').dataset.state === 'live'`)
	do(t, ctx, "open the frame view", chromedp.Click(chromedp.CSS("#frames > summary")))
	waitFor(t, ctx, "a server text frame", `document.querySelector('#frames-log tr[data-dir="out"][data-op="1"]') !== null`)
	row := `#frames-log tr[data-dir="out"][data-op="1"]`
	if got := text(t, ctx, row+" td:nth-child(5)"); got != "1 text" {
		t.Errorf("text frame's opcode cell %q, want 1 text", got)
	}
	if got := text(t, ctx, row+" td:nth-child(6)"); got != "0" {
		t.Errorf("a server frame shown with MASK %q", got)
	}
	do(t, ctx, "close the panel's connection", chromedp.Click(chromedp.CSS("#frames-disconnect")))
	waitFor(t, ctx, "the server's close frame with 1001", `document.querySelector('#frames-log tr[data-dir="out"][data-op="8"][data-close-code="1001"]') !== null`)
	waitFor(t, ctx, "the browser's answering close frame", `document.querySelector('#frames-log tr[data-dir="in"][data-op="8"][data-masked="true"]') !== null`)
	if cell := text(t, ctx, `#frames-log tr[data-dir="out"][data-op="8"] td:nth-child(9)`); !strings.Contains(cell, "1001") || !strings.Contains(cell, "Going Away") {
		t.Errorf("close frame shown as %q, want its code and name", cell)
	}
	// The close the page asked for went up as a masked text frame.
	waitFor(t, ctx, "the page's request, a masked text frame", `[...document.querySelectorAll('#frames-log tr[data-dir="in"][data-op="1"]')].some(r => r.dataset.masked === 'true' && r.textContent.includes('"type":"close"'))`)
	waitFor(t, ctx, "the WS panel back", `document.querySelector('#panel-ws').dataset.state === 'live'`)
	do(t, ctx, "close the frame view", chromedp.Click(chromedp.CSS("#frames > summary")))
}

func lessonScript(t *testing.T, ctx context.Context, base string) {
	rate := func() float64 {
		var c struct{ Rate float64 }
		getJSON(t, base+"/api/config", &c)
		return c.Rate
	}
	press := func(key string) { pressLessonKey(t, ctx, key) }
	do(t, ctx, "start the lesson", chromedp.Click(chromedp.CSS("#lesson-toggle")))
	waitFor(t, ctx, "the caption", `!document.querySelector('#lesson').hidden`)
	press("1")
	if r := rate(); r != 0.5 {
		t.Errorf("step 1: rate %v, want 0.5 (idle)", r)
	}
	press("2")
	if r := rate(); r != 50 {
		t.Errorf("step 2: rate %v, want 50 (a burst)", r)
	}
	press("3")
	var ne netemState
	getJSON(t, base+"/api/netem", &ne)
	if ne.RTTms != testRTT || rate() != 10 {
		t.Errorf("step 3: %+v at rate %v, want a %d ms round trip at 10", ne, rate(), testRTT)
	}
	waitFor(t, ctx, "the WS panel live through the proxy", `document.querySelector('#panel-ws').dataset.state === 'live' && document.querySelector('#net-route').dataset.via === 'proxy'`)
	press("4")
	waitFor(t, ctx, "the close code in the caption", `document.querySelector('#lesson').dataset.closeCode === '1001'`)
	if body := text(t, ctx, "#lesson-body"); !strings.Contains(body, "1001") || !strings.Contains(body, "Going Away") {
		t.Errorf("step 4 caption %q, want the close code and its name", body)
	}
	press("0")
	getJSON(t, base+"/api/netem", &ne)
	if ne.Active || rate() != 10 {
		t.Errorf("step 0: %+v at rate %v, want loopback at 10", ne, rate())
	}
}

// pressLessonKey presses a key of the lesson script and waits for its step.
func pressLessonKey(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	do(t, ctx, "press "+key,
		chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`),
		chromedp.KeyEvent(key))
	waitFor(t, ctx, "step "+key+" done", fmt.Sprintf(`document.querySelector('#lesson').dataset.done === '%s'`, key))
}

// projectorMode: at 1920×1080, with the lesson's caption showing its
// longest step (4, with the close code received), nothing scrolls; the four panels, their counters and the
// latency chart are on screen; every visible text is at least 20 px and
// has a contrast of at least 7:1 against what is behind it.
func projectorMode(t *testing.T, ctx context.Context) {
	do(t, ctx, "a projector's screen", chromedp.EmulateViewport(1920, 1080))
	do(t, ctx, "projector mode", chromedp.Click(chromedp.CSS("#projector-toggle")))
	waitFor(t, ctx, "projector layout", `document.body.classList.contains('projector')`)
	waitFor(t, ctx, "the WS panel live", `document.querySelector('#panel-ws').dataset.state === 'live'`)
	pressLessonKey(t, ctx, "4")
	waitFor(t, ctx, "the close code in the caption", `document.querySelector('#lesson').dataset.closeCode === '1001'`)
	time.Sleep(300 * time.Millisecond) // a frame for the charts to redraw
	check, err := chromedp.Run(ctx, chromedp.Evaluate[string](projectorCheck))
	if err != nil {
		t.Fatal(err)
	}
	if check != "" {
		t.Errorf("projector mode at 1920x1080: %s", check)
	}
	if !strings.Contains(mustRun(t, ctx, `location.search`), "view=projector") {
		t.Error("projector mode is not in the URL (?view=projector)")
	}
	pressLessonKey(t, ctx, "0")
	do(t, ctx, "leave projector mode", chromedp.Click(chromedp.CSS("#projector-toggle")))
	do(t, ctx, "leave the lesson", chromedp.KeyEvent(kb.Escape))
	waitFor(t, ctx, "the caption gone", `document.querySelector('#lesson').hidden`)
	do(t, ctx, "the usual screen", chromedp.EmulateViewport(1440, 1000))
}

func mustRun(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// projectorCheck runs in the page and returns what is wrong, or "".
const projectorCheck = `(() => {
  const problems = [];
  const de = document.documentElement;
  if (de.scrollHeight > innerHeight || de.scrollWidth > innerWidth)
    problems.push('the page scrolls: ' + de.scrollWidth + 'x' + de.scrollHeight + ' in ' + innerWidth + 'x' + innerHeight);
  const onScreen = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; };
  for (const sel of ['#panel-short', '#panel-long', '#panel-ws', '#panel-sse', '#chart-latency', '#lesson'])
    if (!onScreen(document.querySelector(sel))) problems.push(sel + ' is not wholly on screen');
  for (const k of ['short', 'long', 'ws', 'sse'])
    for (const f of ['version', 'latency', 'requests', 'empty', 'perUpdate'])
      if (!onScreen(document.querySelector('#panel-' + k + ' [data-f=' + f + ']'))) problems.push(k + ' ' + f + ' not on screen');
  // Contrast, WCAG 2: relative luminance of the text and of the first
  // opaque background behind it.
  const rgba = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const background = (el) => { for (; el; el = el.parentElement) { const c = rgba(getComputedStyle(el).backgroundColor); if (c.length === 3 || c[3] > 0.5) return c; } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || getComputedStyle(el).visibility === 'hidden') continue; // not shown, or for screen readers only
    const st = getComputedStyle(el);
    const label = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + n.textContent.trim().slice(0, 24) + '"';
    if (parseFloat(st.fontSize) < 20) problems.push(label + ' at ' + st.fontSize);
    let l1 = lum(rgba(st.color)), l2 = lum(background(el));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 7) problems.push(label + ' contrast ' + ratio.toFixed(1) + ':1');
    if (problems.length > 12) break;
  }
  return problems.join('; ');
})()`

// chartReachesSubMillisecond: a latency of 0.05 ms is drawn above the
// chart's floor, not clipped to it.
func chartReachesSubMillisecond(t *testing.T, ctx context.Context) {
	lo, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`import('/js/charts.js').then(m => {
		const c = new m.TimeChart(document.createElement('canvas'), { log: true, points: true, format: m.formatMs });
		c.add('ws', Date.now(), 0.05);
		c.add('ws', Date.now(), 40);
		return c.yRange()[0];
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if lo > 0.05 {
		t.Errorf("log scale starts at %v ms, above a 0.05 ms latency", lo)
	}
}

// closeCodesInChinese: with the page in Chinese, the close-code explorer
// shows the table's meanings in Chinese.
func closeCodesInChinese(t *testing.T, ctx context.Context) {
	meaning := text(t, ctx, "#cc-meaning")
	if meaning == "" || !hasHan(meaning) {
		t.Errorf("selected code's meaning in Chinese mode: %q", meaning)
	}
	for _, sel := range []string{`#cc-log tr td:nth-child(4)`, `#cc-log tr td:nth-child(5)`} {
		if got := text(t, ctx, sel); !hasHan(got) {
			t.Errorf("logged try %s in Chinese mode: %q", sel, got)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
