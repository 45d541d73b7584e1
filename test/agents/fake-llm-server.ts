import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request. The body has been read already. */
export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * A loopback HTTP server standing in for an LLM provider or an A2A agent. It counts every request
 * it sees, so tests can show that an open circuit sends none. Handlers queued with `next()` answer
 * one request each, in order; `fallback` answers the rest.
 */
export class FakeServer {
  requests = 0;
  readonly paths: string[] = [];
  private readonly queue: Handler[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(private fallback: Handler = json(200, {})) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.requests++;
        this.paths.push(`${req.method} ${req.url}`);
        (this.queue.shift() ?? this.fallback)(req, res, body);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Answers the next request with `handler` (queued after earlier ones). */
  next(...handlers: Handler[]): this {
    this.queue.push(...handlers);
    return this;
  }

  setFallback(handler: Handler): this {
    this.fallback = handler;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

export interface SseOptions {
  /** Extra raw SSE text written after the events (e.g. an `event: error` frame). */
  readonly tail?: string;
  /** Destroy the socket after the events instead of ending the response (a dropped connection). */
  readonly destroy?: boolean;
  /** Leave the response open after the events (for caller aborts). */
  readonly hang?: boolean;
}

/** A `text/event-stream` response: each entry is written as one SSE frame. */
export function sse(
  frames: ReadonlyArray<{ event?: string; data: unknown }>,
  options: SseOptions = {},
): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const frame of frames) {
      const data = typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data);
      res.write(`${frame.event === undefined ? '' : `event: ${frame.event}\n`}data: ${data}\n\n`);
    }
    if (options.tail !== undefined) res.write(options.tail);
    if (options.destroy === true) {
      // Let the frames reach the client before the connection drops mid-stream.
      setImmediate(() => res.socket?.destroy());
      return;
    }
    if (options.hang !== true) res.end();
  };
}

/** Never answers (until the server closes): for timeouts and caller aborts. */
export const hang: Handler = () => {};

/** A port nothing listens on: bound once, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- canned provider bodies ----------------------------------------------------------------

export const openAiCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-test',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'hello' },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
};

export function openAiChunk(content: string): unknown {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'gpt-test',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
}

export const anthropicMessage = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-test',
  content: [{ type: 'text', text: 'hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
};

/** The opening frames of an Anthropic message stream, up to one text delta. */
export const anthropicStreamStart = [
  {
    event: 'message_start',
    data: { type: 'message_start', message: { ...anthropicMessage, content: [] } },
  },
  {
    event: 'content_block_start',
    data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  },
  {
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hel' } },
  },
];

export const anthropicStreamEnd = [
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
  {
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 2 },
    },
  },
  { event: 'message_stop', data: { type: 'message_stop' } },
];
