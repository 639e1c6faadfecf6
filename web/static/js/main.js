// The demo page: four panels, each a real client of the server it was
// loaded from (relative URLs and location.host only, so any port works),
// plus the controls, network conditions, chat, charts, handshake inspector,
// frame view, close-code explorer, projector view and lesson script.
// Everything it shows about bytes and requests comes from the server's own
// counters (GET /api/stats), read for this page's client ids.

import { t, translate, setLanguage, currentLanguage, onLanguageChange } from './i18n.js';
import { Panel } from './panel.js';
import { makeClient, clientMakers } from './clients.js';
import { TimeChart, colors, formatMs, formatRate } from './charts.js';
import { showHandshake, waitingForHandshake, rerenderHandshake } from './handshake.js';
import { loadCloseCodes, describeSelected, runTry, relabelCloseCodes, closeCodeName } from './closecodes.js';
import { loadNetem, wireNetem, applyNetem, relabelNetem } from './netem.js';
import { wireFrames, rerenderFrames } from './frames.js';
import { wireLesson, relabelLesson, lessonSawClose } from './lesson.js';
import { fmtDuration } from './format.js';

// The transports with a panel: the server's table (GET /api/transports),
// those a browser can speak, in the table's order.
let kinds = [];
const statsEvery = 1000; // ms between reads of /api/stats
const $ = (id) => document.getElementById(id);

// One random tag per page load, so two tabs (or two students) are told apart.
const pageId = `page-${Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(36).padStart(2, '0')).join('')}`;
const params = new URLSearchParams(location.search);
const settings = {
  interval: clampInt(params.get('interval'), 50, 60000, 1000), // short-poll interval, ms
  wait: clampInt(params.get('wait'), 1, 60, 25),                // long-poll wait, s
};

const latencyChart = new TimeChart($('chart-latency'), { log: true, points: true, format: formatMs });
const bytesChart = new TimeChart($('chart-bytes'), { log: false, points: false, format: formatRate });

const panels = new Map();
const clients = new Map();

function clampInt(s, lo, hi, dflt) {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : dflt;
}

function buildPanels() {
  const tpl = $('panel-template');
  for (const kind of kinds) {
    const p = new Panel(kind, `${pageId}-${kind}`, tpl, (k, ms, latency) => latencyChart.add(k, ms, latency));
    p.root.style.setProperty('--accent', colors[kind]);
    $('panels').append(p.root);
    translate(p.root);
    panels.set(kind, p);
    const c = makeClient(p, settings, kind === 'ws' ? onWSOpen : null);
    if (kind === 'ws') c.onClose = (code) => lessonSawClose(code, closeCodeName(code), p.version);
    clients.set(kind, c);
    p.pauseButton.addEventListener('click', () => setPaused(kind, !p.paused));
  }
  $('client-ids').textContent = [...panels.values()].map((p) => p.clientId).join('  ');
  describeRoutes();
}

function describeRoutes() {
  const route = {
    short: t('howShort', settings.interval),
    long: t('howLong', settings.wait),
    ws: t('howWS'),
    sse: t('howSSE'),
  };
  for (const [kind, p] of panels) p.root.querySelector('.route').textContent = route[kind];
}

function setPaused(kind, paused) {
  const p = panels.get(kind);
  if (p.paused === paused) return;
  p.paused = paused;
  if (paused) {
    clients.get(kind).stop();
    p.markStopped();
    p.setStatus('paused', 'stPaused');
  } else {
    clients.get(kind).start();
  }
  p.dirty = true;
}

// reconnectAll restarts every running client, the way it now must go
// (straight, or through the conditions proxy), and starts the latency
// figures afresh: they are to show the new conditions only.
function reconnectAll() {
  for (const [kind, p] of panels) {
    p.resetLatency();
    if (!p.paused) {
      clients.get(kind).stop();
      p.markStopped();
      clients.get(kind).start();
    }
  }
}

function onWSOpen() {
  showHandshake(panels.get('ws').clientId).catch((err) => { $('hs-request').textContent = err.message; });
}

// Render panels at most once a frame, however fast updates arrive.
function renderLoop() {
  for (const p of panels.values()) if (p.dirty) p.render();
  requestAnimationFrame(renderLoop);
}

// pollStats reads the server's counters once a second: the panels' figures,
// and each panel's bytes per second for the chart (difference of two server
// counts over the time between the reads).
let prevStats = null;
async function pollStats() {
  try {
    const res = await fetch('/api/stats', { cache: 'no-store' });
    if (res.ok) {
      const s = await res.json();
      const now = Date.now();
      $('server-version').textContent = String(s.version);
      $('server-uptime').textContent = fmtDuration(s.uptime_s);
      for (const [kind, p] of panels) {
        const c = s.clients ? s.clients[p.clientId] : undefined;
        p.setStats(c);
        const prev = prevStats && prevStats.clients[p.clientId];
        if (c && prev) {
          const dt = (now - prevStats.at) / 1000;
          const bytes = c.bytes_in + c.bytes_out - (prev.bytes_in + prev.bytes_out);
          if (dt > 0) bytesChart.add(kind, now, Math.max(0, bytes / dt));
        }
      }
      prevStats = { at: now, clients: s.clients || {} };
    }
  } catch { /* the server may be restarting; try again next second */ }
  setTimeout(pollStats, statsEvery);
}

function drawCharts() {
  const now = Date.now();
  latencyChart.draw(now);
  bytesChart.draw(now);
}

function renderLegend() {
  $('chart-legend').replaceChildren(...kinds.map((k) => {
    const s = document.createElement('span');
    s.innerHTML = '<i></i>';
    s.firstChild.style.background = colors[k];
    s.append(t(k));
    return s;
  }));
}

// --- controls ------------------------------------------------------------

async function loadConfig() {
  try {
    const res = await fetch('/api/config', { cache: 'no-store' });
    if (!res.ok) return;
    const c = await res.json();
    $('cfg-rate').value = c.rate;
    $('cfg-payload').value = c.payload;
  } catch { /* leave the defaults shown */ }
}

async function applyConfig(ev) {
  ev.preventDefault();
  await postConfig({ rate: Number($('cfg-rate').value), payload: Number($('cfg-payload').value) });
}

// setRate changes only the generator's rate (the lesson's steps).
function setRate(rate) {
  return postConfig({ rate, payload: Number($('cfg-payload').value) });
}

async function postConfig(body) {
  const status = $('cfg-status');
  try {
    const res = await fetch('/api/config', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const reply = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(reply.error || `HTTP ${res.status}`);
    $('cfg-rate').value = reply.rate;
    $('cfg-payload').value = reply.payload;
    status.textContent = t('cfgSaved', reply.rate, reply.payload);
    status.className = 'note ok';
  } catch (err) {
    status.textContent = t('cfgFailed', err.message);
    status.className = 'note bad';
  }
}

function wireClientControls() {
  $('poll-interval').value = settings.interval;
  $('poll-wait').value = settings.wait;
  // A new interval or wait takes effect at once: the poller restarts rather
  // than finishing a sleep (or a held request) of the old length.
  const restart = (kind) => { if (!panels.get(kind).paused) clients.get(kind).start(); };
  $('poll-interval').addEventListener('change', () => {
    settings.interval = clampInt($('poll-interval').value, 50, 60000, 1000);
    $('poll-interval').value = settings.interval;
    describeRoutes();
    restart('short');
  });
  $('poll-wait').addEventListener('change', () => {
    settings.wait = clampInt($('poll-wait').value, 1, 60, 25);
    $('poll-wait').value = settings.wait;
    describeRoutes();
    restart('long');
  });
  $('pause-all').addEventListener('click', () => kinds.forEach((k) => setPaused(k, true)));
  $('resume-all').addEventListener('click', () => kinds.forEach((k) => setPaused(k, false)));
  $('config-form').addEventListener('submit', applyConfig);
}

// --- chat ----------------------------------------------------------------

async function sendChat(ev) {
  ev.preventDefault();
  const input = $('chat-text');
  const text = input.value.trim();
  if (!text) return;
  const via = $('chat-via').value;
  const status = $('chat-status');
  status.className = 'note';
  if (via === 'ws') {
    // On the WS panel's own connection: the message goes up the same socket
    // the updates come down.
    if (!clients.get('ws').send({ type: 'publish', data: { text, via: 'ws' } })) {
      status.textContent = t('chatWSClosed');
      status.className = 'note bad';
      return;
    }
    status.textContent = t('chatSentWS');
  } else {
    try {
      const res = await fetch(`/api/publish?client=${encodeURIComponent(`${pageId}-chat`)}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'chat', data: { text, via: 'post' } }),
      });
      const reply = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(reply.error || `HTTP ${res.status}`);
      status.textContent = t('chatSent', reply.v);
    } catch (err) {
      status.textContent = err.message;
      status.className = 'note bad';
      return;
    }
  }
  input.value = '';
}

// --- close codes -----------------------------------------------------------

function latestVersion() {
  return Math.max(...[...panels.values()].map((p) => p.version));
}

function wireCloseCodes() {
  loadCloseCodes().catch((err) => { $('cc-how').textContent = err.message; });
  $('cc-code').addEventListener('change', describeSelected);
  const buttons = [$('cc-try'), $('cc-all')];
  const run = async (codes) => {
    buttons.forEach((b) => { b.disabled = true; });
    try {
      for (const code of codes) await runTry(code, `${pageId}-close`, latestVersion());
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  $('cc-try').addEventListener('click', () => run([Number($('cc-code').value)]));
  $('cc-all').addEventListener('click', () => run([...$('cc-code').options].map((o) => Number(o.value))));
}

// --- projector ---------------------------------------------------------------

// setProjector switches the view for a classroom projector: the panels, the
// key counters and the latency chart, in large type, on one 1920×1080
// screen. ?view=projector opens the page that way.
function setProjector(on) {
  document.body.classList.toggle('projector', on);
  $('projector-toggle').setAttribute('aria-pressed', String(on));
  const url = new URL(location.href);
  if (on) url.searchParams.set('view', 'projector');
  else url.searchParams.delete('view');
  history.replaceState(null, '', url);
  requestAnimationFrame(drawCharts);
}

// --- start -----------------------------------------------------------------

function relabel() {
  $('lang-toggle').textContent = currentLanguage() === 'zh' ? 'English' : '中文';
  describeRoutes();
  renderLegend();
  describeSelected();
  relabelCloseCodes();
  rerenderHandshake();
  rerenderFrames();
  relabelNetem();
  relabelLesson();
  for (const p of panels.values()) {
    p.dirty = true;
  }
}

async function loadTransports() {
  const res = await fetch('/api/transports', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /api/transports: HTTP ${res.status}`);
  const table = await res.json();
  kinds = table.filter((tr) => tr.browser && clientMakers[tr.name]).map((tr) => tr.name);
}

async function start() {
  $('server-host').textContent = location.host;
  setProjector(params.get('view') === 'projector');
  $('projector-toggle').addEventListener('click', () => setProjector(!document.body.classList.contains('projector')));
  await loadTransports();
  buildPanels();
  setLanguage(currentLanguage());
  onLanguageChange(relabel);
  $('lang-toggle').addEventListener('click', () => setLanguage(currentLanguage() === 'zh' ? 'en' : 'zh'));
  wireClientControls();
  $('chat-form').addEventListener('submit', sendChat);
  wireCloseCodes();
  waitingForHandshake();
  $('hs-refresh').addEventListener('click', onWSOpen);
  const ws = clients.get('ws');
  wireFrames(panels.get('ws').clientId, () => ws.send({ type: 'close', code: 1001, reason: 'closed from the frame view' }));
  wireLesson({
    setRate,
    setNet: applyNetem,
    kill: (code, reason) => ws.send({ type: 'close', code, reason }),
  });
  // What the server has in force, before any client starts: the panels
  // connect the right way from the first request.
  await Promise.all([loadConfig(), loadNetem().catch(() => {})]);
  wireNetem(reconnectAll);
  relabel();

  for (const c of clients.values()) c.start();
  requestAnimationFrame(renderLoop);
  pollStats();
  setInterval(drawCharts, 500);
  window.addEventListener('resize', drawCharts);
  document.documentElement.dataset.ready = 'true'; // for tests: everything is wired
}

start();
