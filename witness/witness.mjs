// An outside witness for pushlab's wire counters. It follows the live state
// over one transport with Node's own HTTP stack (short and long polls,
// Server-Sent Events), a bare socket (the raw-TCP floor) or the ws library
// (WebSocket), knowing nothing of pushlab's Go code, and counts what its sockets wrote and read
// (net.Socket bytesWritten / bytesRead: request lines, headers, bodies,
// chunked framing, the WebSocket handshake and frames, close frames). The
// server counts the same bytes on its side; the Go test beside this file
// checks that the two agree.
//
//   node witness.mjs --base http://127.0.0.1:8080 --transport ws --clients 10 --seconds 3
//
// It prints one JSON line: {"transport", "clients", "requests", "bytes_sent",
// "bytes_received", "updates", "errors"}.

import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: opt } = parseArgs({
  options: {
    base: { type: 'string', default: 'http://127.0.0.1:8080' },
    transport: { type: 'string', default: 'short' },
    clients: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '3' },
    interval: { type: 'string', default: '200' }, // short-poll interval, ms
    wait: { type: 'string', default: '5' }, // long-poll wait, s
    tag: { type: 'string', default: 'witness' }, // ?client= prefix
  },
});
const base = new URL(opt.base);
const clients = Number(opt.clients);
const seconds = Number(opt.seconds);

// Every socket any client opened, to add up their bytes at the end.
const sockets = new Set();
const totals = { requests: 0, updates: 0, errors: 0 };
const deadline = AbortSignal.timeout(seconds * 1000);

function counted(socket) {
  sockets.add(socket);
  return socket;
}

// One keep-alive socket per client, as a browser tab would hold.
function agentFor() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, cb) => counted(create(options, cb));
  return agent;
}

function url(path, client, query) {
  const u = new URL(path, base);
  u.searchParams.set('client', client);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u;
}

// get makes one GET and resolves with the status and the whole body; it
// rejects when signal aborts it.
function get(u, agent, signal, headers = {}) {
  return new Promise((resolve, reject) => {
    totals.requests++;
    const req = http.get(u, { agent, signal, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const id = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(id); resolve(); }, { once: true });
});

// poller is a short poller (wait 0) or a long poller.
async function poller(client, wait) {
  const agent = agentFor();
  let since = null;
  while (!deadline.aborted) {
    const query = since === null ? {} : { since: String(since) };
    if (wait > 0) query.wait = `${wait}s`;
    try {
      // A short poll in flight at the deadline is let finish (its answer
      // is on its way); a held long poll is cut off, which the server
      // counts as aborted with nothing written.
      const { status, body } = await get(url('/api/poll', client, query), agent, wait > 0 ? deadline : undefined);
      if (status === 200) {
        const doc = JSON.parse(body);
        totals.updates += doc.updates.length;
        since = doc.v;
      } else if (status !== 204) {
        totals.errors++;
      }
    } catch (err) {
      if (!deadline.aborted) totals.errors++;
    }
    if (wait === 0) await sleep(Number(opt.interval), deadline);
  }
  agent.destroy();
}

async function sse(client) {
  const agent = agentFor();
  totals.requests++;
  await new Promise((resolve) => {
    const req = http.get(url('/sse', client, {}), { agent, signal: deadline, headers: { Accept: 'text/event-stream' } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          if (buf.slice(0, end).split('\n').some((line) => line.startsWith('data:'))) totals.updates++;
          buf = buf.slice(end + 2);
        }
      });
      res.on('close', resolve);
    });
    req.on('error', () => { if (!deadline.aborted) totals.errors++; resolve(); });
  });
  agent.destroy();
}

async function ws(client) {
  const u = url('/ws', client, {});
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  totals.requests++;
  const sock = new WebSocket(u, 'pushlab.v1', {
    createConnection: (options) => counted(net.createConnection(options)),
  });
  await new Promise((resolve) => {
    sock.on('message', () => { totals.updates++; });
    sock.on('error', () => { if (!deadline.aborted) totals.errors++; });
    sock.on('close', resolve);
    // A clean close: our close frame, the server's answer, then TCP's end.
    deadline.addEventListener('abort', () => sock.close(1000, 'witness done'), { once: true });
  });
}

// floor is the raw-TCP floor: a plain socket, one GET written by hand,
// then a response head and nothing but newline-delimited update lines.
async function floor(client) {
  const u = url('/floor', client, {});
  totals.requests++;
  const sock = counted(net.createConnection({ host: u.hostname, port: Number(u.port) }));
  sock.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`);
  await new Promise((resolve) => {
    let buf = '';
    let head = true;
    sock.setEncoding('utf8');
    sock.on('data', (chunk) => {
      buf += chunk;
      if (head) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.startsWith('HTTP/1.1 200 ')) totals.errors++;
        buf = buf.slice(end + 4);
        head = false;
      }
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        if (nl > 0) totals.updates++;
        buf = buf.slice(nl + 1);
      }
    });
    sock.on('error', () => { if (!deadline.aborted) totals.errors++; });
    sock.on('close', resolve);
    // The floor has no close handshake: the client just ends the stream.
    deadline.addEventListener('abort', () => sock.end(), { once: true });
  });
}

const run = { short: (c) => poller(c, 0), long: (c) => poller(c, Number(opt.wait)), sse, ws, floor }[opt.transport];
if (!run) {
  console.error(`witness: unknown transport ${opt.transport} (short, long, sse, ws, floor)`);
  process.exit(2);
}
await Promise.all(Array.from({ length: clients }, (_, i) => run(`${opt.tag}-${opt.transport}-${i}`)));
// Let every socket finish closing, so its counters are final.
await Promise.all([...sockets].map((s) => (s.destroyed ? null : new Promise((r) => { s.once('close', r); s.destroy(); }))));
let sent = 0;
let received = 0;
for (const s of sockets) {
  sent += s.bytesWritten;
  received += s.bytesRead;
}
console.log(JSON.stringify({
  transport: opt.transport, clients, requests: totals.requests,
  bytes_sent: sent, bytes_received: received, updates: totals.updates, errors: totals.errors,
}));
