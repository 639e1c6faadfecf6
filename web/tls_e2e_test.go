package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/transport"
)

// The demo page over HTTPS in Chromium: the four panels follow the state,
// the HTTP transports ride HTTP/2, and the browser opens its WebSocket on
// HTTP/1.1 (the server does not offer WebSocket over HTTP/2).
func TestDemoPageOverTLS(t *testing.T) {
	path := chromiumPath(t)
	s := servertest.StartTLS(t, server.Config{Rate: 0, Payload: 128})
	_, spki, err := server.Fingerprints(s.Certificate())
	if err != nil {
		t.Fatal(err)
	}
	gen := s.Server.Generator()
	gen.Tick()

	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	ctx = startBrowserTrusting(t, ctx, path, spki)
	do(t, ctx, "load the page over https", chromedp.Navigate(s.URL+"/?interval=250"))
	waitPanels(t, ctx)
	waitAllAtVersion(t, ctx, s.Store.Latest())
	gen.Tick()
	waitAllAtVersion(t, ctx, s.Store.Latest())

	stats := s.Stats().Snapshot(false)
	want := map[string]string{transport.Short: server.ProtoH2, transport.Long: server.ProtoH2,
		transport.SSE: server.ProtoH2, transport.WS: server.ProtoHTTP11}
	for tr, proto := range want {
		c := stats.Transports[tr]
		if c.Requests == 0 || c.Protocols[proto] != c.Requests || c.TLSRequests != c.Requests {
			t.Errorf("%s: %d requests, by protocol %v, %d over TLS; want all %s over TLS",
				tr, c.Requests, c.Protocols, c.TLSRequests, proto)
		}
	}
}

// startBrowserTrusting is startBrowser with one more flag: the browser
// trusts the certificate whose public key has this SHA-256, and no other.
func startBrowserTrusting(t *testing.T, ctx context.Context, path, spkiSHA256 string) context.Context {
	return startBrowser(t, ctx, path, chromedp.Flag("ignore-certificate-errors-spki-list", spkiSHA256))
}
