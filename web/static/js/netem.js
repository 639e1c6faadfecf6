// Network conditions: the controls for the round trip, jitter and
// bandwidth the server puts between this page's panels and itself (GET and
// POST /api/netem), and the presets the server names, with their sources.
// The server checks every value; what it refuses is shown with its reason
// and the controls go back to what is in force.

import { t } from './i18n.js';
import { setProxyPort, viaProxy, proxyPortInUse, isLocalPage } from './route.js';

const refreshEvery = 2000; // ms between reads, to follow changes made elsewhere

const $ = (id) => document.getElementById(id);
let current = null;      // the server's last answer
let onRoute = () => {};  // called when the panels must reconnect another way

// wireNetem sets up the controls; routeChanged(viaProxy) is called when
// the panels must reconnect (through the proxy or straight).
export function wireNetem(routeChanged) {
  onRoute = routeChanged;
  $('net-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    apply({
      rtt_ms: Number($('net-rtt').value),
      jitter_ms: Number($('net-jitter').value),
      bandwidth_kbit: Number($('net-bw').value),
    });
  });
  $('net-rtt-range').addEventListener('input', () => { $('net-rtt').value = $('net-rtt-range').value; });
  $('net-rtt').addEventListener('input', () => { $('net-rtt-range').value = $('net-rtt').value; });
  setInterval(() => loadNetem().catch(() => {}), refreshEvery);
}

export async function loadNetem() {
  const res = await fetch('/api/netem', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /api/netem: HTTP ${res.status}`);
  show(await res.json());
}

// applyNetem sends a setting ({preset} or numbers); it resolves to true if
// the server took it.
export async function applyNetem(setting) {
  return apply(setting);
}

async function apply(setting) {
  const status = $('net-status');
  try {
    const res = await fetch('/api/netem', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(setting),
    });
    const reply = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(reply.error || `HTTP ${res.status}`);
    show(reply);
    status.textContent = t('netApplied', summary(reply));
    status.className = 'note ok';
    return true;
  } catch (err) {
    status.textContent = t('netFailed', err.message);
    status.className = 'note bad';
    await loadNetem().catch(() => {}); // show what is in force
    return false;
  }
}

function summary(n) {
  return t('netSummary', n.rtt_ms, n.jitter_ms, n.bandwidth_kbit ? `${n.bandwidth_kbit} kbit/s` : t('noLimit'));
}

function show(n) {
  const first = current === null;
  current = n;
  if (first) renderPresets();
  const active = document.activeElement;
  for (const [id, v] of [['net-rtt', n.rtt_ms], ['net-rtt-range', Math.min(n.rtt_ms, 1000)], ['net-jitter', n.jitter_ms], ['net-bw', n.bandwidth_kbit]]) {
    if ($(id) !== active || first) $(id).value = v; // never under the teacher's typing
  }
  for (const b of $('net-presets').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.preset === n.preset));
  Object.assign($('net-form').dataset, { rtt: n.rtt_ms, active: n.active });
  const want = n.active ? n.proxy_port : 0;
  const before = proxyPortInUse();
  setProxyPort(want);
  if (proxyPortInUse() !== before) onRoute(viaProxy());
  relabelNetem();
}

function renderPresets() {
  $('net-presets').replaceChildren(...current.presets.map((p) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'preset';
    b.dataset.preset = p.name;
    b.textContent = p.name;
    b.title = `${p.rtt_ms} ms, ${p.bandwidth_kbit ? `${p.bandwidth_kbit} kbit/s` : '—'}: ${p.source}`;
    b.addEventListener('click', () => apply({ preset: p.name }));
    return b;
  }));
}

// relabelNetem redraws the route note in the current language.
export function relabelNetem() {
  if (!current) return;
  let note = viaProxy() ? t('netViaProxy', proxyPortInUse()) : t('netDirect');
  if (current.active && !isLocalPage()) note = t('netRemote');
  $('net-route').textContent = note;
  $('net-route').dataset.via = viaProxy() ? 'proxy' : 'direct';
}
