// Where the panels' clients connect. Normally straight to the lab, with
// relative URLs. While network conditions are on, through the lab's
// network-conditions proxy: the same machine, another port (GET /api/netem
// says which), so every request and frame meets the added round trip and
// bandwidth. The proxy forwards to the lab's own port, where the server
// counts every byte as before.

let proxyPort = 0;

// isLocalPage: the proxy listens on loopback only, so only a page opened
// on the server's own machine can go through it.
export function isLocalPage() {
  const h = location.hostname;
  return h === 'localhost' || h === '[::1]' || /^127\./.test(h);
}

export function setProxyPort(port) { proxyPort = port > 0 && isLocalPage() ? port : 0; }
export function viaProxy() { return proxyPort > 0; }
export function proxyPortInUse() { return proxyPort; }

function host() { return proxyPort ? `${location.hostname}:${proxyPort}` : location.host; }

// httpURL is the URL for an HTTP path of a panel's client.
export function httpURL(path) { return proxyPort ? `${location.protocol}//${host()}${path}` : path; }

// wsURL is the URL for a WebSocket path of a panel's client.
export function wsURL(path) { return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${host()}${path}`; }
