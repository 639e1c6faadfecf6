// The handshake inspector. The browser hides a WebSocket's upgrade from page
// scripts, so the page asks the server what the upgrade of its own WS panel
// carried (GET /api/handshake?id=...), then redoes the server's one
// computation itself: Accept = base64(SHA-1(Key + GUID)). If the result
// equals the Sec-WebSocket-Accept the server sent, the page has checked the
// server's proof that it read this very handshake.

import { t } from './i18n.js';
import { sha1, hex, base64 } from './sha1.js';

// The fixed GUID of RFC 6455 §1.3. The page has its own copy on purpose: the
// point is to compute the Accept independently of the server.
const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const $ = (id) => document.getElementById(id);

// header reads a header from a Go http.Header map ({"Name": ["v"]}),
// case-insensitively, as HTTP header names are.
function header(h, name) {
  for (const [k, v] of Object.entries(h || {})) if (k.toLowerCase() === name.toLowerCase()) return v.join(', ');
  return '';
}

function headerLines(h) {
  return Object.keys(h || {})
    .sort()
    .map((k) => h[k].map((v) => `${k}: ${v}`).join('\n'))
    .join('\n');
}

let last = null; // the last record shown, re-rendered on language change

export async function showHandshake(clientId) {
  const res = await fetch(`/api/handshake?id=${encodeURIComponent(clientId)}`, { cache: 'no-store' });
  if (res.status === 404) {
    $('hs-request').textContent = t('hsNone');
    return false;
  }
  if (!res.ok) throw new Error(`GET /api/handshake: HTTP ${res.status}`);
  last = await res.json();
  await render(last);
  return true;
}

export function waitingForHandshake() {
  $('hs-request').textContent = t('hsWaiting');
}

export function rerenderHandshake() {
  if (last) render(last);
}

async function render(h) {
  $('hs-request').textContent = `${h.request_line}\n${headerLines(h.request_headers)}`;
  $('hs-response').textContent = `HTTP/1.1 ${h.status}\n${headerLines(h.response_headers)}`;

  const key = header(h.request_headers, 'Sec-WebSocket-Key') || h.key;
  const serverAccept = header(h.response_headers, 'Sec-WebSocket-Accept') || h.accept;
  const { digest, by } = await sha1(new TextEncoder().encode(key + guid));
  const computed = base64(digest);

  $('hs-key').textContent = key;
  const g = $('hs-guid');
  g.replaceChildren(key, Object.assign(document.createElement('mark'), { textContent: guid }));
  $('hs-sha1').textContent = hex(digest);
  $('hs-sha1-by').textContent = t(by === 'subtle' ? 'byCrypto' : 'byFallback');
  $('hs-accept-computed').textContent = computed;
  $('hs-accept-server').textContent = serverAccept;
  const ok = computed === serverAccept;
  const verdict = $('hs-match');
  verdict.textContent = t(ok ? 'match' : 'mismatch');
  verdict.className = `verdict ${ok ? 'ok' : 'bad'}`;
  verdict.dataset.ok = String(ok);
  $('hs-offered').textContent = header(h.request_headers, 'Sec-WebSocket-Protocol') || '(none)';
  $('hs-subprotocol').textContent = h.subprotocol || '(none)';
}
