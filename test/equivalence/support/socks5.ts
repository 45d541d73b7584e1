// A minimal SOCKS5 proxy on loopback (RFC 1928): no authentication, CONNECT only, IPv4 and domain
// addresses. Remembers the `host:port` of every target it connected.
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface Socks5Proxy {
  readonly origin: string;
  readonly port: number;
  readonly targets: string[];
  close(): Promise<void>;
}

/** Reads exactly `n` bytes, keeping any surplus for the next read. */
function reader(socket: Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.();
  });
  return async (n) => {
    while (buffered.length < n) await new Promise<void>((resolve) => (waiting = resolve));
    const out = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return out;
  };
}

async function handshake(socket: Socket, targets: string[]): Promise<void> {
  const read = reader(socket);
  const [, methods = 0] = await read(2);
  await read(methods);
  socket.write(Buffer.from([0x05, 0x00]));
  const [, command, , type] = await read(4);
  let host: string;
  if (type === 0x01) host = [...(await read(4))].join('.');
  else if (type === 0x03) host = (await read((await read(1))[0] ?? 0)).toString();
  else throw new Error('address type not supported');
  const port = (await read(2)).readUInt16BE(0);
  if (command !== 0x01) throw new Error('command not supported');
  targets.push(`${host}:${port}`);
  socket.removeAllListeners('data');
  const upstream = connect(port, host, () => {
    socket.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
}

export async function startSocks5Proxy(): Promise<Socks5Proxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    handshake(socket, targets).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `socks5://127.0.0.1:${port}`,
    port,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
