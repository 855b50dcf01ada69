// The load client of bench/ws/run (Node ws):
//   node load.js echo URL CONNS SIZE SECONDS   each connection sends a SIZE-byte
//        text message and waits for its echo, for SECONDS: prints "messages N"
//   node load.js idle URL N      opens N connections, prints "ready", holds them
//        until stdin closes
//   node load.js fanout URL N    N connections in room "all"; one broadcasts;
//        prints "fanout_ms T": from the send until every member has it
'use strict';
const WebSocket = require('ws');
const [mode, url, a, b, c] = process.argv.slice(2);

function open(n, onmsg) {
  return new Promise((resolve, reject) => {
    const socks = [];
    let opened = 0;
    let i = 0;
    // at most 200 handshakes in flight (the servers' accept queues are the same)
    const more = () => {
      while (i < n && i - opened < 200) {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        ws.on('message', (d) => onmsg && onmsg(ws, d));
        ws.on('error', (e) => reject(new Error(String(e) + ' after ' + opened + ' opened')));
        ws.once('open', () => { opened++; if (opened === n) resolve(socks); else more(); });
        socks.push(ws);
        i++;
      }
    };
    more();
  });
}

(async () => {
  if (mode === 'echo') {
    const conns = Number(a), size = Number(b), secs = Number(c);
    const msg = 'x'.repeat(size);
    let count = 0, running = true;
    const socks = await open(conns, (ws) => { count++; if (running) ws.send(msg); });
    const t0 = Date.now();
    count = 0;
    for (const ws of socks) ws.send(msg);
    setTimeout(() => {
      running = false;
      const dt = (Date.now() - t0) / 1000;
      console.log('messages ' + count + ' seconds ' + dt.toFixed(3));
      process.exit(0);
    }, secs * 1000);
  } else if (mode === 'idle') {
    const socks = await open(Number(a));
    console.log('ready ' + socks.length);
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  } else if (mode === 'fanout') {
    const n = Number(a);
    let got = 0, t0 = 0;
    const socks = await open(n, () => {
      got++;
      if (got === n) {
        console.log('fanout_ms ' + (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2));
        process.exit(0);
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    t0 = process.hrtime.bigint();
    socks[0].send('say:all:go');
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });
