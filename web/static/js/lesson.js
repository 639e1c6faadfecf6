// The lesson script: one key press per step, each step a change on the
// server that the four panels then show. 1 idle updates, 2 a burst, 3 an
// added round trip, 4 the WebSocket connection killed (and its close code);
// 0 goes back to the start, Esc leaves the lesson. The caption says what
// to watch. Keys typed into a form field are left alone.

import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

// The steps: the generator's rate (ticks/s), the network setting, and
// whether the WebSocket panel's connection is closed.
const steps = {
  0: { rate: 10, net: { preset: 'loopback' } },
  1: { rate: 0.5, net: { preset: 'loopback' } },
  2: { rate: 50, net: { preset: 'loopback' } },
  3: { rate: 10, net: { rtt_ms: 300, jitter_ms: 0, bandwidth_kbit: 0 } },
  4: { kill: true },
};

// killCode is what the server is asked to close the panel's connection
// with: Going Away, the code a server sends when it goes down.
export const killCode = 1001;

let active = false;
let step = null;
let closed = null; // {code, name, since} after step 4
let hooks = null;

// wireLesson: actions are {setRate(hz), setNet(setting), kill(code, reason)}.
export function wireLesson(actions) {
  hooks = actions;
  $('lesson-toggle').addEventListener('click', () => setLesson(!active));
  document.addEventListener('keydown', onKey);
  if (new URLSearchParams(location.search).get('lesson') === '1') setLesson(true);
}

export function lessonActive() { return active; }

export function setLesson(on) {
  active = on;
  $('lesson').hidden = !on;
  $('lesson-toggle').setAttribute('aria-pressed', String(on));
  document.body.classList.toggle('in-lesson', on);
  if (on && step === null) show(0);
  if (!on) step = null;
}

function onKey(ev) {
  if (!active || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.target.closest && ev.target.closest('input, select, textarea')) return;
  if (ev.key === 'Escape') {
    setLesson(false);
    return;
  }
  if (ev.key in steps) {
    ev.preventDefault();
    run(Number(ev.key));
  }
}

async function run(n) {
  const s = steps[n];
  closed = null;
  show(n);
  if (s.rate !== undefined) await hooks.setRate(s.rate);
  if (s.net) await hooks.setNet(s.net);
  if (s.kill) hooks.kill(killCode, 'the lesson closed this connection');
  $('lesson').dataset.done = String(n);
}

// lessonSawClose is told the WebSocket panel's close; step 4 shows it.
export function lessonSawClose(code, name, since) {
  if (!active || step !== 4) return;
  closed = { code, name, since };
  render();
}

function show(n) {
  step = n;
  render();
}

// relabelLesson redraws the caption in the current language.
export function relabelLesson() {
  if (active) render();
}

function render() {
  $('lesson-n').textContent = step ? String(step) : '–';
  $('lesson-title').textContent = t(`l${step}t`);
  let body = t(`l${step}b`);
  if (closed) body += ` → ${t('lessonClosed', closed.code, closed.name, closed.since)}`;
  $('lesson-body').textContent = body;
  Object.assign($('lesson').dataset, { step, closeCode: closed ? closed.code : '' });
}
