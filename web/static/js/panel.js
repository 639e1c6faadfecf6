// A panel is what one transport's client holds and shows: the live prices,
// the version it holds, the latency of its last update, the chat lines, and
// the figures the server counted for its client id. The client (clients.js)
// feeds it updates; the stats poller (stats.js) feeds it server counts.

import { t } from './i18n.js';
import { fmtBytes, fmtCount, fmtMs, nowMs } from './format.js';

const maxChatLines = 4;
export const latencyWindow = 10_000; // ms of latencies the panel's figures cover
const maxSamples = 2000;             // newest kept when updates come faster

// quantile of sorted values, nearest rank.
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export class Panel {
  // kind is short|long|ws|sse; clientId names this panel to the server.
  constructor(kind, clientId, template, onLatency) {
    this.kind = kind;
    this.clientId = clientId;
    this.onLatency = onLatency;
    this.version = 0;      // version held; 0 = nothing yet
    this.prices = null;    // {name: price}
    this.prevPrices = {};
    this.chats = [];       // [{v, data}], oldest first
    this.latency = null;   // ms, last live update
    this.samples = [];     // [[received ms, latency ms]], the last latencyWindow
    this.sent = 0;         // requests (or connections) this page's client made
    this.answered = 0;     // of those, answered (or opened)
    this.received = 0;     // updates received, duplicates included
    this.lastClose = null; // {code, reason} of the WS panel's last close
    this.liveSince = Infinity; // ms; updates published before this are catch-up, not latency
    this.stats = null;     // clients[clientId] from /api/stats
    this.state = 'connecting';
    this.status = ['stConnecting']; // i18n key and args, translated at render
    this.paused = false;
    this.dirty = true;

    this.root = template.content.firstElementChild.cloneNode(true);
    this.root.id = `panel-${kind}`;
    this.root.dataset.kind = kind;
    this.root.dataset.client = clientId;
    this.fields = {};
    for (const el of this.root.querySelectorAll('[data-f]')) this.fields[el.dataset.f] = el;
    this.pauseButton = this.root.querySelector('.pause');
    this.priceRows = new Map();
  }

  // markLive records that from now on the client is listening, so that
  // updates published from now on count for latency.
  markLive() {
    if (this.liveSince === Infinity) this.liveSince = nowMs();
  }

  markStopped() { this.liveSince = Infinity; }

  // count notes what the page's own client did ('sent', 'answered') and
  // renders it with the next frame, so that the page's figures beside the
  // server's are never more than a frame behind.
  count(what) {
    this[what]++;
    this.dirty = true;
  }

  // resetLatency starts the latency figures afresh (new network conditions).
  resetLatency() {
    this.samples = [];
    this.latency = null;
    this.dirty = true;
  }

  // latencyFigures are the median, 90th percentile and worst of the last
  // latencyWindow, and how many updates they cover.
  latencyFigures(now = nowMs()) {
    while (this.samples.length && this.samples[0][0] < now - latencyWindow) this.samples.shift();
    const v = this.samples.map((s) => s[1]).sort((a, b) => a - b);
    if (!v.length) return { n: 0, p50: null, p90: null, max: null };
    return { n: v.length, p50: quantile(v, 0.5), p90: quantile(v, 0.9), max: v[v.length - 1] };
  }

  // receive applies updates in order. A snapshot replaces what the panel held;
  // an update it already holds (a reconnect overlap) is ignored.
  receive(updates) {
    const now = nowMs();
    this.received += updates.length;
    for (const u of updates) {
      if (u.kind === 'snapshot') {
        this.applySnapshot(u);
        continue;
      }
      if (u.v <= this.version) continue;
      this.version = u.v;
      if (u.kind === 'tick' && u.data && u.data.prices) this.setPrices(u.data.prices);
      if (u.kind === 'chat') this.addChat(u.v, u.data);
      const published = u.t / 1e6; // ns -> ms; same host, same clock
      if (published >= this.liveSince - 1) {
        this.latency = now - published;
        this.samples.push([now, this.latency]);
        if (this.samples.length > maxSamples) this.samples.shift();
        this.onLatency(this.kind, now, this.latency);
      }
    }
    this.dirty = true;
  }

  applySnapshot(u) {
    this.version = u.v;
    const d = u.data || {};
    if (d.tick && d.tick.prices) this.setPrices(d.tick.prices);
    this.chats = (d.chat || []).slice(-maxChatLines).map((data) => ({ v: null, data }));
  }

  setPrices(prices) {
    if (this.prices) this.prevPrices = this.prices;
    this.prices = prices;
  }

  addChat(v, data) {
    this.chats.push({ v, data });
    if (this.chats.length > maxChatLines) this.chats.shift();
  }

  setStats(c) {
    this.stats = c || null;
    this.dirty = true;
  }

  // setStatus: state is live|paused|error|connecting (the dot's colour);
  // the text is an i18n key and its arguments, so a language switch
  // re-translates it.
  setStatus(state, key, ...args) {
    const status = [key, ...args];
    if (this.state === state && String(this.status) === String(status)) return;
    this.state = state;
    this.status = status;
    this.dirty = true;
  }

  render() {
    this.dirty = false;
    const f = this.fields;
    this.root.dataset.state = this.state;
    this.root.querySelector('.panel-title').textContent = t(this.kind);
    this.pauseButton.textContent = this.paused ? t('resume') : t('pause');
    f.version.textContent = this.version ? String(this.version) : '–';
    const l = this.latencyFigures();
    f.latency.textContent = fmtMs(l.p50);
    if (l.n) {
      const count = Object.assign(document.createElement('span'), { className: 'secondary', textContent: t('latencyCount', l.n) });
      f.latencyMore.replaceChildren(t('latencyMore', fmtMs(l.p90), fmtMs(l.max)), count);
    } else {
      f.latencyMore.textContent = t('latencyNone');
    }
    // What the page itself counted, for comparison with the server's figures.
    Object.assign(this.root.dataset, {
      p50: l.p50 ?? '', p90: l.p90 ?? '', max: l.max ?? '', samples: l.n,
      sent: this.sent, answered: this.answered, received: this.received,
    });
    f.status.textContent = t(...this.status);
    this.renderPrices();
    this.renderStats();
    this.renderChat();
  }

  renderPrices() {
    if (!this.prices) return;
    const body = this.fields.prices;
    for (const [name, price] of Object.entries(this.prices)) {
      let row = this.priceRows.get(name);
      if (!row) {
        row = body.insertRow();
        row.insertCell().textContent = name;
        row.insertCell().className = 'num';
        row.insertCell().className = 'move';
        this.priceRows.set(name, row);
      }
      const prev = this.prevPrices[name];
      row.cells[1].textContent = Number(price).toFixed(2);
      const dir = prev == null || prev === price ? '' : price > prev ? 'up' : 'down';
      row.cells[2].textContent = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '';
      row.className = dir;
    }
  }

  renderStats() {
    const f = this.fields;
    const c = this.stats;
    if (!c) {
      for (const k of ['requests', 'empty', 'deliveries', 'bytesIn', 'bytesOut', 'perUpdate']) f[k].textContent = '–';
      f.sent.textContent = fmtCount(this.sent);
      return;
    }
    f.requests.textContent = fmtCount(c.requests);
    f.sent.textContent = fmtCount(this.sent);
    f.empty.textContent = fmtCount(c.empty);
    f.deliveries.textContent = fmtCount(c.deliveries);
    f.bytesIn.textContent = fmtBytes(c.bytes_in);
    f.bytesIn.title = `${c.bytes_in} B`;
    f.bytesOut.textContent = fmtBytes(c.bytes_out);
    f.bytesOut.title = `${c.bytes_out} B`;
    // A ratio of two server counts: wire bytes per update the server delivered.
    f.perUpdate.textContent = c.deliveries > 0 ? fmtBytes((c.bytes_in + c.bytes_out) / c.deliveries) : '–';
  }

  renderChat() {
    const list = this.fields.chat;
    list.replaceChildren();
    if (this.chats.length === 0) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = t('noChat');
      list.append(li);
      return;
    }
    for (const c of [...this.chats].reverse()) {
      const li = document.createElement('li');
      const text = c.data && typeof c.data.text === 'string' ? c.data.text : JSON.stringify(c.data);
      if (c.v != null) {
        const v = document.createElement('span');
        v.className = 'v';
        v.textContent = `v${c.v}`;
        li.append(v);
      }
      const msg = document.createElement('span');
      msg.className = 'text';
      msg.textContent = text;
      li.append(msg);
      if (c.data && c.data.via) {
        const via = document.createElement('span');
        via.className = 'via';
        via.textContent = c.data.via;
        li.append(via);
      }
      list.append(li);
    }
  }
}
