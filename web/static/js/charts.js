// Live time-series charts on a canvas: the last minute, one series per panel.
// No library: a few dozen lines of drawing are easier to read in class than
// a dependency, and the page must work offline.

import { fmtBytes } from './format.js';

export const windowMs = 60_000;
const maxPerSecond = 100; // see TimeChart.add
const logFloor = 0.001;   // ms: the log scale goes no lower (the browser's clock steps are coarser)

export const colors = {
  short: '#d1495b',
  long: '#edae49',
  ws: '#00798c',
  sse: '#6a4c93',
};

export class TimeChart {
  // opts: {log: bool, format: v => string, points: bool (scatter) or lines}
  constructor(canvas, opts) {
    this.canvas = canvas;
    this.opts = opts;
    this.series = new Map(); // kind -> [[ms, value], ...]
    this.perSecond = new Map(); // kind -> {second, count}
  }

  add(kind, ms, value) {
    if (!this.series.has(kind)) this.series.set(kind, []);
    // At most maxPerSecond points per series and second: at a high --rate a
    // minute of every update would be more points than a canvas can redraw.
    const second = Math.floor(ms / 1000);
    const n = this.perSecond.get(kind);
    if (n && n.second === second) {
      if (++n.count > maxPerSecond) return;
    } else {
      this.perSecond.set(kind, { second, count: 1 });
    }
    this.series.get(kind).push([ms, value]);
  }

  prune(now) {
    for (const pts of this.series.values()) {
      let i = 0;
      while (i < pts.length && pts[i][0] < now - windowMs) i++;
      if (i) pts.splice(0, i);
    }
  }

  // yRange returns [lo, hi] and the tick values. On the log scale the
  // bottom is the power of ten below the smallest value (a loopback push
  // takes a fraction of a millisecond), down to logFloor.
  yRange() {
    let max = 0;
    let min = Infinity;
    for (const pts of this.series.values()) {
      for (const [, v] of pts) {
        max = Math.max(max, v);
        if (v > 0) min = Math.min(min, v);
      }
    }
    if (this.opts.log) {
      const hi = Math.max(100, 10 ** Math.ceil(Math.log10(Math.max(max, 1) * 1.2)));
      const lo = Math.max(logFloor, Math.min(1, 10 ** Math.floor(Math.log10(min))));
      const ticks = [];
      for (let e = Math.round(Math.log10(lo)); 10 ** e <= hi; e++) ticks.push(Number((10 ** e).toPrecision(1)));
      return [lo, hi, ticks];
    }
    const hi = niceCeil(Math.max(max * 1.15, 1000));
    return [0, hi, [0, hi / 4, hi / 2, (3 * hi) / 4, hi]];
  }

  draw(now) {
    this.prune(now);
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth, h = c.clientHeight;
    if (!w || !h) return;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);

    // Larger type on a projector, where the axis labels must be read from
    // the back of the room.
    const big = document.body.classList.contains('projector');
    const fontPx = big ? 20 : 11;
    const left = big ? 96 : 64, right = 10, top = 8, bottom = big ? 34 : 22;
    const pw = w - left - right, ph = h - top - bottom;
    const [lo, hi, ticks] = this.yRange();
    const y = this.opts.log
      ? (v) => top + ph - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * ph
      : (v) => top + ph - (v - lo) / (hi - lo) * ph;
    const x = (ms) => left + (1 - (now - ms) / windowMs) * pw;

    g.font = `${fontPx}px system-ui, sans-serif`;
    g.lineWidth = 1;
    g.strokeStyle = big ? '#b8bec6' : '#e3e6ea';
    g.fillStyle = big ? '#1f2933' : '#6b7280';
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const v of ticks) {
      const yy = Math.round(y(v)) + 0.5;
      g.beginPath(); g.moveTo(left, yy); g.lineTo(left + pw, yy); g.stroke();
      g.fillText(this.opts.format(v), left - 6, yy);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (let s = 60; s >= 0; s -= 10) {
      const xx = Math.round(x(now - s * 1000)) + 0.5;
      g.beginPath(); g.moveTo(xx, top); g.lineTo(xx, top + ph); g.stroke();
      g.fillText(s ? `−${s} s` : 'now', Math.min(xx, left + pw - (big ? 22 : 12)), top + ph + 5);
    }

    for (const [kind, pts] of this.series) {
      g.strokeStyle = g.fillStyle = colors[kind];
      if (this.opts.points) {
        const r = big ? 3.5 : 2.2;
        for (const [ms, v] of pts) {
          g.beginPath(); g.arc(x(ms), y(v), r, 0, 2 * Math.PI); g.fill();
        }
      } else {
        g.lineWidth = big ? 3 : 2;
        g.beginPath();
        pts.forEach(([ms, v], i) => (i ? g.lineTo(x(ms), y(v)) : g.moveTo(x(ms), y(v))));
        g.stroke();
        g.lineWidth = 1;
      }
    }
  }
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export const formatMs = (v) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`);
// (tick values are powers of ten, so `${v}` prints 0.01 or 100 as such)
export const formatRate = (v) => `${fmtBytes(v)}/s`;
