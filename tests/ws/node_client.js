// The Node `ws` interop client of tests/ws/interop_test.py (Debian's
// node-ws; run with NODE_PATH=/usr/share/nodejs).  Usage:
//   node node_client.js BASE_URL
// BASE_URL: ws://127.0.0.1:PORT or wss://... (the server's certificate is
// the test's own: not verified).  Against tests/ws/app.snow's /echo (text)
// and /bin (binary): messages of every size, whole and fragmented, with
// pings interleaved; then rooms.  Prints one line per check: "ok NAME" or
// "FAIL NAME: detail".
'use strict';
const WebSocket = require('ws');

const base = process.argv[2];
const SIZES = [0, 125, 126, 65535, 65536, 16 * 1024 * 1024];
const opts = { rejectUnauthorized: false, maxPayload: 32 * 1024 * 1024 };

function open(path) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base + path, opts);
    ws.queue = [];
    ws.waiters = [];
    ws.pongs = 0;
    ws.on('message', (data, isBinary) => {
      const m = { data, isBinary };
      if (ws.waiters.length) ws.waiters.shift()(m);
      else ws.queue.push(m);
    });
    ws.on('pong', () => { ws.pongs++; });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function next(ws) {
  if (ws.queue.length) return Promise.resolve(ws.queue.shift());
  return new Promise((resolve) => ws.waiters.push(resolve));
}

function report(ok, name, detail) {
  console.log(ok ? 'ok ' + name : 'FAIL ' + name + ': ' + detail);
}

function payload(n, binary) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = binary ? (i * 7) & 0xff : 97 + (i % 26);
  return b;
}

// Send `data` as fragments of about a quarter each, a ping between them.
function sendFragmented(ws, data, binary) {
  const parts = 4;
  const step = Math.max(1, Math.ceil(data.length / parts));
  if (data.length === 0) {
    ws.send(data, { binary, fin: true });
    return;
  }
  for (let at = 0; at < data.length; at += step) {
    const last = at + step >= data.length;
    ws.send(data.subarray(at, at + step), { binary, fin: last });
    if (!last) ws.ping('between fragments');
  }
}

async function echoes() {
  for (const binary of [false, true]) {
    const ws = await open(binary ? '/bin' : '/echo');
    const kind = binary ? 'binary' : 'text';
    for (const n of SIZES) {
      for (const frag of [false, true]) {
        const data = payload(n, binary);
        ws.ping('before');
        if (frag) sendFragmented(ws, data, binary);
        else ws.send(data, { binary });
        const m = await next(ws);
        const name = `${kind} ${n} ${frag ? 'fragmented' : 'whole'}`;
        report(m.isBinary === binary && Buffer.compare(Buffer.from(m.data), data) === 0, name,
          `got ${m.isBinary ? 'binary' : 'text'} of ${m.data.length} bytes`);
      }
    }
    // every ping got its pong (they come back in order with the echoes)
    await new Promise((r) => setTimeout(r, 50));
    report(ws.pongs >= SIZES.length * 2, kind + ' pongs', `${ws.pongs} pongs`);
    ws.close(1000);
    await new Promise((r) => ws.once('close', (code) => { report(code === 1000, kind + ' close', code); r(); }));
  }
}

async function rooms() {
  const a = await open('/echo');
  const b = await open('/echo');
  for (const ws of [a, b]) {
    ws.send('join:node-room');
    const m = await next(ws);
    report(m.data.toString() === 'joined', 'join', m.data.toString());
  }
  a.send('say:node-room:hello from node');
  const got = [(await next(a)).data.toString(), (await next(a)).data.toString()].sort();
  report(JSON.stringify(got) === JSON.stringify(['hello from node', 'said 0']), 'broadcast to the sender', got);
  const mb = await next(b);
  report(mb.data.toString() === 'hello from node', 'broadcast to the other member', mb.data.toString());
  b.send('others:node-room:psst');
  const ma = await next(a);
  const mb2 = await next(b);
  report(ma.data.toString() === 'psst' && mb2.data.toString() === 'told 0', 'broadcast_except',
    ma.data.toString() + ' / ' + mb2.data.toString());
  a.close(1000);
  b.close(1000);
}

(async () => {
  try {
    await echoes();
    await rooms();
  } catch (e) {
    report(false, 'node client', String(e));
  }
  process.exit(0);
})();
