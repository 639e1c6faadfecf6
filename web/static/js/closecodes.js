// The close-code explorer. Each try opens a throwaway WebSocket (its own
// client id, so it does not disturb the WS panel) and gets the server to
// close it with one code: most codes by asking ({"type":"close","code":N}),
// three by actually breaking a rule the way a faulty client would. The name
// and meaning shown come from the server's table, GET /api/closecodes (in
// Chinese, from i18n.js's translation of it).

import { t, closeCodeText } from './i18n.js';

const tooBigBytes = 70_000; // over the server's 64 KiB read limit
const giveUpAfter = 5000;   // ms without a close before the try is reported as failed

const $ = (id) => document.getElementById(id);
let table = new Map(); // code -> {code, name, meaning}
const log = [];        // tries shown, newest first: {asked, got}
const maxLog = 10;

export async function loadCloseCodes() {
  const res = await fetch('/api/closecodes', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /api/closecodes: HTTP ${res.status}`);
  const rows = await res.json();
  table = new Map(rows.map((r) => [r.code, r]));
  renderOptions();
  $('cc-code').value = '1009';
  describeSelected();
  return rows;
}

// closeCodeName is a code's name in the current language ('' if unknown).
export function closeCodeName(code) {
  const row = table.get(code);
  return row ? closeCodeText(row).name : '';
}

function renderOptions() {
  const sel = $('cc-code');
  const value = sel.value;
  sel.replaceChildren(...[...table.values()].map((r) => new Option(`${r.code} ${closeCodeText(r).name}`, String(r.code))));
  if (value) sel.value = value;
}

export function describeSelected() {
  const sel = $('cc-code');
  const row = table.get(Number(sel.value));
  $('cc-how').textContent = sel.value ? how(Number(sel.value)) : '';
  $('cc-meaning').textContent = row ? closeCodeText(row).meaning : '';
}

// relabelCloseCodes redraws the explorer in the current language.
export function relabelCloseCodes() {
  renderOptions();
  describeSelected();
  renderLog();
}

function how(code) {
  switch (code) {
    case 1009: return t('cc1009How', tooBigBytes.toLocaleString('en-US'));
    case 1003: return t('cc1003How');
    case 1008: return t('cc1008How');
    default: return t('ccAskHow', code);
  }
}

// provoke sends what makes the server close with code on an open socket.
function provoke(ws, code) {
  switch (code) {
    case 1009: {
      // A well-formed message of an unknown type, so that a server without a
      // read limit would answer 1008, not publish 70 kB of chat.
      const pad = 'x'.repeat(tooBigBytes - '{"type":"pad","data":""}'.length);
      ws.send(`{"type":"pad","data":"${pad}"}`);
      break;
    }
    case 1003:
      ws.send(new Uint8Array([0x70, 0x75, 0x73, 0x68])); // a binary frame
      break;
    case 1008:
      ws.send('{"type": "publish", "data": '); // JSON cut short
      break;
    default:
      ws.send(JSON.stringify({ type: 'close', code, reason: 'asked by the demo page' }));
  }
}

// tryCode runs one try and resolves with what the browser saw.
function tryCode(code, clientId, since) {
  return new Promise((resolve) => {
    const q = since ? `since=${since}&` : '';
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/ws?${q}client=${encodeURIComponent(clientId)}`, ['pushlab.v1']);
    const timer = setTimeout(() => {
      ws.onclose = null;
      ws.close();
      resolve({ code: null, reason: t('ccNoClose') });
    }, giveUpAfter);
    ws.onopen = () => provoke(ws, code);
    ws.onclose = (ev) => {
      clearTimeout(timer);
      resolve({ code: ev.code, reason: ev.reason });
    };
  });
}

export async function runTry(code, clientId, since) {
  $('cc-how').textContent = t('ccRunning', code);
  const got = await tryCode(code, clientId, since);
  log.unshift({ asked: code, got });
  if (log.length > maxLog) log.pop();
  renderLog();
  describeSelected();
  return got;
}

function renderLog() {
  $('cc-log').replaceChildren(...log.map(({ asked, got }) => {
    const row = document.createElement('tr');
    row.dataset.asked = String(asked);
    row.dataset.got = String(got.code ?? '');
    row.className = got.code === asked ? 'ok' : 'bad';
    const entry = table.get(got.code);
    const text = entry ? closeCodeText(entry) : null;
    const cells = [
      String(asked),
      how(asked),
      got.code == null ? '–' : String(got.code),
      text ? text.name : got.code == null ? '' : t('ccNotInTable'),
      text ? text.meaning : '',
      got.reason || '',
    ];
    for (const c of cells) row.insertCell().textContent = c;
    row.cells[2].className = 'code';
    return row;
  }));
}
