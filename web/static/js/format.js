// Number formatting shared by the panels and the charts, and the page's clock.

export function fmtBytes(n) {
  if (n == null || !isFinite(n)) return '–';
  if (n < 1000) return `${Math.round(n)} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

export function fmtCount(n) {
  return n == null ? '–' : Number(n).toLocaleString('en-US');
}

// fmtMs shows a latency: two significant digits below 10 ms, where loopback
// pushes land.
export function fmtMs(ms) {
  if (ms == null || !isFinite(ms)) return '–';
  if (ms < 0.01) return '<0.01 ms';
  if (ms < 10) return `${ms.toPrecision(2)} ms`;
  if (ms < 10000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function fmtDuration(s) {
  s = Math.floor(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${sec}s` : `${sec}s`;
}

// nowMs is the wall clock in milliseconds with sub-millisecond steps:
// Date.now() ticks in whole milliseconds, which is the size of a loopback
// push's latency. An update's latency is nowMs() minus its publish time.
export function nowMs() {
  return performance.timeOrigin + performance.now();
}
