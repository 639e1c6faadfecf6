// The frame view: every frame of the WebSocket panel's connections, both
// ways, as the server read and wrote them. The server parses them from the
// bytes on its own socket (GET /api/frames?id=...); the page only lays them
// out. Open, it refreshes once a second; closed, it asks for nothing.

import { t } from './i18n.js';
import { closeCodeName } from './closecodes.js';
import { fmtCount } from './format.js';

const refreshEvery = 1000; // ms between reads while the view is open
const shown = 60;          // newest frames in the table

const $ = (id) => document.getElementById(id);
let clientId = '';
let timer = null;
let last = null;

export function wireFrames(id, disconnect) {
  clientId = id;
  $('frames').addEventListener('toggle', () => {
    clearTimeout(timer);
    if ($('frames').open) refresh();
  });
  $('frames-disconnect').addEventListener('click', () => {
    disconnect();
    if ($('frames').open) setTimeout(refresh, 300);
  });
}

async function refresh() {
  clearTimeout(timer);
  try {
    const res = await fetch(`/api/frames?id=${encodeURIComponent(clientId)}`, { cache: 'no-store' });
    if (res.ok) {
      last = await res.json();
      render();
    } else if (res.status === 404) {
      $('frames-log').replaceChildren(emptyRow());
    }
  } catch { /* the server may be restarting */ }
  if ($('frames').open) timer = setTimeout(refresh, refreshEvery);
}

function emptyRow() {
  const tr = document.createElement('tr');
  const td = tr.insertCell();
  td.colSpan = 9;
  td.className = 'none';
  td.textContent = t('frNone');
  return tr;
}

// rerenderFrames redraws in the current language.
export function rerenderFrames() {
  if (last) render();
}

function payloadCell(f) {
  if (f.opcode === 8 && f.close_code) {
    const name = closeCodeName(f.close_code);
    return t('frClose', f.close_code, name) + (f.close_reason ? ` “${f.close_reason}”` : '');
  }
  const text = f.preview !== '' || f.length === 0 ? f.preview : f.preview_hex;
  return text + (f.truncated ? ' …' : '');
}

function render() {
  const v = last;
  const i = v.in, o = v.out;
  $('frames-totals').textContent = t('frTotals',
    fmtCount(i.bytes), fmtCount(i.head_bytes), fmtCount(i.frames), fmtCount(i.frame_bytes),
    fmtCount(o.bytes), fmtCount(o.head_bytes), fmtCount(o.frames), fmtCount(o.frame_bytes));
  Object.assign($('frames').dataset, { inBytes: i.bytes, outBytes: o.bytes });
  const frames = v.frames.slice(-shown).reverse();
  if (!frames.length) {
    $('frames-log').replaceChildren(emptyRow());
    return;
  }
  $('frames-log').replaceChildren(...frames.map((f) => {
    const tr = document.createElement('tr');
    tr.className = f.dir;
    Object.assign(tr.dataset, { dir: f.dir, op: f.opcode, closeCode: f.close_code || '', masked: f.masked });
    const cells = [
      `#${f.conn}`,
      f.dir === 'in' ? '↑' : '↓',
      f.fin ? '1' : '0',
      String(f.rsv),
      `${f.opcode} ${f.op}`,
      f.masked ? '1' : '0',
      fmtCount(f.length),
      f.header + (f.masked ? `  (${t('frMaskKey', f.mask_key)})` : ''),
      payloadCell(f),
    ];
    for (const c of cells) tr.insertCell().textContent = c;
    tr.cells[7].className = 'mono';
    tr.cells[8].className = 'mono payload';
    return tr;
  }));
}
