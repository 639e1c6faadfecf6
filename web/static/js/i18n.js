// Labels in English and Chinese. The course material is Chinese, so a
// teacher can switch the whole page with one button. Elements carry
// data-i18n="key" (text) or data-i18n-ph="key" (placeholder); code builds
// dynamic text with t(key, ...args), where {0}, {1} are replaced by args.
// Server-provided text (headers, frames) stays as served; the close-code
// table's names and meanings come from the server in English and from
// closeCodesZh below in Chinese (a Go test keeps the two tables in step).

const dict = {
  en: {
    tagline: 'One live state, four ways to deliver it: short polling, long polling, WebSocket, Server-Sent Events.',
    server: 'server', latest: 'latest version', uptime: 'uptime', controls: 'Controls',
    generator: 'Generator (server)', rate: 'rate', hz: 'ticks/s', payload: 'payload', apply: 'Apply',
    clients: 'Clients (this page)', interval: 'short-poll interval', wait: 'long-poll wait',
    pauseAll: 'Pause all', resumeAll: 'Resume all',
    chartLatency: 'Latency of each update as seen by this page (ms, log scale), last minute',
    chartBytes: 'Bytes on the wire per second, as counted by the server, last minute',
    chatTitle: 'Chat: one message, four transports',
    chatHint: "Send over the WebSocket panel's own connection (full duplex) or as a separate HTTP POST (request/response). Either way it becomes an update and reaches all four panels.",
    chatPlaceholder: 'Say something to the class', viaWS: 'via WebSocket', viaPost: 'via HTTP POST', send: 'Send',
    ccTitle: 'Close-code explorer',
    ccHint: "Opens a throwaway WebSocket and either asks the server to close with a code, or provokes the close: 1009 by sending a message over 64 KiB, 1003 by a binary frame, 1008 by malformed JSON. Names and meanings come from the server's table (/api/closecodes).",
    ccTry: 'Close with this code', ccAll: 'Try every code',
    ccAsked: 'asked', ccHow: 'how', ccGot: 'received', ccName: 'name', ccMeaning: 'meaning', ccReason: 'reason',
    hsTitle: "Handshake inspector: this page's own WebSocket upgrade", refresh: 'Refresh',
    hsRequest: 'Request (browser → server), bytes as the server read them', hsResponse: 'Response (server → browser), bytes as the server wrote them',
    hsSteps: 'Sec-WebSocket-Accept, step by step (computed here in the browser)',
    hsStepKey: 'The browser sent a random 16-byte nonce, base64: Sec-WebSocket-Key',
    hsStepGuid: 'Append the fixed GUID from RFC 6455',
    hsStepSha: 'SHA-1 of the joined string (20 bytes, hex)',
    hsStepB64: 'base64 of those 20 bytes',
    hsStepServer: 'Sec-WebSocket-Accept the server answered',
    hsProto: 'Subprotocols offered → chosen:',
    footer: 'Every byte and request figure on this page is counted by the server on its own sockets (GET /api/stats); only latency is measured here, as the browser\'s clock (to a fraction of a millisecond) minus the update\'s publish time.',
    version: 'version', latency: 'latency, median of 10 s', counted: 'counted by the server',
    requests: 'requests', empty: 'empty responses', deliveries: 'updates delivered',
    clientIds: 'client ids', bytesUp: 'bytes up ↑', bytesDown: 'bytes down ↓', perUpdate: 'bytes / update', chatLines: 'chat',
    // dynamic
    short: 'Short polling', long: 'Long polling', ws: 'WebSocket', sse: 'Server-Sent Events',
    howShort: 'GET /api/poll?since=V every {0} ms', howLong: 'GET /api/poll?since=V&wait={0}s, again at once',
    howWS: 'one upgraded connection: /ws, both ways', howSSE: 'one streaming response: GET /sse',
    pause: 'Pause', resume: 'Resume',
    stLive: 'live', stPaused: 'paused', stConnecting: 'connecting…', stWaiting: 'waiting for an update…',
    stPolling: 'polling every {0} ms', stClosed: 'closed {0} {1}; reconnecting in 1 s with since={2}',
    stError: 'error: {0}; retrying', stReconnecting: 'reconnecting (EventSource sends Last-Event-ID)',
    noChat: 'no chat yet',
    match: '✓ equal: the server proved it read this handshake',
    mismatch: '✗ they differ',
    byCrypto: '(crypto.subtle.digest)', byFallback: '(JavaScript SHA-1: crypto.subtle needs a secure context)',
    hsWaiting: 'waiting for the WebSocket panel to connect…', hsNone: 'the server has no record of this upgrade yet',
    ccAskHow: 'asked: {"type":"close","code":{0}}', cc1009How: 'sent a {0}-byte message (limit 64 KiB)',
    cc1003How: 'sent a binary frame', cc1008How: 'sent malformed JSON',
    ccNoClose: 'no close within 5 s', ccNotInTable: 'not in the server\'s table',
    ccRunning: 'running {0}…',
    chatSent: 'sent; the server made it version {0}', chatSentWS: 'sent on the WebSocket; watch it come back as an update',
    chatWSClosed: 'the WebSocket panel is not connected; resume it or send via HTTP POST',
    cfgSaved: 'applied: {0} ticks/s, {1} B', cfgFailed: 'not applied: {0}',
    lessonButton: 'Lesson', projectorButton: 'Projector', lessonStep: 'step',
    lessonKeys: 'keys 1 2 3 4 · 0 resets · Esc leaves the lesson',
    l0t: 'Ready', l0b: 'Ten updates a second, no added delay. Press 1 to begin.',
    l1t: 'Idle: an update every two seconds',
    l1b: 'Short polling keeps asking anyway: watch its empty responses climb. Long polling holds one request open; WebSocket and SSE send nothing until there is news.',
    l2t: 'Burst: fifty updates a second',
    l2b: 'Long polling now makes about one request per update and its bytes per update are the highest; WebSocket and SSE add a few bytes to each update; short polling carries many updates per answer, late.',
    l3t: 'Add a 300 ms round trip',
    l3b: 'Every trip now takes 300 ms. A poll pays the whole round trip (the question goes up, the answer comes down); a push pays half. Compare the panels\' latency.',
    l4t: 'Kill the connection',
    l4b: 'The server closes the WebSocket panel\'s connection. The close frame carries a code; the panel reconnects with since and misses nothing.',
    lessonClosed: 'received close code {0} ({1}); reconnecting with since={2}',
    network: 'Network (this page ↔ server)', rtt: 'round trip', jitter: 'jitter', bandwidth: 'bandwidth',
    kbitUnit: 'kbit/s (0 = no limit)',
    netApplied: 'applied: {0}', netFailed: 'not applied: {0}',
    netDirect: 'panels connect directly', netViaProxy: 'panels connect through the conditions proxy on port {0}',
    netRemote: 'network conditions reach pages opened on the server\'s own machine only',
    netSummary: 'round trip {0} ms, jitter {1} ms, bandwidth {2}', noLimit: 'not limited',
    latencyMore: 'p90 {0} · max {1}', latencyCount: ' · {0} updates', latencyNone: 'no update in the last 10 s', sent: 'sent by this page',
    hsSize: '{0} bytes, {1} lines, in the order and spelling they had on the wire',
    frTitle: "Frame view: the WebSocket panel's frames, as the server read and wrote them",
    frHint: 'Parsed from the bytes on the server\'s socket (GET /api/frames). ↑ client → server (always masked), ↓ server → client (never masked). Header bytes as sent; the payload preview unmasked.',
    frDisconnect: "Close the panel's connection (the server sends 1001)",
    frConn: 'conn', frDir: 'dir', frOpcode: 'opcode', frLength: 'length', frHeader: 'header bytes',
    frPayload: 'payload (preview) / close code', frNone: 'no frames yet',
    frTotals: '↑ read {0} B = handshake {1} B + {2} frames {3} B · ↓ written {4} B = handshake {5} B + {6} frames {7} B',
    frClose: 'close {0} {1}', frMaskKey: 'mask key {0}',
  },
  zh: {
    tagline: '同一个实时状态，四种送达方式：短轮询、长轮询、WebSocket、服务器发送事件（SSE）。',
    server: '服务器', latest: '最新版本', uptime: '运行时间', controls: '控制',
    generator: '数据生成器（服务器端）', rate: '频率', hz: '次/秒', payload: '负载大小', apply: '应用',
    clients: '客户端（本页面）', interval: '短轮询间隔', wait: '长轮询等待',
    pauseAll: '全部暂停', resumeAll: '全部恢复',
    chartLatency: '本页面看到的每条更新的延迟（毫秒，对数刻度），最近一分钟',
    chartBytes: '每秒线上字节数（由服务器统计），最近一分钟',
    chatTitle: '聊天：一条消息，四种传输',
    chatHint: '可以通过 WebSocket 面板自己的连接发送（全双工），也可以单独发一个 HTTP POST（请求/响应）。无论哪种方式，它都会成为一条更新并到达全部四个面板。',
    chatPlaceholder: '对全班说点什么', viaWS: '通过 WebSocket', viaPost: '通过 HTTP POST', send: '发送',
    ccTitle: '关闭码浏览器',
    ccHint: '打开一个临时 WebSocket，要么请服务器用指定关闭码关闭，要么故意触发关闭：发送超过 64 KiB 的消息得到 1009，发送二进制帧得到 1003，发送格式错误的 JSON 得到 1008。名称与含义来自服务器的关闭码表（/api/closecodes）。',
    ccTry: '用此关闭码关闭', ccAll: '逐个尝试全部',
    ccAsked: '请求', ccHow: '方式', ccGot: '收到', ccName: '名称', ccMeaning: '含义', ccReason: '原因',
    hsTitle: '握手检查器：本页面自己的 WebSocket 升级', refresh: '刷新',
    hsRequest: '请求（浏览器 → 服务器），服务器读到的原始字节', hsResponse: '响应（服务器 → 浏览器），服务器写出的原始字节',
    hsSteps: 'Sec-WebSocket-Accept 逐步计算（就在浏览器里算）',
    hsStepKey: '浏览器发送的随机 16 字节数，base64 编码：Sec-WebSocket-Key',
    hsStepGuid: '拼接 RFC 6455 规定的固定 GUID',
    hsStepSha: '对拼接后的字符串做 SHA-1（20 字节，十六进制）',
    hsStepB64: '把这 20 字节做 base64 编码',
    hsStepServer: '服务器返回的 Sec-WebSocket-Accept',
    hsProto: '提供的子协议 → 选中的：',
    footer: '本页面上所有字节数和请求数都由服务器在自己的套接字上统计（GET /api/stats）；只有延迟是在这里测的：浏览器的时钟（精确到毫秒以下）减去更新的发布时间。',
    version: '版本', latency: '延迟（10 秒中位数）', counted: '服务器统计',
    requests: '请求数', empty: '空响应', deliveries: '送达的更新',
    clientIds: '客户端 id', bytesUp: '上行字节 ↑', bytesDown: '下行字节 ↓', perUpdate: '每条更新字节数', chatLines: '聊天',
    short: '短轮询', long: '长轮询', ws: 'WebSocket', sse: '服务器发送事件 SSE',
    howShort: '每 {0} 毫秒 GET /api/poll?since=V', howLong: 'GET /api/poll?since=V&wait={0}s，返回后立即再发',
    howWS: '一条升级后的连接：/ws，双向', howSSE: '一个持续的流式响应：GET /sse',
    pause: '暂停', resume: '恢复',
    stLive: '实时', stPaused: '已暂停', stConnecting: '连接中…', stWaiting: '等待更新…',
    stPolling: '每 {0} 毫秒轮询一次', stClosed: '已关闭 {0} {1}；1 秒后以 since={2} 重连',
    stError: '错误：{0}；重试中', stReconnecting: '重连中（EventSource 会带上 Last-Event-ID）',
    noChat: '还没有聊天',
    match: '✓ 相等：服务器证明它读到了这次握手',
    mismatch: '✗ 不相等',
    byCrypto: '（crypto.subtle.digest）', byFallback: '（JavaScript 实现的 SHA-1：crypto.subtle 需要安全上下文）',
    hsWaiting: '等待 WebSocket 面板连接…', hsNone: '服务器还没有这次升级的记录',
    ccAskHow: '请求：{"type":"close","code":{0}}', cc1009How: '发送了 {0} 字节的消息（上限 64 KiB）',
    cc1003How: '发送了一个二进制帧', cc1008How: '发送了格式错误的 JSON',
    ccNoClose: '5 秒内没有关闭', ccNotInTable: '不在服务器的表中',
    ccRunning: '正在尝试 {0}…',
    chatSent: '已发送；服务器将其编为版本 {0}', chatSentWS: '已通过 WebSocket 发送；看它作为更新回来',
    chatWSClosed: 'WebSocket 面板未连接；请恢复它或改用 HTTP POST',
    cfgSaved: '已应用：{0} 次/秒，{1} 字节', cfgFailed: '未应用：{0}',
    lessonButton: '课堂模式', projectorButton: '投影模式', lessonStep: '步骤',
    lessonKeys: '按键 1 2 3 4 · 0 复位 · Esc 退出课堂模式',
    l0t: '准备', l0b: '每秒 10 条更新，没有额外延迟。按 1 开始。',
    l1t: '空闲：每两秒一条更新',
    l1b: '短轮询照样不停地问：看它的空响应不断增加。长轮询保持一个挂起的请求；WebSocket 和 SSE 在有新消息之前什么也不发送。',
    l2t: '突发：每秒 50 条更新',
    l2b: '长轮询现在几乎每条更新一个请求，每条更新的字节数最高；WebSocket 和 SSE 每条更新只多几个字节；短轮询每次回答带很多条更新，但来得晚。',
    l3t: '加上 300 毫秒往返时间',
    l3b: '现在每次往返都要 300 毫秒。轮询要付出整个往返（问题上行、回答下行）；推送只付出一半。比较各面板的延迟。',
    l4t: '断开连接',
    l4b: '服务器关闭 WebSocket 面板的连接。关闭帧带着一个关闭码；面板用 since 重连，一条也不丢。',
    lessonClosed: '收到关闭码 {0}（{1}）；正在以 since={2} 重连',
    network: '网络（本页面 ↔ 服务器）', rtt: '往返时间', jitter: '抖动', bandwidth: '带宽',
    kbitUnit: 'kbit/s（0 = 不限）',
    netApplied: '已应用：{0}', netFailed: '未应用：{0}',
    netDirect: '面板直接连接服务器', netViaProxy: '面板经由端口 {0} 上的网络条件代理连接',
    netRemote: '网络条件只作用于在服务器本机上打开的页面',
    netSummary: '往返 {0} 毫秒，抖动 {1} 毫秒，带宽 {2}', noLimit: '不限',
    latencyMore: 'p90 {0} · 最大 {1}', latencyCount: ' · {0} 条更新', latencyNone: '最近 10 秒没有更新', sent: '本页面发出',
    hsSize: '{0} 字节，{1} 行，保持线上的顺序和拼写',
    frTitle: '帧查看器：WebSocket 面板的帧，按服务器读写的原样',
    frHint: '从服务器套接字上的字节解析（GET /api/frames）。↑ 客户端 → 服务器（总是掩码），↓ 服务器 → 客户端（从不掩码）。帧头字节按发送原样显示；负载预览已去掩码。',
    frDisconnect: '关闭面板的连接（服务器发送 1001）',
    frConn: '连接', frDir: '方向', frOpcode: '操作码', frLength: '长度', frHeader: '帧头字节',
    frPayload: '负载（预览）/ 关闭码', frNone: '还没有帧',
    frTotals: '↑ 读入 {0} 字节 = 握手 {1} 字节 + {2} 帧 {3} 字节 · ↓ 写出 {4} 字节 = 握手 {5} 字节 + {6} 帧 {7} 字节',
    frClose: '关闭 {0} {1}', frMaskKey: '掩码键 {0}',
  },
};

// closeCodesZh: the server's close-code table (GET /api/closecodes) in
// Chinese, name and meaning by code.
export const closeCodesZh = {
  1000: ['正常关闭', '连接的目的已经完成，双方同意关闭。'],
  1001: ['离开', '服务器正在关闭（或页面正在离开）；稍后用 since 重连。'],
  1002: ['协议错误', '帧违反了 RFC 6455 本身，例如客户端发来未加掩码的帧，或设置了保留位；gorilla 会用它关闭。'],
  1003: ['不支持的数据', '端点无法接受的帧类型：这里指在期望 JSON 文本的地方收到了二进制帧。'],
  1007: ['无效的帧负载数据', '文本消息不是有效的 UTF-8。'],
  1008: ['违反策略', '消息违反了协议规则：JSON 格式错误或未知的消息类型。'],
  1009: ['消息过大', '消息超过了服务器的读取上限（默认 64 KiB）。'],
  1011: ['内部错误', '服务器遇到了意外情况，无法继续这个连接。'],
  1012: ['服务重启', '服务器正在重启；稍等片刻后用 since 重连。'],
  1013: ['稍后再试', '服务器已满负荷，或这个客户端落后太多无法追上；稍后用 since 重连。'],
  4000: ['应用自定义码（4000-4999）', '留给应用程序使用；pushlab 用 4000 只是为了展示这类关闭码的存在。'],
};

// closeCodeText returns a table row's name and meaning in the current
// language.
export function closeCodeText(row) {
  const zh = lang === 'zh' ? closeCodesZh[row.code] : null;
  return zh ? { name: zh[0], meaning: zh[1] } : { name: row.name, meaning: row.meaning };
}

const listeners = [];
let lang = pickLanguage();

function pickLanguage() {
  const q = new URLSearchParams(location.search).get('lang');
  if (q in dict) return q;
  try {
    const saved = localStorage.getItem('pushlab.lang');
    if (saved in dict) return saved;
  } catch { /* storage may be disabled */ }
  return navigator.language && navigator.language.startsWith('zh') ? 'zh' : 'en';
}

// t returns the label for key in the current language.
export function t(key, ...args) {
  const s = dict[lang][key] ?? dict.en[key] ?? key;
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

export function currentLanguage() { return lang; }

// translate fills every tagged element under root.
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-ph]')) el.placeholder = t(el.dataset.i18nPh);
}

// setLanguage switches the page and tells everyone who renders dynamic text.
export function setLanguage(l) {
  lang = l in dict ? l : 'en';
  try { localStorage.setItem('pushlab.lang', lang); } catch { /* ignore */ }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  translate();
  for (const fn of listeners) fn(lang);
}

export function onLanguageChange(fn) { listeners.push(fn); }
