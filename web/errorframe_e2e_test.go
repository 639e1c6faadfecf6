package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pushlab/pushlab/server"
	"github.com/pushlab/pushlab/server/servertest"
	"github.com/pushlab/pushlab/state/broker/brokertest"
)

// waitHealth waits until the lab's /healthz answers want.
func waitHealth(t *testing.T, base string, want int) {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer %d within %s", want, stepTimeout)
		}
	}
}

// While the lab's broker is away, a chat sent over the WebSocket panel's
// own connection is answered with an error frame: the page shows it in the
// panel's status, takes it for no update, and keeps the socket. Once the
// broker is back the next chat goes through and the panel is live again.
func TestPageShowsTheWebSocketErrorFrame(t *testing.T) {
	browser := chromiumPath(t)
	b := brokertest.Start(t)
	s := servertest.Start(t, server.Config{Broker: b.URL()})

	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	ctx = startBrowser(t, ctx, browser)
	exceptions := collectExceptions(ctx)
	do(t, ctx, "load the page", chromedp.Navigate(s.URL+"/?lang=en"))
	waitFor(t, ctx, "the WS panel live", `document.querySelector('#panel-ws')?.dataset.state === 'live'`)
	wsID := attr(t, ctx, "#panel-ws", "data-client")
	chat := func(line string) {
		do(t, ctx, "send chat over the WebSocket",
			chromedp.SetValue(chromedp.CSS("#chat-via"), "ws"),
			chromedp.SetValue(chromedp.CSS("#chat-text"), line),
			chromedp.Click(chromedp.CSS("#chat-form button[type=submit]")),
		)
	}

	b.Stop()
	waitHealth(t, s.URL, http.StatusServiceUnavailable)
	version := text(t, ctx, "#panel-ws [data-f=version]")
	dials := clientRequests(t, s.URL, wsID)
	chat("while the broker is away")
	waitFor(t, ctx, "the error frame in the WS panel's status",
		`document.querySelector('#panel-ws').dataset.state === 'error' &&
		 document.querySelector('#panel-ws [data-f=status]').textContent.includes('broker unreachable')`)
	if got := text(t, ctx, "#panel-ws [data-f=version]"); got != version {
		t.Errorf("the WS panel went from version %s to %s on an error frame", version, got)
	}
	if got := clientRequests(t, s.URL, wsID); got != dials {
		t.Errorf("the WS panel opened %d new connections: the error frame must leave the socket open", got-dials)
	}

	b.Restart()
	waitHealth(t, s.URL, http.StatusOK)
	chat("the broker is back")
	waitFor(t, ctx, "the chat line, and the panel live again",
		`document.querySelector('#panel-ws').dataset.state === 'live' &&
		 document.querySelector('#panel-ws .chat-lines').textContent.includes('the broker is back')`)
	if errs := exceptions(); len(errs) > 0 {
		t.Errorf("page exceptions: %v", errs)
	}
}
