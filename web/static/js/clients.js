// The four real clients, one per panel. Each speaks its transport exactly as
// the server's contract says, names itself with ?client=ID so the server can
// count its bytes, and resumes from the version its panel holds. They reach
// the lab directly or through its network-conditions proxy (route.js).
//
// Every client has start() and stop(). Each start gets its own
// AbortController or socket, and handlers check that theirs is still the
// current one, so pause/resume can never leave two loops running for one panel.
//
// Each also counts what it did itself (panel.sent, panel.answered,
// panel.received), so the page can show that the server's counts agree.

import { httpURL, wsURL } from './route.js';

const retryDelay = 1000; // ms before a client tries again after an error

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const id = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(id); resolve(); }, { once: true });
  });
}

// Poller is short polling (wait = 0) or long polling (wait > 0): one HTTP
// request at a time, since = the version the panel holds.
class Poller {
  constructor(panel, settings, long) {
    this.panel = panel;
    this.settings = settings; // {interval: ms, wait: s}, read on every round
    this.long = long;
    this.abort = null;
  }

  start() {
    this.stop();
    this.abort = new AbortController();
    this.loop(this.abort.signal);
  }

  stop() {
    if (this.abort) this.abort.abort();
    this.abort = null;
  }

  async loop(signal) {
    const p = this.panel;
    p.markLive();
    while (!signal.aborted) {
      let url = `/api/poll?since=${p.version}&client=${encodeURIComponent(p.clientId)}`;
      if (this.long) url += `&wait=${this.settings.wait}s`;
      if (this.long) p.setStatus('live', 'stWaiting');
      else p.setStatus('live', 'stPolling', this.settings.interval);
      try {
        p.count('sent');
        const res = await fetch(httpURL(url), { cache: 'no-store', signal });
        p.count('answered');
        if (res.status === 200) {
          const body = await res.json();
          p.receive(body.updates || []);
        } else if (res.status !== 204) {
          throw new Error(`HTTP ${res.status} ${await res.text()}`);
        }
      } catch (err) {
        if (signal.aborted) return;
        p.setStatus('error', 'stError', err.message);
        await sleep(retryDelay, signal);
        continue;
      }
      if (!this.long) await sleep(this.settings.interval, signal);
    }
  }
}

// WSClient keeps one WebSocket open under subprotocol pushlab.v1; each text
// frame is one update. It reconnects with since after any close it did not
// ask for. It asks the server to keep its wire (inspect=1) for the
// handshake inspector and the frame view.
class WSClient {
  constructor(panel, onOpen) {
    this.panel = panel;
    this.onOpen = onOpen;
    this.onClose = null; // (code, reason) after a close it did not ask for
    this.ws = null;
    this.running = false;
    this.timer = null;
  }

  start() {
    this.running = true;
    this.connect();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, 'paused');
    this.ws = null;
  }

  connect() {
    const p = this.panel;
    const since = p.version ? `since=${p.version}&` : '';
    const ws = new WebSocket(wsURL(`/ws?${since}client=${encodeURIComponent(p.clientId)}&inspect=1`), ['pushlab.v1']);
    this.ws = ws;
    p.count('sent');
    p.setStatus('connecting', 'stConnecting');
    ws.onopen = () => {
      p.count('answered');
      p.markLive();
      p.setStatus('live', 'stLive');
      if (this.onOpen) this.onOpen();
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      // The one message that is not an update: the server could not take a
      // publish (its broker is away); the socket stays open.
      if (msg.type === 'error') {
        p.setStatus('error', 'stError', msg.error);
        return;
      }
      p.setStatus('live', 'stLive');
      p.receive([msg]);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return; // an old socket, already replaced or stopped
      this.ws = null;
      if (!this.running) return;
      p.lastClose = { code: ev.code, reason: ev.reason };
      p.setStatus('error', 'stClosed', ev.code, ev.reason, p.version);
      if (this.onClose) this.onClose(ev.code, ev.reason);
      this.timer = setTimeout(() => this.running && this.connect(), retryDelay);
    };
  }

  // send writes one message on the panel's own connection; false if closed.
  send(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }
}

// SSEClient is one EventSource. On a network error the browser reconnects by
// itself after the server's retry: 1000 and sends Last-Event-ID, which is the
// point of SSE; the page only reopens it after a pause.
class SSEClient {
  constructor(panel) {
    this.panel = panel;
    this.es = null;
  }

  start() {
    this.stop();
    const p = this.panel;
    const since = p.version ? `since=${p.version}&` : '';
    const es = new EventSource(httpURL(`/sse?${since}client=${encodeURIComponent(p.clientId)}`));
    this.es = es;
    p.count('sent');
    p.setStatus('connecting', 'stConnecting');
    es.onopen = () => {
      p.count('answered');
      p.markLive();
      p.setStatus('live', 'stLive');
    };
    es.onmessage = (ev) => p.receive([JSON.parse(ev.data)]);
    es.onerror = () => {
      if (this.es !== es) return;
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. an HTTP error status): reopen ourselves.
        p.setStatus('error', 'stError', 'EventSource closed');
        setTimeout(() => this.es === es && this.start(), retryDelay);
      } else {
        p.count('sent'); // the browser sends a new request by itself
        p.setStatus('connecting', 'stReconnecting');
      }
    };
  }

  stop() {
    if (this.es) this.es.close();
    this.es = null;
  }
}

// clientMakers has one entry per transport of the server's table that a
// browser can speak (GET /api/transports, "browser": true); a Go test keeps
// the two in step.
export const clientMakers = {
  short: (panel, settings) => new Poller(panel, settings, false),
  long: (panel, settings) => new Poller(panel, settings, true),
  ws: (panel, settings, onWSOpen) => new WSClient(panel, onWSOpen),
  sse: (panel) => new SSEClient(panel),
};

// makeClient returns the client for a panel's transport.
export function makeClient(panel, settings, onWSOpen) {
  const make = clientMakers[panel.kind];
  if (!make) throw new Error(`this page has no client for transport ${panel.kind}`);
  return make(panel, settings, onWSOpen);
}
