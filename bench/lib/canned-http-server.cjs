// The loopback HTTP/1.1 keep-alive server of bench/http.mjs, run as its own process. It answers
// every request head with one canned 200 and does nothing else, so on a 2-core machine the client
// process, which is what is measured, is the bottleneck: a Node `http` server costs about as much
// CPU per request as the client and would hide part of the client's overhead. Prints its port.
'use strict';
const net = require('node:net');

const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nkeep-alive: timeout=600\r\n\r\nok',
);
const HEAD_END = Buffer.from('\r\n\r\n');

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    // The bench sends GETs without bodies: one response per complete request head.
    const data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let from = 0;
    let heads = 0;
    for (let at = data.indexOf(HEAD_END); at !== -1; at = data.indexOf(HEAD_END, from)) {
      heads++;
      from = at + HEAD_END.length;
    }
    pending = data.subarray(from);
    if (heads === 1) socket.write(RESPONSE);
    else if (heads > 1) socket.write(Buffer.concat(Array.from({ length: heads }, () => RESPONSE)));
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
