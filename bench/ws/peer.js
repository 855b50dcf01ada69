// The peer of bench/ws/run: the same server as echo.snow with Node's ws
// (Debian node-ws): echo, room "all", "say:all:TEXT" broadcasts.
'use strict';
const { WebSocketServer } = require('ws');
const port = Number(process.argv[2] || 0);
const wss = new WebSocketServer({ port, maxPayload: 16 * 1024 * 1024 });
const all = new Set();
wss.on('connection', (ws) => {
  all.add(ws);
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.length > 8 && data.toString('latin1', 0, 8) === 'say:all:') {
      const text = data.toString('utf8', 8);
      for (const m of all) m.send(text);
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
  ws.on('close', () => all.delete(ws));
});
wss.on('listening', () => console.error('peer listening on 0.0.0.0:' + wss.address().port));
