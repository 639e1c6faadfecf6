// The handshake inspector. The browser hides a WebSocket's upgrade from page
// scripts, so the page asks the server for the bytes of its own WS panel's
// upgrade: the request head exactly as the server read it and the response
// head exactly as it wrote it, both taken off the server's socket (GET
// /api/handshake/raw?id=...), in the browser's own order and spelling. Then
// the page redoes the server's one computation itself: Accept =
// base64(SHA-1(Key + GUID)). If the result equals the Sec-WebSocket-Accept
// the server sent, the page has checked the server's proof that it read
// this very handshake.

import { t } from './i18n.js';
import { sha1, hex, base64 } from './sha1.js';

// The fixed GUID of RFC 6455 §1.3. The page has its own copy on purpose: the
// point is to compute the Accept independently of the server.
const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

// crlf marks the end of each line, so the CR LF pairs on the wire are seen
// (as plain ASCII: every font has it).
export const crlf = '\\r\\n';

const $ = (id) => document.getElementById(id);

// bytesOf decodes base64 (how JSON carries bytes) into one character per
// byte, so that nothing is re-encoded on the way.
function bytesOf(b64) {
  return atob(b64 || '');
}

// lines splits a head into its lines, without the CR LF.
function lines(head) {
  const all = head.split('\r\n');
  return all.slice(0, -1); // a head ends with CR LF; the last piece is empty
}

// header finds a header's value the way HTTP does: by name, any case.
function header(head, name) {
  for (const line of lines(head).slice(1)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === name.toLowerCase()) return line.slice(i + 1).trim();
  }
  return '';
}

// show writes a head into a <pre>: each line as it was, a visible CR LF at
// its end; any other control byte as \xNN.
function show(pre, head) {
  pre.replaceChildren();
  for (const line of head.split('\r\n').slice(0, -1)) {
    pre.append(line.replace(/[\x00-\x08\x0a-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
    const mark = document.createElement('span');
    mark.className = 'crlf';
    mark.textContent = crlf;
    pre.append(mark, '\n');
  }
}

let last = null; // the last record shown, re-rendered on language change

export async function showHandshake(clientId) {
  const res = await fetch(`/api/handshake/raw?id=${encodeURIComponent(clientId)}`, { cache: 'no-store' });
  if (res.status === 404) {
    $('hs-request').textContent = t('hsNone');
    return false;
  }
  if (!res.ok) throw new Error(`GET /api/handshake/raw: HTTP ${res.status}`);
  const raw = await res.json();
  last = { request: bytesOf(raw.request), response: bytesOf(raw.response) };
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
  show($('hs-request'), h.request);
  show($('hs-response'), h.response);
  $('hs-request').dataset.bytes = String(h.request.length);
  $('hs-request-size').textContent = t('hsSize', h.request.length, lines(h.request).length);
  $('hs-response-size').textContent = t('hsSize', h.response.length, lines(h.response).length);

  const key = header(h.request, 'Sec-WebSocket-Key');
  const serverAccept = header(h.response, 'Sec-WebSocket-Accept');
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
  $('hs-offered').textContent = header(h.request, 'Sec-WebSocket-Protocol') || '(none)';
  $('hs-subprotocol').textContent = header(h.response, 'Sec-WebSocket-Protocol') || '(none)';
}
