package web_test

// The browser profile, proven against the browser: the demo page runs in
// headless Chromium against a server that keeps the bytes it reads, and a
// Go client applying bench/profile's data must cost the server's own wire
// accounting what Chromium's requests cost it. With -update the test
// records the data again from this Chromium.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/pushlab/pushlab/bench/profile"
	"github.com/pushlab/pushlab/push"
	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

var updateProfile = flag.Bool("update", false,
	"rewrite bench/profile/chromium.json from the Chromium TestChromiumProfile drives")

const (
	// profileFile is the data bench/profile embeds, from this package's folder.
	profileFile = "../bench/profile/chromium.json"
	// profileTolerance is how far a Go client applying the profile may be
	// from Chromium, in bytes the server counted per request.
	profileTolerance = 0.05
	// shortPollsWanted is how many short polls Chromium must have sent
	// before the recording ends (one a second, the page's default).
	shortPollsWanted = 3
)

func TestChromiumProfile(t *testing.T) {
	chromium := chromiumPath(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	capture := &captureListener{Listener: ln}
	s := servertest.StartOn(t, server.Config{Rate: 0, Payload: 256}, capture)
	gen := s.Server.Generator()
	for range 3 {
		gen.Tick()
	}

	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	ctx = startBrowser(t, ctx, chromium)
	// The page at its plain address, as a visitor opens it: every request's
	// Referer is then the origin and "/".
	do(t, ctx, "load the page", chromedp.Navigate(s.URL+"/"))
	version, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	waitPanels(t, ctx)
	waitAllAtVersion(t, ctx, s.Store.Latest())
	gen.Tick() // answers the held long poll, so that the page sends another
	waitAllAtVersion(t, ctx, s.Store.Latest())
	ids := map[string]string{}
	for _, k := range kinds {
		ids[k] = attr(t, ctx, "#panel-"+k, "data-client")
	}
	waitFor(t, ctx, fmt.Sprintf("%d short polls", shortPollsWanted), fmt.Sprintf(
		`Number(document.querySelector('#panel-short [data-f=requests]').textContent.replace(/,/g, '')) >= %d`,
		shortPollsWanted))
	before := s.Store.Latest()
	do(t, ctx, "send a chat line over HTTP",
		chromedp.SetValue(chromedp.CSS("#chat-via"), "post"),
		chromedp.SetValue(chromedp.CSS("#chat-text"), "what does a browser send?"),
		chromedp.Click(chromedp.CSS("#chat-form button[type=submit]")),
	)
	for deadline := time.Now().Add(stepTimeout); s.Store.Latest() == before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the page's chat POST never reached the server")
		}
	}
	waitAllAtVersion(t, ctx, s.Store.Latest())

	// What Chromium sent, per kind, from the page's own clients.
	seen := map[string][]rawRequest{}
	chatID := ""
	for _, r := range capture.requests() {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URI, "/api/publish?") {
			seen[profile.Publish] = append(seen[profile.Publish], r)
			chatID = clientOf(r.URI)
			continue
		}
		for k, id := range ids {
			if clientOf(r.URI) == id {
				seen[k] = append(seen[k], r)
			}
		}
	}
	ids[profile.Publish] = chatID
	recorded := &profile.Profile{
		Name: "chromium", Product: version.Product, Recorded: time.Now().UTC().Format(time.DateOnly),
		Refresh: "go test ./web -run TestChromiumProfile -update", Origin: s.URL, Page: "/",
		Requests: map[string]profile.Request{},
	}
	for _, k := range profile.Kinds() {
		if len(seen[k]) == 0 {
			t.Fatalf("Chromium sent no %s request that the server read", k)
		}
		r, err := profile.ParseHead(k, seen[k][0].Head)
		if err != nil {
			t.Fatal(err)
		}
		recorded.Requests[k] = r
		// Every request of a kind carries the same fields, or the profile
		// would have to say which one it copies.
		for _, later := range seen[k][1:] {
			lr, _ := profile.ParseHead(k, later.Head)
			if !slices.Equal(fieldNames(lr), fieldNames(r)) {
				t.Errorf("%s: Chromium's requests differ: %v then %v", k, fieldNames(r), fieldNames(lr))
			}
		}
	}
	if *updateProfile {
		b, err := recorded.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(profileFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s from %s", profileFile, version.Product)
	}
	data, err := os.ReadFile(profileFile)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := profile.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", profileFile, err)
	}
	if stored.Product != version.Product {
		t.Logf("the profile comes from %s, this Chromium is %s", stored.Product, version.Product)
	}

	t.Run("the stored profile has Chromium's fields in Chromium's order", func(t *testing.T) {
		for _, k := range profile.Kinds() {
			want, err := stored.Request(k)
			if err != nil {
				t.Fatal(err)
			}
			if got := recorded.Requests[k]; !slices.Equal(fieldNames(got), fieldNames(want)) {
				t.Errorf("%s: Chromium sends %v, the profile has %v; refresh it with %s",
					k, fieldNames(got), fieldNames(want), stored.Refresh)
			}
		}
	})

	t.Run("a Go client applying the profile costs the server what Chromium does", func(t *testing.T) {
		goBytes := replayWithProfile(t, s, stored, seen, ids)
		stats := s.Stats().Snapshot(true)
		for _, k := range profile.Kinds() {
			c := stats.Clients[ids[k]]
			if c.Requests == 0 {
				t.Fatalf("%s: the server counted no request for Chromium's %s", k, ids[k])
			}
			chromiumPer := float64(c.BytesIn) / float64(c.Requests)
			goPer := goBytes[k]
			diff := (goPer - chromiumPer) / chromiumPer
			t.Logf("%-7s Chromium %6.1f B per request (%d requests), Go with the profile %6.1f B: %+.2f%%",
				k, chromiumPer, c.Requests, goPer, 100*diff)
			if diff > profileTolerance || diff < -profileTolerance {
				t.Errorf("%s: Go with the profile sends %.1f B per request, Chromium %.1f B: more than %.0f%% apart",
					k, goPer, chromiumPer, 100*profileTolerance)
			}
		}
	})

	t.Run("Go writes Chromium's fields and sizes, in its own order", func(t *testing.T) {
		replays := map[string]rawRequest{}
		for _, r := range capture.requests() {
			for k, id := range ids {
				if clientOf(r.URI) == replayID(id) {
					replays[k] = r
				}
			}
		}
		for _, k := range profile.Kinds() {
			g, ok := replays[k]
			if !ok {
				t.Fatalf("%s: the replay's request was not read", k)
			}
			goReq, _ := profile.ParseHead(k, g.Head)
			chReq := recorded.Requests[k]
			if got, want := sizesByName(goReq), sizesByName(chReq); !maps.Equal(got, want) {
				t.Errorf("%s: Go sent fields %v, Chromium %v (name: value bytes)", k, got, want)
			}
			t.Logf("%-7s Chromium's order: %s", k, strings.Join(fieldNames(chReq), ", "))
			t.Logf("%-7s Go's order:       %s", k, strings.Join(fieldNames(goReq), ", "))
		}
	})
}

// replayWithProfile sends, for each kind, the requests Chromium sent (same
// URIs, the client id swapped for one of the same length) from Go clients
// applying the profile, and returns the server's count of bytes read per
// request for each.
func replayWithProfile(t *testing.T, s *servertest.Server, p *profile.Profile, seen map[string][]rawRequest, ids map[string]string) map[string]float64 {
	t.Helper()
	base, _ := url.Parse(s.URL)
	hc := func() *http.Client { return &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second} }
	do := func(c *http.Client, kind string, r rawRequest) *http.Response {
		t.Helper()
		uri := strings.Replace(r.URI, ids[kind], replayID(ids[kind]), 1)
		if kind == transport.Long {
			uri = behind(uri) // answered at once rather than held
		}
		req, err := http.NewRequest(r.Method, base.String()+uri, bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Apply(req, kind, profile.Options{}); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s replay: %v", kind, err)
		}
		return resp
	}
	for _, k := range []string{transport.Short, transport.Long, profile.Publish} {
		c := hc()
		for _, r := range seen[k] {
			resp := do(c, k, r)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 300 {
				t.Fatalf("%s replay of %s: %s", k, r.URI, resp.Status)
			}
		}
		c.CloseIdleConnections()
	}
	sse := do(hc(), transport.SSE, seen[transport.SSE][0])
	defer sse.Body.Close()

	wsTarget := *base
	wsTarget.Scheme = "ws"
	hdr, err := p.WebSocketHeader(&wsTarget, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	uri := strings.Replace(seen[transport.WS][0].URI, ids[transport.WS], replayID(ids[transport.WS]), 1)
	d := websocket.Dialer{Subprotocols: []string{push.SubprotocolJSON}, HandshakeTimeout: 5 * time.Second}
	ws, _, err := d.Dial("ws://"+base.Host+uri, hdr)
	if err != nil {
		t.Fatalf("ws replay: %v", err)
	}
	defer ws.Close()

	out := map[string]float64{}
	deadline := time.Now().Add(5 * time.Second)
	for _, k := range profile.Kinds() {
		for {
			c := s.Stats().Snapshot(true).Clients[replayID(ids[k])]
			if c.Requests > 0 && c.BytesIn > 0 {
				out[k] = float64(c.BytesIn) / float64(c.Requests)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the server counted nothing for the replay", k)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return out
}

var clientParam = regexp.MustCompile(`[?&]client=([^&]+)`)

// clientOf is the ?client= of a request URI.
func clientOf(uri string) string {
	if m := clientParam.FindStringSubmatch(uri); m != nil {
		return m[1]
	}
	return ""
}

// replayID is a client id of the same length as id, and not id.
func replayID(id string) string {
	if strings.HasPrefix(id, "g") {
		return "h" + id[1:]
	}
	return "g" + id[1:]
}

var sinceParam = regexp.MustCompile(`since=(\d+)`)

// behind puts in place of since=V a version of as many digits that is no
// later than V (1, 10, 100...), so that a long poll is answered at once by
// a lab that has moved past it, and the request is as long as the original.
func behind(uri string) string {
	return sinceParam.ReplaceAllStringFunc(uri, func(m string) string {
		return "since=1" + strings.Repeat("0", len(m)-len("since=1"))
	})
}

func fieldNames(r profile.Request) []string {
	names := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		names[i] = f.Name
	}
	return names
}

// sizesByName is each field's name, as spelt, and its value's size.
func sizesByName(r profile.Request) map[string]int {
	m := map[string]int{}
	for _, f := range r.Fields {
		m[f.Name] = len(f.Value)
	}
	return m
}

// waitPanels waits until the page has built a panel for every transport
// (it builds them from /api/transports once loaded).
func waitPanels(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "the panels", fmt.Sprintf(`%q.split(' ').every(k => document.querySelector('#panel-' + k + ' [data-f=version]'))`,
		strings.Join(kinds, " ")))
}
